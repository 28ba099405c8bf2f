/**
 * What a SQL dialect can do, asked by the stores and migrations instead of comparing dialect
 * names (as Kysely's DialectAdapter does for its query compiler). One object per dialect, chosen
 * once where the database is opened (connect.ts) and handed to everything that needs it.
 */
import type { ColumnDefinitionBuilder, Kysely, RawBuilder, Transaction } from 'kysely';
import type { EventBus } from '../../ports.js';
import type { SqlStoreOptions } from '../connect.js';
import type { Database } from '../database.js';

/** The tables a writer lock can be taken on. */
export type LockableTable = keyof Database;

/** One SQL dialect's answers to what Tessera's stores and migrations need to know. */
export interface SqlCapabilities {
  /** For logs and error messages only: no caller branches on it. */
  readonly name: string;

  /**
   * The schema Kysely keeps its migration bookkeeping in: the configured one, else the one this
   * connection creates tables in; undefined where the database has no schemas.
   */
  migrationSchema(
    db: Kysely<Database>,
    configured: string | undefined,
  ): Promise<string | undefined>;

  /**
   * A primary key the database assigns that only ever grows and never hands out a deleted row's
   * number (the revocation feed resumes from it): its column type and definition.
   */
  readonly ascendingKey: {
    readonly type: 'integer' | 'bigint';
    define(column: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
  };

  /**
   * Replaces the `<column> in (…)` CHECK of a table in place; absent where a CHECK cannot be
   * altered, and a migration must rebuild the table instead.
   */
  readonly replaceCheck?: (
    db: Kysely<unknown>,
    table: string,
    column: string,
    values: RawBuilder<unknown>,
  ) => Promise<void>;

  /**
   * Gives a new text column byte-order comparison (PostgreSQL's "C" collation; SQLite's default
   * BINARY already is): ORDER BY, range conditions and prefix searches then agree with the memory
   * adapter and can use the column's index whatever collation the database was created with.
   */
  binaryText(column: ColumnDefinitionBuilder): ColumnDefinitionBuilder;

  /** Changes an existing text column to byte-order comparison (see binaryText), with its indexes. */
  makeBinaryText(db: Kysely<unknown>, table: string, column: string): Promise<void>;

  /**
   * Makes the writers of `table` queue behind this transaction until it ends, without blocking
   * readers. A no-op where the transaction's first write already takes the database's one
   * write lock.
   */
  lockForWriters(trx: Transaction<Database>, table: LockableTable): Promise<void>;

  /**
   * Runs an insert whose database-assigned sequence number readers resume from, so that such
   * inserts commit in sequence order: a reader past seq 6 must never later meet a seq 5.
   */
  commitInSequence<T>(
    db: Kysely<Database>,
    insert: (db: Kysely<Database>) => Promise<T>,
  ): Promise<T>;

  /** Whether this dialect's event bus carries its messages in the `bus_messages` table (0005). */
  readonly busTable: boolean;

  /**
   * The bus between processes on this database. `namespace` keeps deployments in other schemas
   * of one database apart where messages leave the tables.
   */
  openBus(db: Kysely<Database>, options: SqlStoreOptions, namespace: string): EventBus;
}
