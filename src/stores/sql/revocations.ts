import type { Kysely } from 'kysely';
import type { RevocationStore } from '../ports.js';
import type { Database } from './database.js';
import type { SqlCapabilities } from './dialects/capabilities.js';

const eventColumns = ['seq', 'kind', 'value', 'at', 'expires_at as expiresAt'] as const;

/** A RevocationStore over the `revocations` table. */
export function createSqlRevocationStore(
  db: Kysely<Database>,
  dialect: SqlCapabilities,
): RevocationStore {
  return {
    async add(revocation) {
      // The database assigns seq in the same statement, so concurrent adds never share one.
      const insert = (q: Kysely<Database>) =>
        q
          .insertInto('revocations')
          .values({
            kind: revocation.kind,
            value: revocation.value,
            at: revocation.at,
            expires_at: revocation.expiresAt,
          })
          .returning(eventColumns)
          .executeTakeFirstOrThrow();
      // Adds commit in seq order: a feed reader past seq 6 must never miss a late seq 5.
      return dialect.commitInSequence(db, insert);
    },

    async isRevoked({ jti, sid }, now) {
      // Kind and value together, matching the (kind, value) index: a sid never matches a jti.
      const row = await db
        .selectFrom('revocations')
        .select('seq')
        .where('expires_at', '>', now)
        .where((eb) => {
          const named = [eb.and([eb('kind', '=', 'jti'), eb('value', '=', jti)])];
          if (sid !== undefined) {
            named.push(eb.and([eb('kind', '=', 'sid'), eb('value', '=', sid)]));
          }
          return eb.or(named);
        })
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },

    async listSince(afterSeq, now) {
      return db
        .selectFrom('revocations')
        .select(eventColumns)
        .where('seq', '>', afterSeq)
        .where('expires_at', '>', now)
        .orderBy('seq')
        .execute();
    },

    async deleteExpired(now) {
      const result = await db
        .deleteFrom('revocations')
        .where('expires_at', '<=', now)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
