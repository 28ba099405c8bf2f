import type { Kysely, Selectable } from 'kysely';
import type { ClientRecord, ClientStore } from '../ports.js';
import type { ClientsTable, Database } from './database.js';

// JSON rather than space-separated text: the same encoding in both dialects, and no value
// (an audience URL, a scope) can split into two or merge with its neighbour.
/** Parses a JSON array-of-strings column (scopes, grants, URIs; consents' scopes too). */
export function toStringArray(json: string): string[] {
  const value: unknown = JSON.parse(json);
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new TypeError('a clients row holds a list that is not an array of strings');
  }
  return value as string[];
}

function toRecord(row: Selectable<ClientsTable>): ClientRecord {
  return {
    id: row.id,
    secretHash: row.secret_hash,
    name: row.name,
    scopes: toStringArray(row.scopes),
    audiences: toStringArray(row.audiences),
    grants: toStringArray(row.grants),
    redirectUris: toStringArray(row.redirect_uris),
    postLogoutRedirectUris: toStringArray(row.post_logout_redirect_uris),
    // Integer 0/1 in both dialects: better-sqlite3 cannot bind a boolean.
    firstParty: row.first_party === 1,
    createdAt: row.created_at,
  };
}

/** A ClientStore over the `clients` table. */
export function createSqlClientStore(db: Kysely<Database>): ClientStore {
  return {
    async insert(client) {
      // The primary key decides in one statement, as for users: no check-then-insert race.
      const inserted = await db
        .insertInto('clients')
        .values({
          id: client.id,
          secret_hash: client.secretHash,
          name: client.name,
          scopes: JSON.stringify(client.scopes),
          audiences: JSON.stringify(client.audiences),
          grants: JSON.stringify(client.grants),
          redirect_uris: JSON.stringify(client.redirectUris),
          post_logout_redirect_uris: JSON.stringify(client.postLogoutRedirectUris),
          first_party: client.firstParty ? 1 : 0,
          created_at: client.createdAt,
        })
        .onConflict((conflict) => conflict.column('id').doNothing())
        .returning('id')
        .executeTakeFirst();
      return inserted === undefined ? 'exists' : 'created';
    },

    async findById(id) {
      const row = await db
        .selectFrom('clients')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toRecord(row);
    },

    async list() {
      const rows = await db
        .selectFrom('clients')
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toRecord);
    },

    async delete(id) {
      const result = await db.deleteFrom('clients').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async update(client) {
      // The id and the creation time are the record's identity; an update never moves them.
      const result = await db
        .updateTable('clients')
        .set({
          secret_hash: client.secretHash,
          name: client.name,
          scopes: JSON.stringify(client.scopes),
          audiences: JSON.stringify(client.audiences),
          grants: JSON.stringify(client.grants),
          redirect_uris: JSON.stringify(client.redirectUris),
          post_logout_redirect_uris: JSON.stringify(client.postLogoutRedirectUris),
          first_party: client.firstParty ? 1 : 0,
        })
        .where('id', '=', client.id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}
