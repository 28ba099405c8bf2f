import type { Kysely, Migration } from 'kysely';
import type { SqlCapabilities } from '../dialects/capabilities.js';

/**
 * The SQLite event bus's messages (bus-sqlite.ts): processes on one database file tell each
 * other of changes through this table. PostgreSQL carries them with LISTEN/NOTIFY instead and
 * gets no table.
 */
export function bus({ busTable }: SqlCapabilities): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (!busTable) return;
      // AUTOINCREMENT, not a bare rowid: once old rows are pruned, a reused id would sit below a
      // watcher's cursor and never be read.
      await db.schema
        .createTable('bus_messages')
        .addColumn('id', 'integer', (column) => column.primaryKey().autoIncrement())
        .addColumn('origin', 'text', (column) => column.notNull())
        .addColumn('channel', 'text', (column) => column.notNull())
        .addColumn('payload', 'text', (column) => column.notNull())
        .addColumn('at', 'bigint', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('bus_messages_at_idx').on('bus_messages').column('at').execute();
    },

    async down(db: Kysely<unknown>) {
      if (!busTable) return;
      await db.schema.dropTable('bus_messages').execute();
    },
  };
}
