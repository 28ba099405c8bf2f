import type { Kysely } from 'kysely';
import type { RefreshFamilyStore } from '../ports.js';
import type { Database } from './database.js';

const familyColumns = [
  'id',
  'user_id as userId',
  'client_id as clientId',
  'scope',
  'current_hash as currentHash',
  'generation',
  'previous_hash as previousHash',
  'rotated_at as rotatedAt',
  'created_at as createdAt',
  'expires_at as expiresAt',
  'revoked_at as revokedAt',
  'revoked_reason as revokedReason',
] as const;

/** A RefreshFamilyStore over the `refresh_families` table. */
export function createSqlRefreshFamilyStore(db: Kysely<Database>): RefreshFamilyStore {
  return {
    async insert(family) {
      await db
        .insertInto('refresh_families')
        .values({
          id: family.id,
          user_id: family.userId,
          client_id: family.clientId,
          scope: family.scope,
          current_hash: family.currentHash,
          generation: family.generation,
          previous_hash: family.previousHash,
          rotated_at: family.rotatedAt,
          created_at: family.createdAt,
          expires_at: family.expiresAt,
          revoked_at: family.revokedAt,
          revoked_reason: family.revokedReason,
        })
        .execute();
    },

    async findById(id) {
      return db
        .selectFrom('refresh_families')
        .select(familyColumns)
        .where('id', '=', id)
        .executeTakeFirst();
    },

    async findByTokenHash(tokenHash) {
      return db
        .selectFrom('refresh_families')
        .select(familyColumns)
        .where((eb) =>
          eb.or([eb('current_hash', '=', tokenHash), eb('previous_hash', '=', tokenHash)]),
        )
        .executeTakeFirst();
    },

    async rotate(id, fromGeneration, newHash, now) {
      // One compare-and-set statement, never a read then a write: of two refreshes racing from
      // one generation, PostgreSQL makes the second re-check the WHERE against the first's row
      // and SQLite runs them one after the other, so exactly one matches and the family never
      // forks. In SET, column references read the row as it was before this update.
      const result = await db
        .updateTable('refresh_families')
        .set((eb) => ({
          previous_hash: eb.ref('current_hash'),
          current_hash: newHash,
          generation: eb('generation', '+', 1),
          rotated_at: now,
        }))
        .where('id', '=', id)
        .where('generation', '=', fromGeneration)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async revoke(id, reason, now) {
      // `revoked_at is null` in the statement keeps the first reason and time, race or not.
      const result = await db
        .updateTable('refresh_families')
        .set({ revoked_at: now, revoked_reason: reason })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async revokeAllForUser(userId, reason, now) {
      const rows = await db
        .updateTable('refresh_families')
        .set({ revoked_at: now, revoked_reason: reason })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .returning('id')
        .execute();
      return rows.map((row) => row.id);
    },

    async deleteExpired(now) {
      const result = await db
        .deleteFrom('refresh_families')
        .where('expires_at', '<=', now)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
