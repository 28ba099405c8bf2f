/** SQLite's capabilities: one writer at a time, no schemas, CHECKs fixed at table creation. */
import { SqliteEventBus } from '../bus-sqlite.js';
import type { SqlCapabilities } from './capabilities.js';

/** The embedded default. */
export const sqliteCapabilities: SqlCapabilities = {
  name: 'sqlite',

  migrationSchema: async () => undefined,

  // AUTOINCREMENT, not a bare rowid: a rowid may reuse the number of the newest deleted row.
  ascendingKey: { type: 'integer', define: (column) => column.primaryKey().autoIncrement() },

  // BINARY (byte order) is SQLite's default collation.
  binaryText: (column) => column,
  makeBinaryText: async () => {},

  // SQLite's writers are serialized by the database lock the transaction's first write takes.
  lockForWriters: async () => {},
  commitInSequence: (db, insert) => insert(db),

  // No LISTEN/NOTIFY: processes on one file watch a table.
  busTable: true,
  openBus: (db) => new SqliteEventBus(db),
};
