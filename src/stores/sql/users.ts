import type { Kysely } from 'kysely';
import type { UserStore } from '../ports.js';
import type { Database } from './database.js';

const userColumns = [
  'id',
  'email',
  'password_hash as passwordHash',
  'created_at as createdAt',
  'tokens_valid_after as tokensValidAfter',
] as const;

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
  };
}
