import type { Kysely } from 'kysely';
import type { OneTimeTokenStore } from '../ports.js';
import type { Database } from './database.js';

const tokenColumns = [
  'hash',
  'user_id as userId',
  'purpose',
  'created_at as createdAt',
  'expires_at as expiresAt',
] as const;

/** A OneTimeTokenStore over the `one_time_tokens` table. */
export function createSqlOneTimeTokenStore(db: Kysely<Database>): OneTimeTokenStore {
  return {
    async issue(token) {
      // One statement on the unique (user_id, purpose) index: the earlier link is replaced, and
      // two concurrent requests cannot leave two live links.
      await db
        .insertInto('one_time_tokens')
        .values({
          hash: token.hash,
          user_id: token.userId,
          purpose: token.purpose,
          created_at: token.createdAt,
          expires_at: token.expiresAt,
        })
        .onConflict((conflict) =>
          conflict.columns(['user_id', 'purpose']).doUpdateSet({
            hash: token.hash,
            created_at: token.createdAt,
            expires_at: token.expiresAt,
          }),
        )
        .execute();
    },

    async consume(hash, purpose, now) {
      // Delete and return in one statement: of concurrent consumes only one deletes the row.
      return db
        .deleteFrom('one_time_tokens')
        .where('hash', '=', hash)
        .where('purpose', '=', purpose)
        .where('expires_at', '>', now)
        .returning(tokenColumns)
        .executeTakeFirst();
    },

    async deleteAllForUser(userId) {
      // The unique (user_id, purpose) index serves this.
      const result = await db
        .deleteFrom('one_time_tokens')
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async deleteExpired(now) {
      const result = await db
        .deleteFrom('one_time_tokens')
        .where('expires_at', '<=', now)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
