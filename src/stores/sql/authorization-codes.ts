import type { Kysely } from 'kysely';
import type { AuthorizationCodeStore } from '../ports.js';
import type { Database } from './database.js';

const codeColumns = [
  'hash',
  'client_id as clientId',
  'user_id as userId',
  'redirect_uri as redirectUri',
  'scope',
  'code_challenge as codeChallenge',
  'nonce',
  'session_id as sessionId',
  'auth_time as authTime',
  'family_id as familyId',
  'created_at as createdAt',
  'expires_at as expiresAt',
  'spent_at as spentAt',
] as const;

/** An AuthorizationCodeStore over the `authorization_codes` table. */
export function createSqlAuthorizationCodeStore(db: Kysely<Database>): AuthorizationCodeStore {
  return {
    async insert(code) {
      await db
        .insertInto('authorization_codes')
        .values({
          hash: code.hash,
          client_id: code.clientId,
          user_id: code.userId,
          redirect_uri: code.redirectUri,
          scope: code.scope,
          code_challenge: code.codeChallenge,
          nonce: code.nonce,
          session_id: code.sessionId,
          auth_time: code.authTime,
          family_id: code.familyId,
          created_at: code.createdAt,
          expires_at: code.expiresAt,
          spent_at: code.spentAt,
        })
        .execute();
    },

    async spend(hash, now) {
      // One conditional UPDATE decides, never a read then a write: PostgreSQL makes a concurrent
      // second UPDATE re-check `spent_at is null` against the first's row, SQLite runs them one
      // after the other, so exactly one spender matches and gets the unspent record.
      const spent = await db
        .updateTable('authorization_codes')
        .set({ spent_at: now })
        .where('hash', '=', hash)
        .where('spent_at', 'is', null)
        .returning(codeColumns)
        .executeTakeFirst();
      if (spent !== undefined) return { ...spent, spentAt: null };
      // Not spent by this call: either spent before (a replay, which the caller must punish)
      // or unknown. spent_at is never cleared, so this read cannot see it unspent.
      return db
        .selectFrom('authorization_codes')
        .select(codeColumns)
        .where('hash', '=', hash)
        .executeTakeFirst();
    },

    async deleteExpired(before) {
      const result = await db
        .deleteFrom('authorization_codes')
        .where('expires_at', '<=', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
