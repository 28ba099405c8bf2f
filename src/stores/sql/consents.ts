import type { Kysely, Selectable } from 'kysely';
import type { ConsentRecord, ConsentStore } from '../ports.js';
import { toStringArray } from './clients.js';
import type { ConsentsTable, Database } from './database.js';
import type { SqlCapabilities } from './dialects/capabilities.js';

function toRecord(row: Selectable<ConsentsTable>): ConsentRecord {
  return {
    userId: row.user_id,
    clientId: row.client_id,
    scopes: toStringArray(row.scopes),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A ConsentStore over the `consents` table. */
export function createSqlConsentStore(
  db: Kysely<Database>,
  dialect: SqlCapabilities,
): ConsentStore {
  return {
    async grant(userId, clientId, scopes, now) {
      // Adding scopes is a read, a merge and a write: writers queue behind one another so two
      // consent pages answered at once cannot each write back the list without the other's scope.
      // The insert comes first: it is a write, which takes SQLite's one write lock at once.
      return db.transaction().execute(async (trx) => {
        await dialect.lockForWriters(trx, 'consents');
        const created = await trx
          .insertInto('consents')
          .values({
            user_id: userId,
            client_id: clientId,
            scopes: JSON.stringify([...new Set(scopes)]),
            created_at: now,
            updated_at: now,
          })
          .onConflict((conflict) => conflict.columns(['user_id', 'client_id']).doNothing())
          .returningAll()
          .executeTakeFirst();
        if (created !== undefined) return toRecord(created);

        const current = toRecord(
          await trx
            .selectFrom('consents')
            .selectAll()
            .where('user_id', '=', userId)
            .where('client_id', '=', clientId)
            .executeTakeFirstOrThrow(),
        );
        const merged = [...new Set([...current.scopes, ...scopes])];
        if (merged.length === current.scopes.length) return current;
        const updatedAt = Math.max(current.updatedAt, now);
        await trx
          .updateTable('consents')
          .set({ scopes: JSON.stringify(merged), updated_at: updatedAt })
          .where('user_id', '=', userId)
          .where('client_id', '=', clientId)
          .execute();
        return { ...current, scopes: merged, updatedAt };
      });
    },

    async find(userId, clientId) {
      const row = await db
        .selectFrom('consents')
        .selectAll()
        .where('user_id', '=', userId)
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      return row && toRecord(row);
    },

    async listByUser(userId) {
      const rows = await db
        .selectFrom('consents')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('updated_at', 'desc')
        .orderBy('client_id')
        .execute();
      return rows.map(toRecord);
    },

    async revoke(userId, clientId) {
      const result = await db
        .deleteFrom('consents')
        .where('user_id', '=', userId)
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async revokeAllForClient(clientId) {
      const result = await db
        .deleteFrom('consents')
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async deleteAllForUser(userId) {
      // The primary key (user_id, client_id) serves this.
      const result = await db
        .deleteFrom('consents')
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
