import { sql, type Kysely } from 'kysely';
import type { EventBus, Stores } from '../ports.js';
import type { Database } from './database.js';
import { openDatabase, storeUnavailable, type SqlStoreOptions } from './connect.js';
import { createSqlClientStore } from './clients.js';
import { migrateToLatest } from './migrate.js';
import { createSqlRateLimitStore } from './rate-limits.js';
import { createSqlRefreshFamilyStore } from './refresh-families.js';
import { createSqlRevocationStore } from './revocations.js';
import { createSqlSessionStore } from './sessions.js';
import { createSqlSigningKeyStore } from './signing-keys.js';
import { createSqlUserStore } from './users.js';

export type { SqlStoreOptions } from './connect.js';

// The schema the tables land in: the configured one, else the first on the login's search_path.
async function postgresSchema(
  db: Kysely<Database>,
  options: SqlStoreOptions,
): Promise<string | undefined> {
  if (options.schema !== undefined) return options.schema;
  const { rows } = await sql<{ name: string | null }>`select current_schema() as name`.execute(db);
  return rows[0]?.name ?? undefined;
}

/** The SQL stores and the event bus between the processes that share the database. */
export interface SqlStores extends Stores {
  /**
   * Opens nothing until its first subscription (a command that only publishes opens no
   * listener); closed with the stores.
   */
  bus: EventBus;
}

/** Every store over SQLite or PostgreSQL, migrated to the latest schema before it is returned. */
export async function createSqlStores(options: SqlStoreOptions): Promise<SqlStores> {
  const { db, dialect, openBus } = openDatabase(options);
  let schema: string | undefined;
  try {
    schema = dialect === 'postgres' ? await postgresSchema(db, options) : undefined;
    await migrateToLatest(db, dialect, schema);
  } catch (error) {
    // The migration error is the one worth reporting; a failure to close after it is not.
    await db.destroy().catch(() => {});
    throw error;
  }

  const bus = openBus(schema ?? '');
  return {
    bus,
    users: createSqlUserStore(db),
    sessions: createSqlSessionStore(db),
    rateLimits: createSqlRateLimitStore(db),
    keys: createSqlSigningKeyStore(db, dialect),
    clients: createSqlClientStore(db),
    refreshFamilies: createSqlRefreshFamilyStore(db),
    revocations: createSqlRevocationStore(db, dialect),
    async ping() {
      try {
        await sql`select 1`.execute(db);
      } catch (cause) {
        throw storeUnavailable(cause);
      }
    },
    async close() {
      await bus.close();
      await db.destroy();
    },
  };
}
