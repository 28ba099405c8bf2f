import { precompiled } from './precompiled.js';
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
  // The uncached session check's one query, on every request that misses the near cache.
  const sessionWithUser = precompiled(db, 1, (secretHash: string) =>
    db
      .selectFrom('sessions')
      .leftJoin('users', 'users.id', 'sessions.user_id')
      .select([
        'sessions.id as id',
        'sessions.secret_hash as secretHash',
        'sessions.user_id as userId',
        'sessions.created_at as createdAt',
        'sessions.last_seen_at as lastSeenAt',
        'sessions.absolute_expires_at as absoluteExpiresAt',
        'sessions.user_agent as userAgent',
        'sessions.ip as ip',
        'sessions.csrf_secret as csrfSecret',
        'users.id as u_id',
        'users.email as u_email',
        'users.password_hash as u_passwordHash',
        'users.created_at as u_createdAt',
        'users.tokens_valid_after as u_tokensValidAfter',
        'users.role as u_role',
        'users.disabled_at as u_disabledAt',
        'users.email_verified_at as u_emailVerifiedAt',
      ])
      .where('sessions.secret_hash', '=', secretHash),
  );
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

    // One query: the session's check needs both, and a round trip costs more than the join.
    async findBySecretHashWithUser(secretHash) {
      const [row] = await sessionWithUser(secretHash);
      if (row === undefined) return undefined;
      const { u_id, u_email, u_passwordHash, u_createdAt, u_tokensValidAfter, u_role } = row;
      const session = {
        id: row.id,
        secretHash: row.secretHash,
        userId: row.userId,
        createdAt: row.createdAt,
        lastSeenAt: row.lastSeenAt,
        absoluteExpiresAt: row.absoluteExpiresAt,
        userAgent: row.userAgent,
        ip: row.ip,
        csrfSecret: row.csrfSecret,
      };
      if (
        u_id === null ||
        u_email === null ||
        u_passwordHash === null ||
        u_createdAt === null ||
        u_tokensValidAfter === null ||
        u_role === null
      ) {
        return { session, user: undefined };
      }
      const user = {
        id: u_id,
        email: u_email,
        passwordHash: u_passwordHash,
        createdAt: u_createdAt,
        tokensValidAfter: u_tokensValidAfter,
        role: u_role,
        disabledAt: row.u_disabledAt,
        emailVerifiedAt: row.u_emailVerifiedAt,
      };
      return { session, user };
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
