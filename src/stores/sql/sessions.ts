import type { Kysely } from 'kysely';
import type { SessionStore } from '../ports.js';
import type { Database } from './database.js';

const sessionColumns = [
  'id',
  'secret_hash as secretHash',
  'user_id as userId',
  'created_at as createdAt',
  'last_seen_at as lastSeenAt',
  'absolute_expires_at as absoluteExpiresAt',
  'user_agent as userAgent',
  'ip',
  'csrf_secret as csrfSecret',
] as const;

/** A SessionStore over the `sessions` table. */
export function createSqlSessionStore(db: Kysely<Database>): SessionStore {
  return {
    async insert(session) {
      await db
        .insertInto('sessions')
        .values({
          id: session.id,
          secret_hash: session.secretHash,
          user_id: session.userId,
          created_at: session.createdAt,
          last_seen_at: session.lastSeenAt,
          absolute_expires_at: session.absoluteExpiresAt,
          user_agent: session.userAgent,
          ip: session.ip,
          csrf_secret: session.csrfSecret,
        })
        .execute();
    },

    async findBySecretHash(secretHash) {
      return db
        .selectFrom('sessions')
        .select(sessionColumns)
        .where('secret_hash', '=', secretHash)
        .executeTakeFirst();
    },

    async touch(userId, id, lastSeenAt) {
      await db
        .updateTable('sessions')
        .set({ last_seen_at: lastSeenAt })
        .where('id', '=', id)
        .where('user_id', '=', userId)
        // Compared in the statement: a late, older touch must not shorten the idle expiry.
        .where('last_seen_at', '<', lastSeenAt)
        .execute();
    },

    async listByUser(userId) {
      return db
        .selectFrom('sessions')
        .select(sessionColumns)
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
    },

    async deleteForUser(userId, id) {
      // Both keys in one statement: a user can never revoke a session that is not theirs.
      const result = await db
        .deleteFrom('sessions')
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async deleteAllForUser(userId, exceptId) {
      let query = db.deleteFrom('sessions').where('user_id', '=', userId);
      if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async deleteExpired(now, idleMs) {
      // `last_seen_at <= now - idleMs` is `last_seen_at + idleMs <= now` with the column bare.
      const result = await db
        .deleteFrom('sessions')
        .where((eb) =>
          eb.or([eb('absolute_expires_at', '<=', now), eb('last_seen_at', '<=', now - idleMs)]),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
