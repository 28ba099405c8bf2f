import type { Kysely } from 'kysely';
import type { RateLimitStore } from '../ports.js';
import type { Database } from './database.js';

/** A RateLimitStore over the `rate_limits` table: one upsert per hit. */
export function createSqlRateLimitStore(db: Kysely<Database>): RateLimitStore {
  return {
    async hit(key, windowMs, now) {
      const windowEnd = now + windowMs;
      // One statement, so concurrent hits serialize on the row and none is lost or counted
      // twice. In DO UPDATE the unqualified table refers to the row as it was before this hit.
      return db
        .insertInto('rate_limits')
        .values({ key, count: 1, reset_at: windowEnd })
        .onConflict((conflict) =>
          conflict.column('key').doUpdateSet((eb) => {
            const windowOver = eb('rate_limits.reset_at', '<=', now);
            return {
              count: eb
                .case()
                .when(windowOver)
                .then(1)
                .else(eb('rate_limits.count', '+', 1))
                .end(),
              reset_at: eb
                .case()
                .when(windowOver)
                .then(windowEnd)
                .else(eb.ref('rate_limits.reset_at'))
                .end(),
            };
          }),
        )
        .returning(['count', 'reset_at as resetAt'])
        .executeTakeFirstOrThrow();
    },

    async reset(key) {
      await db.deleteFrom('rate_limits').where('key', '=', key).execute();
    },

    async deleteExpired(now) {
      // `<=` as in hit: a window ends at reset_at itself.
      const result = await db
        .deleteFrom('rate_limits')
        .where('reset_at', '<=', now)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
