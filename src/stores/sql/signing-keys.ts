import { sql, type Kysely } from 'kysely';
import type { SigningKeyStore } from '../ports.js';
import type { SqlDialect } from './connect.js';
import type { Database } from './database.js';

const keyColumns = [
  'kid',
  'alg',
  'public_jwk as publicJwk',
  'private_key as privateKey',
  'state',
  'created_at as createdAt',
  'rotated_at as rotatedAt',
] as const;

/** A SigningKeyStore over the `signing_keys` table. */
export function createSqlSigningKeyStore(
  db: Kysely<Database>,
  dialect: SqlDialect,
): SigningKeyStore {
  return {
    async list() {
      return db
        .selectFrom('signing_keys')
        .select(keyColumns)
        .orderBy('created_at')
        .orderBy('kid')
        .execute();
    },

    async activate(key, now) {
      await db.transaction().execute(async (trx) => {
        if (dialect === 'postgres') {
          // Under READ COMMITTED two activations would each miss the other's uncommitted key and
          // both stay active (the partial unique index would then fail one). This mode conflicts
          // with itself, so activations queue, while readers (list, the JWKS) are not blocked.
          const table = sql.table('signing_keys');
          await sql`lock table ${table} in share row exclusive mode`.execute(trx);
        }
        // SQLite: writing first takes the write lock at once, where a read first could meet
        // SQLITE_BUSY on upgrade. Demoting first leaves room for the new key in the index.
        await trx
          .updateTable('signing_keys')
          .set({ state: 'verify-only', rotated_at: now })
          .where('state', '=', 'active')
          .execute();
        await trx
          .insertInto('signing_keys')
          .values({
            kid: key.kid,
            alg: key.alg,
            public_jwk: key.publicJwk,
            private_key: key.privateKey,
            state: 'active',
            created_at: key.createdAt,
            rotated_at: null,
          })
          .execute();
      });
    },

    async retire(rotatedBefore) {
      const rows = await db
        .updateTable('signing_keys')
        .set({ state: 'retired' })
        .where('state', '=', 'verify-only')
        .where('rotated_at', '<', rotatedBefore)
        .returning('kid')
        .execute();
      return rows.map((row) => row.kid);
    },
  };
}
