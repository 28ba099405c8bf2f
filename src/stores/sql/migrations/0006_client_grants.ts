import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Which grants each client may use, as a JSON array of grant_type values. The backfill keeps
 * what every client could do before: a confidential client both client_credentials and
 * refresh_token, the public first-party client refresh_token alone.
 *
 * The column default is the confidential client's set, so that a process of the previous
 * version still running during an upgrade (it only ever registers confidential clients) writes
 * a client that can do what it could before. A public client never gets client_credentials from
 * it: that grant refuses public clients whatever their list says.
 */
export const clientGrants: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('clients')
      .addColumn('grants', 'text', (column) =>
        column.notNull().defaultTo('["client_credentials","refresh_token"]'),
      )
      .execute();
    await sql`update clients set grants = '["refresh_token"]' where secret_hash is null`.execute(
      db,
    );
  },

  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('clients').dropColumn('grants').execute();
  },
};
