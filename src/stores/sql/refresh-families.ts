import type { Kysely } from 'kysely';
import type { RefreshFamilyRecord, RefreshFamilyStore } from '../ports.js';
import type { Database } from './database.js';

const familyColumns = [
  'id',
  'user_id as userId',
  'client_id as clientId',
  'session_id as sessionId',
  'scope',
  'family_secret_hash as familySecretHash',
  'current_hash as currentHash',
  'generation',
  'previous_hash as previousHash',
  'rotated_at as rotatedAt',
  'rotated_in_grace as rotatedInGrace',
  'created_at as createdAt',
  'expires_at as expiresAt',
  'revoked_at as revokedAt',
  'revoked_reason as revokedReason',
] as const;

/** A row as selected, with SQL's 0/1 where the record has a boolean. */
type FamilyRow = Omit<RefreshFamilyRecord, 'rotatedInGrace'> & { rotatedInGrace: number };

function toRecord(row: FamilyRow | undefined): RefreshFamilyRecord | undefined {
  return row && { ...row, rotatedInGrace: row.rotatedInGrace === 1 };
}

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
          session_id: family.sessionId,
          scope: family.scope,
          family_secret_hash: family.familySecretHash,
          current_hash: family.currentHash,
          generation: family.generation,
          previous_hash: family.previousHash,
          rotated_at: family.rotatedAt,
          rotated_in_grace: family.rotatedInGrace ? 1 : 0,
          created_at: family.createdAt,
          expires_at: family.expiresAt,
          revoked_at: family.revokedAt,
          revoked_reason: family.revokedReason,
        })
        .execute();
    },

    async findById(id) {
      return toRecord(
        await db
          .selectFrom('refresh_families')
          .select(familyColumns)
          .where('id', '=', id)
          .executeTakeFirst(),
      );
    },

    async findByTokenHash(tokenHash) {
      return toRecord(
        await db
          .selectFrom('refresh_families')
          .select(familyColumns)
          .where((eb) =>
            eb.or([eb('current_hash', '=', tokenHash), eb('previous_hash', '=', tokenHash)]),
          )
          .executeTakeFirst(),
      );
    },

    async rotate(id, fromGeneration, newHash, now, options = {}) {
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
          rotated_in_grace: options.inGrace === true ? 1 : 0,
          ...(options.familySecretHash === undefined
            ? {}
            : { family_secret_hash: options.familySecretHash }),
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

    async revokeAllForClient(userId, clientId, reason, now) {
      const rows = await db
        .updateTable('refresh_families')
        .set({ revoked_at: now, revoked_reason: reason })
        .where('user_id', '=', userId)
        .where('client_id', '=', clientId)
        .where('revoked_at', 'is', null)
        .returning('id')
        .execute();
      return rows.map((row) => row.id);
    },

    async revokeAllForSession(sessionId, reason, now) {
      const rows = await db
        .updateTable('refresh_families')
        .set({ revoked_at: now, revoked_reason: reason })
        .where('session_id', '=', sessionId)
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

    async deleteAllForUser(userId) {
      const result = await db
        .deleteFrom('refresh_families')
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
