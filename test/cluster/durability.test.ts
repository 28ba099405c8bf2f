/**
 * DESIGN.md: bad luck is never a partial write. A `tessera serve` SIGKILLed in the middle of a
 * burst of sign-ups: every sign-up it answered 201 was committed, so it exists once the instance
 * is back — on PostgreSQL (a database of this run's own on the shared server) and on SQLite.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import pg from 'pg';
import { loadSqliteDriver } from '../../src/stores/sql/sqlite-driver.js';
import { skipOutsideCI } from '../helpers/ci.js';
import { killChildren } from './children.js';
import { ORIGIN, call, login, newEmail, newPassword } from './http.js';
import { tally } from './observe.js';
import { Tessera } from './tessera.js';
import { freshDatabase, serviceEnv, sharedServersAnswer, type FreshDatabase } from './shared.js';

const BURST = 50;
/** Stands for a 503 `busy` answer in the tally (refused before any write). */
const BUSY = -503;
const KILL_AFTER = 20;
/**
 * The default argon2id cost, not the tests' cheap one: each sign-up then takes tens of
 * milliseconds, so the kill lands with most of the burst still in flight.
 */
const SLOW_HASH = { TESSERA_ARGON2_MEMORY_KIB: '19456', TESSERA_ARGON2_ITERATIONS: '2' };

const postgresAvailable = await sharedServersAnswer();
const dir = mkdtempSync(join(tmpdir(), 'tessera-durability-'));
let database: FreshDatabase | undefined;
after(async () => {
  await killChildren();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Fires BURST concurrent sign-ups at a new instance and SIGKILLs it as soon as KILL_AFTER of them
 * were answered 201; then starts it again and logs in with every account that was answered 201.
 * `countUsers` says how many accounts the database holds afterwards.
 */
async function signupBurstThenKill(
  t: TestContext,
  label: string,
  env: Record<string, string>,
  countUsers: () => Promise<number>,
): Promise<void> {
  const instance = await Tessera.start(label, env);
  const password = newPassword();
  const emails = Array.from({ length: BURST }, () => newEmail('burst'));
  const created: string[] = [];
  const others: number[] = [];
  let killed: Promise<void> | undefined;
  let answeredBeforeKill = 0;
  await Promise.all(
    emails.map(async (email) => {
      const answer = await call(instance.url, '/auth/signup', {
        json: { email, password },
        origin: ORIGIN,
        timeoutMs: 15_000,
      });
      if (answer.status !== 201) {
        // A burst past the hashing queue (TESSERA_HASH_QUEUE) is refused before any write with
        // 503 `busy`: an honest answer, told apart from any other 503.
        const busy = answer.status === 503 && (answer.body as { code?: string })?.code === 'busy';
        others.push(busy ? BUSY : answer.status);
        return;
      }
      created.push(email);
      if (created.length === KILL_AFTER) {
        answeredBeforeKill = created.length;
        killed = instance.kill();
      }
    }),
  );
  await killed;
  assert.ok(
    killed,
    `the burst ended before ${KILL_AFTER} sign-ups were answered: ${tally(others)}`,
  );

  const again = await instance.restart(`${label} again`);
  const users = await countUsers();
  const observation = `${label}: ${created.length} answered 201 (kill sent after ${answeredBeforeKill}), the rest ${tally(others)} (0 = no answer, -503 = 503 busy); ${users} accounts in the database`;
  t.diagnostic(observation);
  console.log(observation);
  assert.ok(
    others.every((status) => status === 0 || status === BUSY),
    `only 201, 503 busy or no answer: ${tally(others)}`,
  );
  const missing: string[] = [];
  for (const email of created) {
    try {
      await login(again.url, email, password);
    } catch (error) {
      missing.push(`${email}: ${(error as Error).message}`);
    }
  }
  assert.deepEqual(missing, [], 'every sign-up answered 201 can log in after the restart');
  assert.ok(users >= created.length, `${users} accounts for ${created.length} answers`);
  // Anything committed but unanswered is a whole account, never half of one.
  const stray = await call(again.url, '/auth/signup', {
    json: { email: created[0], password },
    origin: ORIGIN,
  });
  assert.equal(stray.status, 409);
  await again.stop();
}

void describe(
  'sign-ups answered 201 survive an instance killed mid-burst',
  { timeout: 60_000 },
  () => {
    it(
      'on PostgreSQL',
      { skip: skipOutsideCI(!postgresAvailable && 'the shared PostgreSQL does not answer') },
      async (t) => {
        database = await freshDatabase();
        const url = database.url;
        await signupBurstThenKill(
          t,
          'PostgreSQL',
          serviceEnv({ TESSERA_DATABASE_URL: url, ...SLOW_HASH }),
          async () => {
            const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
            await client.connect();
            try {
              const { rows } = await client.query<{ n: string }>('select count(*) as n from users');
              return Number(rows[0]?.n);
            } finally {
              await client.end();
            }
          },
        );
      },
    );

    it('on SQLite', async (t) => {
      const path = join(dir, 'tessera.db');
      await signupBurstThenKill(
        t,
        'SQLite',
        serviceEnv({ TESSERA_DATABASE_URL: `sqlite:${path}`, ...SLOW_HASH }),
        async () => {
          const db = (await loadSqliteDriver()).open(path, { readonly: true });
          try {
            const rows = db.prepare('select count(*) as n from users').all([]);
            return (rows[0] as { n: number }).n;
          } finally {
            db.close();
          }
        },
      );
    });
  },
);
