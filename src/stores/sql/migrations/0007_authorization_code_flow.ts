import type { Kysely, Migration } from 'kysely';

/**
 * The authorization code flow (Step 7): clients get their redirect and post-logout redirect
 * URIs (JSON arrays, like scopes and grants; existing clients get none), refresh families the
 * session they came from (null for existing ones), and two tables: consents, one row per user
 * and client, and authorization codes, keyed by the code's hash. Portable types only, so one
 * migration serves both dialects.
 */
export const authorizationCodeFlow: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('clients')
      .addColumn('redirect_uris', 'text', (column) => column.notNull().defaultTo('[]'))
      .execute();
    await db.schema
      .alterTable('clients')
      .addColumn('post_logout_redirect_uris', 'text', (column) => column.notNull().defaultTo('[]'))
      .execute();

    await db.schema.alterTable('refresh_families').addColumn('session_id', 'text').execute();
    // RP-initiated logout revokes a session's families by this column.
    await db.schema
      .createIndex('refresh_families_session_id_idx')
      .on('refresh_families')
      .column('session_id')
      .execute();

    await db.schema
      .createTable('consents')
      .addColumn('user_id', 'text', (column) => column.notNull())
      .addColumn('client_id', 'text', (column) => column.notNull())
      .addColumn('scopes', 'text', (column) => column.notNull())
      .addColumn('created_at', 'bigint', (column) => column.notNull())
      .addColumn('updated_at', 'bigint', (column) => column.notNull())
      .addPrimaryKeyConstraint('consents_pkey', ['user_id', 'client_id'])
      .execute();
    // The primary key serves lookups by user; deleting a client finds its consents by this one.
    await db.schema
      .createIndex('consents_client_id_idx')
      .on('consents')
      .column('client_id')
      .execute();

    await db.schema
      .createTable('authorization_codes')
      .addColumn('hash', 'text', (column) => column.primaryKey())
      .addColumn('client_id', 'text', (column) => column.notNull())
      .addColumn('user_id', 'text', (column) => column.notNull())
      .addColumn('redirect_uri', 'text', (column) => column.notNull())
      .addColumn('scope', 'text', (column) => column.notNull())
      .addColumn('code_challenge', 'text', (column) => column.notNull())
      .addColumn('nonce', 'text')
      .addColumn('session_id', 'text', (column) => column.notNull())
      .addColumn('auth_time', 'bigint', (column) => column.notNull())
      .addColumn('family_id', 'text', (column) => column.notNull())
      .addColumn('created_at', 'bigint', (column) => column.notNull())
      .addColumn('expires_at', 'bigint', (column) => column.notNull())
      .addColumn('spent_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('authorization_codes_expires_at_idx')
      .on('authorization_codes')
      .column('expires_at')
      .execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('authorization_codes').execute();
    await db.schema.dropTable('consents').execute();
    await db.schema.dropIndex('refresh_families_session_id_idx').execute();
    await db.schema.alterTable('refresh_families').dropColumn('session_id').execute();
    await db.schema.alterTable('clients').dropColumn('post_logout_redirect_uris').execute();
    await db.schema.alterTable('clients').dropColumn('redirect_uris').execute();
  },
};
