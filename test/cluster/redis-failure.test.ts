/**
 * DESIGN.md: where a cache cannot be trusted or the store is down, Tessera fails closed — it
 * refuses what it cannot check. Two instances on a redis-server this file starts on a free
 * loopback port (never the shared one), SIGKILLed mid-run and started again on the same port;
 * durable state stays on a database of this run's own on the shared PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, killChildren, waitFor } from './children.js';
import {
  FIRST_PARTY_CLIENT,
  asBrowser,
  bearerStatus,
  call,
  login,
  metric,
  newEmail,
  newPassword,
  sessionStatus,
  show,
  signup,
  tokenLogin,
  type Answer,
  type AppTokens,
  type BrowserSession,
} from './http.js';
import { load, tally, watch } from './observe.js';
import { RedisServer, installed } from './store-servers.js';
import { Tessera } from './tessera.js';
import { skipOutsideCI } from '../helpers/ci.js';
import { freshDatabase, serviceEnv, sharedServersAnswer, type FreshDatabase } from './shared.js';

const available = installed('redis-server') && (await sharedServersAnswer());

let database: FreshDatabase | undefined;
let redis: RedisServer | undefined;
after(async () => {
  await killChildren();
  await redis?.destroy();
  await database?.drop();
});

/** Whether `answer` is the fail-closed answer: 503 with code store_unavailable. */
function isUnavailable(answer: Answer): boolean {
  return answer.status === 503 && (answer.body as { code?: string }).code === 'store_unavailable';
}

