import { sql, type Kysely, type Migration } from 'kysely';
import type { SqlCapabilities } from '../dialects/capabilities.js';

/**
 * Signing keys, OAuth clients, refresh-token families and revocations. Portable types as in
 * 0001; the one dialect-specific column is the revocation sequence, which no two dialects spell
 * alike.
 */
export function tokenTables(dialect: SqlCapabilities): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('signing_keys')
        .addColumn('kid', 'text', (column) => column.primaryKey())
        .addColumn('alg', 'text', (column) => column.notNull())
        .addColumn('public_jwk', 'text')
        .addColumn('private_key', 'text', (column) => column.notNull())
        .addColumn('state', 'text', (column) =>
          column.notNull().check(sql`state in ('active', 'verify-only', 'retired')`),
        )
        .addColumn('created_at', 'bigint', (column) => column.notNull())
        .addColumn('rotated_at', 'bigint')
        .execute();
      // The database itself refuses a second active key, whatever a caller or a race does.
      await db.schema
        .createIndex('signing_keys_one_active')
        .on('signing_keys')
        .column('state')
        .unique()
        .where(sql.ref('state'), '=', 'active')
        .execute();

      await db.schema
        .createTable('clients')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('secret_hash', 'text')
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('scopes', 'text', (column) => column.notNull())
        .addColumn('audiences', 'text', (column) => column.notNull())
        .addColumn('first_party', 'integer', (column) => column.notNull())
        .addColumn('created_at', 'bigint', (column) => column.notNull())
        .execute();

      await db.schema
        .createTable('refresh_families')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('user_id', 'text', (column) => column.notNull())
        .addColumn('client_id', 'text', (column) => column.notNull())
        .addColumn('scope', 'text', (column) => column.notNull())
        .addColumn('current_hash', 'text', (column) => column.notNull())
        .addColumn('generation', 'integer', (column) => column.notNull())
        .addColumn('previous_hash', 'text')
        .addColumn('rotated_at', 'bigint')
        .addColumn('created_at', 'bigint', (column) => column.notNull())
        .addColumn('expires_at', 'bigint', (column) => column.notNull())
        .addColumn('revoked_at', 'bigint')
        .addColumn('revoked_reason', 'text')
        .execute();
      // Every refresh looks a token up by either hash: both are indexed.
      await db.schema
        .createIndex('refresh_families_current_hash_key')
        .on('refresh_families')
        .column('current_hash')
        .unique()
        .execute();
      await db.schema
        .createIndex('refresh_families_previous_hash_idx')
        .on('refresh_families')
        .column('previous_hash')
        .execute();
      await db.schema
        .createIndex('refresh_families_user_id_idx')
        .on('refresh_families')
        .column('user_id')
        .execute();
      await db.schema
        .createIndex('refresh_families_expires_at_idx')
        .on('refresh_families')
        .column('expires_at')
        .execute();

      // The seq orders the feed and resumes it (Last-Event-ID), so it must only ever grow.
      await db.schema
        .createTable('revocations')
        .addColumn('seq', dialect.ascendingKey.type, dialect.ascendingKey.define)
        .addColumn('kind', 'text', (column) =>
          column.notNull().check(sql`kind in ('jti', 'sid', 'user')`),
        )
        .addColumn('value', 'text', (column) => column.notNull())
        .addColumn('at', 'bigint', (column) => column.notNull())
        .addColumn('expires_at', 'bigint', (column) => column.notNull())
        .execute();
      await db.schema
        .createIndex('revocations_kind_value_idx')
        .on('revocations')
        .columns(['kind', 'value'])
        .execute();
      await db.schema
        .createIndex('revocations_expires_at_idx')
        .on('revocations')
        .column('expires_at')
        .execute();
    },

    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('revocations').execute();
      await db.schema.dropTable('refresh_families').execute();
      await db.schema.dropTable('clients').execute();
      await db.schema.dropTable('signing_keys').execute();
    },
  };
}
