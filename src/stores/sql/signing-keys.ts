import type { Kysely, Transaction } from 'kysely';
import type { SigningKeyRecord, SigningKeyStore } from '../ports.js';
import type { Database } from './database.js';
import type { SqlCapabilities } from './dialects/capabilities.js';

const keyColumns = [
  'kid',
  'alg',
  'public_jwk as publicJwk',
  'private_key as privateKey',
  'state',
  'created_at as createdAt',
  'activates_at as activatesAt',
  'rotated_at as rotatedAt',
] as const;

type Trx = Transaction<Database>;

/** A SigningKeyStore over the `signing_keys` table. */
export function createSqlSigningKeyStore(
  db: Kysely<Database>,
  dialect: SqlCapabilities,
): SigningKeyStore {
  /**
   * Runs a change of key states as one serialized writer: two writers that each missed the
   * other's uncommitted key would fail one on the partial unique indexes. Readers (list, the
   * JWKS) are not blocked. Where the lock is the database's own write lock (SQLite), the
   * caller's first statement is a write, which takes it at once, where a read first could meet
   * SQLITE_BUSY on upgrade.
   */
  const change = <T>(run: (trx: Trx) => Promise<T>): Promise<T> =>
    db.transaction().execute(async (trx) => {
      await dialect.lockForWriters(trx, 'signing_keys');
      return run(trx);
    });

  const insert = (trx: Trx, key: SigningKeyRecord, row: Pick<SigningKeyRecord, 'state'>) =>
    trx
      .insertInto('signing_keys')
      .values({
        kid: key.kid,
        alg: key.alg,
        public_jwk: key.publicJwk,
        private_key: key.privateKey,
        state: row.state,
        created_at: key.createdAt,
        activates_at: key.activatesAt,
        rotated_at: null,
      })
      .execute();

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
      await change(async (trx) => {
        // Demoting first leaves room for the new key in the one-active index.
        await trx
          .updateTable('signing_keys')
          .set({ state: 'verify-only', rotated_at: now })
          .where('state', 'in', ['active', 'next'])
          .execute();
        await insert(trx, { ...key, activatesAt: now }, { state: 'active' });
      });
    },

    async schedule(key) {
      return change(async (trx) => {
        await takeWriteLock(trx);
        const pending = await trx
          .selectFrom('signing_keys')
          .select(keyColumns)
          .where('state', '=', 'next')
          .executeTakeFirst();
        if (pending !== undefined) {
          // A reused kid is refused here too, as the insert below would refuse it.
          const reused = await trx
            .selectFrom('signing_keys')
            .select('kid')
            .where('kid', '=', key.kid)
            .executeTakeFirst();
          if (reused !== undefined) throw new Error(`signing key ${key.kid} already exists`);
          return pending;
        }
        await insert(trx, key, { state: 'next' });
        return { ...key, state: 'next', rotatedAt: null };
      });
    },

    async promote(now) {
      return change(async (trx) => {
        await takeWriteLock(trx);
        const due = await trx
          .selectFrom('signing_keys')
          .select(['kid', 'activates_at'])
          .where('state', '=', 'next')
          .where('activates_at', '<=', now)
          .orderBy('activates_at', 'desc')
          .orderBy('created_at', 'desc')
          .orderBy('kid', 'desc')
          .executeTakeFirst();
        if (due === undefined) return undefined;
        await trx
          .updateTable('signing_keys')
          .set({ state: 'verify-only', rotated_at: due.activates_at })
          .where('state', 'in', ['active', 'next'])
          .where('kid', '!=', due.kid)
          .where('activates_at', '<=', due.activates_at)
          .execute();
        await trx
          .updateTable('signing_keys')
          .set({ state: 'active' })
          .where('kid', '=', due.kid)
          .execute();
        return due.kid;
      });
    },

    async activateAlone(key, now) {
      return change(async (trx) => {
        const retired = await trx
          .updateTable('signing_keys')
          .set((eb) => ({
            state: 'retired',
            rotated_at: eb.fn.coalesce('rotated_at', eb.val(now)),
          }))
          .where('state', '!=', 'retired')
          .returning('kid')
          .execute();
        await insert(trx, { ...key, activatesAt: now }, { state: 'active' });
        return retired.map((row) => row.kid).sort();
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

/**
 * A write that changes nothing, first in a transaction that reads before it writes: SQLite takes
 * its write lock at the first write, so two such transactions could otherwise read the same state
 * (see `change`).
 */
async function takeWriteLock(trx: Transaction<Database>): Promise<void> {
  await trx
    .updateTable('signing_keys')
    .set({ state: 'next' })
    .where('state', '=', 'next')
    .execute();
}
