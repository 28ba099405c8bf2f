/** PostgreSQL's capabilities: schemas, identities, table locks, advisory locks, LISTEN/NOTIFY. */
import { sql } from 'kysely';
import { PostgresEventBus } from '../bus-postgres.js';
import type { SqlCapabilities } from './capabilities.js';

/** An arbitrary constant naming Tessera's sequence-ordering advisory lock. */
const SEQUENCE_LOCK = 0x7e55e7a;

/** PostgreSQL, for every deployment past one machine. */
export const postgresCapabilities: SqlCapabilities = {
  name: 'postgres',

  // The configured schema, else the first on the login's search_path.
  async migrationSchema(db, configured) {
    if (configured !== undefined) return configured;
    const { rows } = await sql<{
      name: string | null;
    }>`select current_schema() as name`.execute(db);
    return rows[0]?.name ?? undefined;
  },

  // An identity never hands out a number twice, even after its row is deleted.
  ascendingKey: {
    type: 'bigint',
    define: (column) => column.primaryKey().generatedAlwaysAsIdentity(),
  },

  // PostgreSQL names a column CHECK `<table>_<column>_check`.
  async replaceCheck(db, table, column, values) {
    const name = sql.id(`${table}_${column}_check`);
    await sql`alter table ${sql.table(table)} drop constraint if exists ${name}`.execute(db);
    await sql`alter table ${sql.table(table)} add constraint ${name} check (${sql.ref(column)} in ${values})`.execute(
      db,
    );
  },

  // A database created with a language collation (en_US.UTF-8) would sort 'a.b' and 'ab' by
  // dictionary rules, and a btree in that collation cannot serve a range or prefix scan.
  binaryText: (column) => column.modifyFront(sql`collate "C"`),
  // Same type, other collation: no table rewrite, but the column's indexes are rebuilt.
  async makeBinaryText(db, table, column) {
    await sql`alter table ${sql.table(table)} alter column ${sql.ref(column)} type text collate "C"`.execute(
      db,
    );
  },

  // Under READ COMMITTED two writers would each miss the other's uncommitted rows; this mode
  // conflicts with itself, so writers queue while readers are not blocked.
  async lockForWriters(trx, table) {
    await sql`lock table ${sql.table(table)} in share row exclusive mode`.execute(trx);
  },

  // Identity values are drawn before commit, so two inserts could commit out of order; a
  // transaction-scoped advisory lock makes them commit in sequence (they are rare: the cost is nil).
  commitInSequence: (db, insert) =>
    db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${SEQUENCE_LOCK})`.execute(trx);
      return insert(trx);
    }),

  busTable: false,
  openBus: (db, options, namespace) =>
    new PostgresEventBus(db, {
      url: options.url,
      namespace,
      ...(options.connectTimeoutMs === undefined
        ? {}
        : { connectTimeoutMs: options.connectTimeoutMs }),
    }),
};
