import type { Kysely } from 'kysely';
import type { UserStore } from '../ports.js';
import type { Database } from './database.js';

const userColumns = [
  'id',
  'email',
  'password_hash as passwordHash',
  'created_at as createdAt',
  'tokens_valid_after as tokensValidAfter',
  'role',
  'disabled_at as disabledAt',
  'email_verified_at as emailVerifiedAt',
] as const;

/** The most users one search returns, whatever the caller asks (as the memory adapter). */
const SEARCH_MAX = 1000;

/**
 * The least string greater than every string starting with `prefix`, for a range scan of the
 * email index (`LIKE` would need case_sensitive_like on SQLite and text_pattern_ops on
 * PostgreSQL to use it). Emails are ASCII, so bumping the last character is exact.
 */
function prefixEnd(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

/** A UserStore over the `users` table. */
export function createSqlUserStore(db: Kysely<Database>): UserStore {
  return {
    async insert(user) {
      // The unique index decides, in one statement: two concurrent sign-ups cannot both pass a
      // check. DO NOTHING (rather than catching the violation) works alike on both dialects and
      // leaves a surrounding PostgreSQL transaction usable. A reused id still throws.
      const inserted = await db
        .insertInto('users')
        .values({
          id: user.id,
          email: user.email,
          password_hash: user.passwordHash,
          created_at: user.createdAt,
          tokens_valid_after: user.tokensValidAfter,
          role: user.role,
          disabled_at: user.disabledAt,
          email_verified_at: user.emailVerifiedAt,
        })
        .onConflict((conflict) => conflict.column('email').doNothing())
        .returning('id')
        .executeTakeFirst();
      return inserted === undefined ? 'email_taken' : 'created';
    },

    async findById(id) {
      return db.selectFrom('users').select(userColumns).where('id', '=', id).executeTakeFirst();
    },

    async findByEmail(email) {
      return db
        .selectFrom('users')
        .select(userColumns)
        .where('email', '=', email)
        .executeTakeFirst();
    },

    async setPasswordHash(id, passwordHash) {
      const result = await db
        .updateTable('users')
        .set({ password_hash: passwordHash })
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async setTokensValidAfter(id, at) {
      // Compared in the statement, not read first, so a concurrent smaller cutoff cannot win.
      const result = await db
        .updateTable('users')
        .set((eb) => ({
          tokens_valid_after: eb
            .case()
            .when('tokens_valid_after', '<', at)
            .then(at)
            .else(eb.ref('tokens_valid_after'))
            .end(),
        }))
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async setRole(id, role) {
      const result = await db
        .updateTable('users')
        .set({ role })
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async setDisabledAt(id, at) {
      const result = await db
        .updateTable('users')
        .set({ disabled_at: at })
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async setEmailVerifiedAt(id, at) {
      const result = await db
        .updateTable('users')
        .set({ email_verified_at: at })
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async delete(id) {
      const result = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async search({ emailPrefix, after, limit }) {
      // Emails are stored lower-cased, so lower-casing the prefix makes the search case-blind.
      const prefix = emailPrefix?.toLowerCase() ?? '';
      const take = Math.max(0, Math.min(Math.floor(limit), SEARCH_MAX));
      if (take === 0) return [];
      let query = db.selectFrom('users').select(userColumns);
      if (prefix !== '') {
        query = query.where('email', '>=', prefix).where('email', '<', prefixEnd(prefix));
      }
      if (after !== undefined) query = query.where('email', '>', after);
      // The email column compares bytes in both dialects (0008), so this order is the index's.
      return query.orderBy('email').limit(take).execute();
    },

    async count() {
      const row = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