void describe(
  'Redis goes away and comes back',
  {
    skip: skipOutsideCI(!available && 'no redis-server, or the shared PostgreSQL does not answer'),
    timeout: 60_000,
  },
  () => {
    let a: Tessera;
    let b: Tessera;
    const account = { email: newEmail(), password: newPassword() };
    /** Revoked on A just before the kill. */
    let revokedBefore: BrowserSession;
    /** Revoked on A while Redis is being killed. */
    let revokedDuring: BrowserSession;
    /** Never revoked, cached on both instances. */
    let kept: BrowserSession;
    let tokens: AppTokens;

    before(async () => {
      database = await freshDatabase();
      redis = new RedisServer(await freePort());
      const redisMs = await redis.start();
      const env = serviceEnv({ TESSERA_DATABASE_URL: database.url, TESSERA_REDIS_URL: redis.url });
      a = await Tessera.start('A', env);
      b = await Tessera.start('B', env);
      console.log(
        `startup: redis-server ${redisMs.toFixed(0)} ms, A ${a.startupMs.toFixed(0)} ms, B ${b.startupMs.toFixed(0)} ms`,
      );

      await signup(a.url, account.email, account.password);
      revokedBefore = await login(a.url, account.email, account.password);
      revokedDuring = await login(a.url, account.email, account.password);
      kept = await login(b.url, account.email, account.password);
      tokens = await tokenLogin(a.url, account.email, account.password);
      for (const [base, session] of [
        [b.url, revokedBefore],
        [b.url, revokedDuring],
        [b.url, kept],
        [a.url, kept],
      ] as const) {
        for (let i = 0; i < 3; i += 1) assert.equal(await sessionStatus(base, session), 200);
      }
      assert.ok(
        (await metric(b.url, 'tessera_session_cache_hits')) >= 4,
        'B serves from its near cache',
      );
    });

    it('a session revoked just before the kill, or while it happens, is never accepted while Redis is away', async (t) => {
      const out = await call(
        a.url,
        '/auth/session',
        asBrowser(revokedBefore, { method: 'DELETE' }),
      );
      assert.equal(out.status, 204, show(out));
      const killed = performance.now();
      const [during] = await Promise.all([
        call(a.url, '/auth/session', asBrowser(revokedDuring, { method: 'DELETE' })),
        redis?.kill(),
      ]);
      t.diagnostic(`the revocation racing the kill answered ${show(during)}`);
      assert.ok([204, 503].includes(during.status), `racing revocation: ${show(during)}`);
      assert.ok(a.alive && b.alive, 'both instances alive');

      const [beforeOnB, duringOnB, keptOnB, keptOnA] = await Promise.all([
        watch(1000, () => sessionStatus(b.url, revokedBefore)),
        watch(1000, () => sessionStatus(b.url, revokedDuring)),
        watch(1000, () => sessionStatus(b.url, kept)),
        watch(1000, () => sessionStatus(a.url, kept)),
      ]);
      const seen = `revoked before: ${tally(beforeOnB)}; revoked during: ${tally(duringOnB)}; kept on B: ${tally(keptOnB)}; kept on A: ${tally(keptOnA)}`;
      console.log(`Redis killed ${(performance.now() - killed).toFixed(0)} ms ago — ${seen}`);
      assert.ok(
        !beforeOnB.includes(200),
        `the session revoked before the kill was accepted: ${seen}`,
      );
      assert.ok(
        !duringOnB.includes(200),
        `the session revoked during the kill was accepted: ${seen}`,
      );
      // Not revoked, but no longer checkable: the near cache is not trusted without the bus.
      assert.ok(
        !keptOnB.includes(200) && !keptOnA.includes(200),
        `unchecked session accepted: ${seen}`,
      );
      for (const statuses of [beforeOnB, duringOnB, keptOnB, keptOnA]) {
        assert.ok(
          statuses.every((status) => status === 503),
          seen,
        );
      }
    });

    it('while Redis is away: /readyz, session checks, cookie writes, logins and sign-ups answer 503 at once, never 200 or 500', async (t) => {
      const requests: [string, () => Promise<Answer>][] = [
        ['A /readyz', () => call(a.url, '/readyz')],
        ['B /readyz', () => call(b.url, '/readyz')],
        ['B GET /auth/session', () => call(b.url, '/auth/session', { cookie: kept.cookie })],
        ['B GET /auth/me by cookie', () => call(b.url, '/auth/me', { cookie: kept.cookie })],
        [
          'A DELETE /auth/session',
          () => call(a.url, '/auth/session', asBrowser(kept, { method: 'DELETE' })),
        ],
        [
          'A DELETE /auth/sessions',
          () => call(a.url, '/auth/sessions', asBrowser(kept, { method: 'DELETE' })),
        ],
        ['B POST /auth/session', () => call(b.url, '/auth/session', { json: account })],
        ['A POST /auth/token', () => call(a.url, '/auth/token', { json: account })],
        [
          'A POST /auth/signup',
          () =>
            call(a.url, '/auth/signup', { json: { email: newEmail(), password: newPassword() } }),
        ],
      ];
      for (const [name, request] of requests) {
        const started = performance.now();
        const answer = await request();
        const ms = performance.now() - started;
        t.diagnostic(`${name}: ${answer.status} in ${ms.toFixed(0)} ms`);
        assert.ok(isUnavailable(answer), `${name}: ${show(answer)}`);
        assert.ok(ms < 3000, `${name} took ${ms.toFixed(0)} ms`);
      }
    });

    it('while Redis is away, bearer tokens are still checked against SQL: accepted, and refused at once once revoked', async () => {
      assert.equal(await bearerStatus(b.url, tokens.access), 200);
      const revoke = await call(a.url, '/oauth/revoke', {
        form: { token: tokens.access, client_id: FIRST_PARTY_CLIENT },
      });
      assert.equal(revoke.status, 200, show(revoke));
      assert.equal(await bearerStatus(b.url, tokens.access), 401);
      assert.equal(await bearerStatus(a.url, tokens.access), 401);
    });

    it('Redis back on the same port: both instances recover by themselves within seconds; old sessions are gone, new ones work and are revoked across instances again', async (t) => {
      assert.ok(a.alive && b.alive, 'both instances survived the outage');
      const restarted = performance.now();
      await redis?.start();
      for (const [name, instance] of [
        ['A', a],
        ['B', b],
      ] as const) {
        const { ms } = await waitFor(
          `${name} to be ready`,
          async () => ((await call(instance.url, '/readyz')).status === 200 ? true : undefined),
          { timeoutMs: 10_000, everyMs: 25 },
        );
        t.diagnostic(
          `${name} ready ${(performance.now() - restarted).toFixed(0)} ms after the restart began (${ms.toFixed(0)} ms polling)`,
        );
        console.log(
          `Redis restarted: ${name} ready after ${(performance.now() - restarted).toFixed(0)} ms`,
        );
      }
      // The dead Redis kept nothing: the sessions it held are unknown now, not unavailable.
      for (const session of [kept, revokedBefore, revokedDuring]) {
        const { value } = await waitFor(
          'a session answer other than 503',
          async () => {
            const status = await sessionStatus(b.url, session);
            return status === 503 ? undefined : status;
          },
          { timeoutMs: 10_000, everyMs: 25 },
        );
        assert.equal(value, 401);
      }

      const fresh = await login(b.url, account.email, account.password);
      // A caches it again, which it does only once its bus is subscribed again (its readiness
      // only pings the command connection)…
      const { ms: cachingAfter } = await waitFor(
        "A's near cache to serve again",
        async () => {
          const hits = await metric(a.url, 'tessera_session_cache_hits');
          for (let i = 0; i < 2; i += 1) assert.equal(await sessionStatus(a.url, fresh), 200);
          return (await metric(a.url, 'tessera_session_cache_hits')) > hits ? true : undefined;
        },
        { timeoutMs: 5000, everyMs: 25 },
      );
      t.diagnostic(`A's near cache served again ${cachingAfter.toFixed(0)} ms after the new login`);
      // …and hears a revocation made on B.
      const out = await call(b.url, '/auth/session', asBrowser(fresh, { method: 'DELETE' }));
      assert.equal(out.status, 204, show(out));
      const { ms } = await waitFor(
        'A to refuse the session revoked on B',
        async () => ((await sessionStatus(a.url, fresh)) === 401 ? true : undefined),
        { timeoutMs: 2000, everyMs: 5 },
      );
      t.diagnostic(`after the outage, A refused a session revoked on B within ${ms.toFixed(1)} ms`);
      // DESIGN's "within about a second" (the diagnostic shows the real figure; timed bounds
      // flake on a loaded 2-core machine).
      assert.ok(ms < 1000, `A accepted the revoked session for ${ms.toFixed(1)} ms`);
    });

    it('Redis killed under traffic: the requests it catches answer 503, never 500, every instance keeps running and recovers again', async () => {
      const session = await login(a.url, account.email, account.password);
      const app = await tokenLogin(b.url, account.email, account.password);
      const traffic = load([
        () => sessionStatus(a.url, session),
        () => sessionStatus(b.url, session),
        () => call(a.url, '/auth/session', { json: account }).then((answer) => answer.status),
        () => call(b.url, '/auth/token', { json: account }).then((answer) => answer.status),
        () => bearerStatus(a.url, app.access),
      ]);
      await sleep(300);
      await redis?.kill();
      await sleep(700);
      const statuses = await traffic.stop();
      const deaths = [a, b]
        .filter((instance) => !instance.alive)
        .map((instance) => `${instance.child.name} exited (${instance.child.describeExit()})`);
      const seen = `${tally(statuses)}${deaths.length > 0 ? `; ${deaths.join('; ')}` : ''}`;
      console.log(`Redis killed under traffic: ${seen}`);
      assert.deepEqual(deaths, [], seen);
      assert.ok(
        statuses.every((status) => [200, 503].includes(status)),
        seen,
      );

      await redis?.start();
      for (const instance of [a, b]) {
        await waitFor(
          `${instance.child.name} to be ready again`,
          async () => ((await call(instance.url, '/readyz')).status === 200 ? true : undefined),
          { timeoutMs: 10_000, everyMs: 25 },
        );
      }
      await login(b.url, account.email, account.password);
    });
  },
);
