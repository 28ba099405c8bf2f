/**
 * DESIGN.md "Scale": N Tessera instances on one PostgreSQL and one Redis behave as one service.
 * Two `tessera serve` processes, A and B, on a database and a Redis key prefix of this run's own
 * (on the shared servers): what one instance does, the other knows — sessions, revocations,
 * signing keys and rate limits.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { killChildren, waitFor } from './children.js';
import {
  FIRST_PARTY_CLIENT,
  asBrowser,
  bearerStatus,
  call,
  kidOf,
  kidsOf,
  login,
  metric,
  newAccount,
  newPassword,
  sessionCookie,
  sessionStatus,
  show,
  tokenLogin,
  type BrowserSession,
} from './http.js';
import { SharedServices, sharedServersAnswer } from './shared.js';
import { Tessera, tesseraCommand } from './tessera.js';
import { skipOutsideCI } from '../helpers/ci.js';

/**
 * How soon another instance must refuse a revoked session: DESIGN's "within about a second". It is
 * about at once on an idle machine (the diagnostics print the latency); the bound is loose because
 * timed assertions flake on a loaded 2-core machine (132 ms was seen at load average 16).
 */
const REVOCATION_BOUND_MS = 1000;

const available = await sharedServersAnswer();

const services = new SharedServices();
const latencies: { what: string; ms: number }[] = [];

after(async () => {
  await killChildren();
  await services.remove();
  if (latencies.length > 0) {
    const list = latencies.map(({ what, ms }) => `${what}: ${ms.toFixed(1)} ms`).join('; ');
    console.log(`cross-instance revocation latency: ${list}`);
  }
});

/**
 * Checks the session on `base` a few times so that the instance serves it from its near cache,
 * and proves it did with the instance's cache-hit metric.
 */
async function warmNearCache(base: string, session: BrowserSession): Promise<void> {
  const hitsBefore = await metric(base, 'tessera_session_cache_hits');
  for (let i = 0; i < 4; i += 1) assert.equal(await sessionStatus(base, session), 200);
  const hits = (await metric(base, 'tessera_session_cache_hits')) - hitsBefore;
  assert.ok(hits >= 3, `the near cache served ${hits} of 4 checks`);
}

/**
 * Polls `check` every 5 ms from `since` (when the revocation was answered) until it answers 401;
 * resolves with how long that took. Any answer but 200 and 401 fails at once.
 */
async function refusedAfter(
  t: TestContext,
  what: string,
  since: number,
  check: () => Promise<number>,
): Promise<number> {
  const accepted: number[] = [];
  for (;;) {
    const status = await check();
    const ms = performance.now() - since;
    if (status === 401) {
      latencies.push({ what, ms });
      t.diagnostic(`${what}: refused after ${ms.toFixed(1)} ms (${accepted.length} accepted)`);
      return ms;
    }
    assert.equal(status, 200, `${what}: unexpected ${status}`);
    accepted.push(ms);
    if (ms > 2000) assert.fail(`${what}: still accepted ${ms.toFixed(0)} ms after the revocation`);
    await sleep(5);
  }
}

void describe(
  'one service on two instances (shared PostgreSQL and Redis)',
  {
    skip: skipOutsideCI(!available && 'the shared PostgreSQL or Redis does not answer'),
    timeout: 90_000,
  },
  () => {
    let a: Tessera;
    let b: Tessera;
    let env: Record<string, string>;

    before(async () => {
      // Any re-use of a rotated refresh token is theft, at once.
      env = await services.create({ TESSERA_REFRESH_GRACE_SECONDS: '0' });
      // A first, so the schema and the first signing key exist before B starts (starting
      // together is first-start.test.ts).
      a = await Tessera.start('A', env);
      b = await Tessera.start('B', env);
      console.log(`startup: A ${a.startupMs.toFixed(0)} ms, B ${b.startupMs.toFixed(0)} ms`);
    });

    it('a session created on A works on B, for reads and for cookie writes', async () => {
      const account = await newAccount(a.url);
      const session = await login(a.url, account.email, account.password);
      const onB = await call(b.url, '/auth/session', { cookie: session.cookie });
      assert.equal(onB.status, 200, show(onB));
      assert.equal((onB.body as { user: { email: string } }).user.email, account.email);
      const me = await call(b.url, '/auth/me', { cookie: session.cookie });
      assert.equal((me.body as { via: string }).via, 'session');
      const list = await call(b.url, '/auth/sessions', { cookie: session.cookie });
      const rows = (list.body as { sessions: { id: string; current: boolean }[] }).sessions;
      assert.deepEqual(
        rows.map((row) => [row.id, row.current]),
        [[session.id, true]],
      );
      // A cookie write on B with the CSRF token A handed out: one session, wherever it is used.
      const other = await login(b.url, account.email, account.password);
      const revoke = await call(
        b.url,
        `/auth/sessions/${other.id}`,
        asBrowser(session, { method: 'DELETE' }),
      );
      assert.equal(revoke.status, 204, show(revoke));
      assert.equal(await sessionStatus(a.url, other), 401);
    });

    it('log out (DELETE /auth/session) on A: B refuses the session it had cached within a second', async (t) => {
      const account = await newAccount(a.url);
      const session = await login(a.url, account.email, account.password);
      await warmNearCache(b.url, session);
      const out = await call(a.url, '/auth/session', asBrowser(session, { method: 'DELETE' }));
      assert.equal(out.status, 204, show(out));
      const ms = await refusedAfter(t, 'DELETE /auth/session', performance.now(), () =>
        sessionStatus(b.url, session),
      );
      assert.ok(ms < REVOCATION_BOUND_MS, `B accepted the session for ${ms.toFixed(1)} ms`);
    });

    it('DELETE /auth/sessions/{id} on A: B refuses that session within a second, keeps the caller', async (t) => {
      const account = await newAccount(a.url);
      const caller = await login(a.url, account.email, account.password);
      const victim = await login(b.url, account.email, account.password);
      await warmNearCache(b.url, victim);
      await warmNearCache(b.url, caller);
      const out = await call(
        a.url,
        `/auth/sessions/${victim.id}`,
        asBrowser(caller, { method: 'DELETE' }),
      );
      assert.equal(out.status, 204, show(out));
      const ms = await refusedAfter(t, 'DELETE /auth/sessions/{id}', performance.now(), () =>
        sessionStatus(b.url, victim),
      );
      assert.ok(ms < REVOCATION_BOUND_MS, `B accepted the session for ${ms.toFixed(1)} ms`);
      assert.equal(await sessionStatus(b.url, caller), 200);
    });

    it('log out everywhere on A: B refuses every other session within a second, and the access tokens at once', async (t) => {
      const account = await newAccount(a.url);
      const caller = await login(a.url, account.email, account.password);
      const others = [
        await login(a.url, account.email, account.password),
        await login(b.url, account.email, account.password),
      ];
      const tokens = await tokenLogin(b.url, account.email, account.password);
      for (const session of [caller, ...others]) await warmNearCache(b.url, session);
      assert.equal(await bearerStatus(b.url, tokens.access), 200);

      const out = await call(a.url, '/auth/sessions', asBrowser(caller, { method: 'DELETE' }));
      assert.equal(out.status, 204, show(out));
      const since = performance.now();
      assert.equal(await bearerStatus(b.url, tokens.access), 401, 'the access token');
      for (const [i, session] of others.entries()) {
        const ms = await refusedAfter(t, `log out everywhere, session ${i + 1}`, since, () =>
          sessionStatus(b.url, session),
        );
        assert.ok(ms < REVOCATION_BOUND_MS, `B accepted session ${i + 1} for ${ms.toFixed(1)} ms`);
      }
      assert.equal(await sessionStatus(b.url, caller), 200, 'the caller keeps its session');

      // ?include=current ends the caller's own session too.
      const all = await call(
        a.url,
        '/auth/sessions?include=current',
        asBrowser(caller, { method: 'DELETE' }),
      );
      assert.equal(all.status, 204, show(all));
      const ms = await refusedAfter(
        t,
        'log out everywhere ?include=current',
        performance.now(),
        () => sessionStatus(b.url, caller),
      );
      assert.ok(ms < REVOCATION_BOUND_MS, `B accepted the caller for ${ms.toFixed(1)} ms`);
    });

    it('password change on A: B refuses the old sessions within a second and the old tokens at once; the new session works on B', async (t) => {
      const account = await newAccount(a.url);
      const caller = await login(a.url, account.email, account.password);
      const other = await login(b.url, account.email, account.password);
      const tokens = await tokenLogin(a.url, account.email, account.password);
      await warmNearCache(b.url, caller);
      await warmNearCache(b.url, other);
      assert.equal(await bearerStatus(b.url, tokens.access), 200);

      const newPass = newPassword();
      const change = await call(
        a.url,
        '/auth/password',
        asBrowser(caller, { json: { currentPassword: account.password, newPassword: newPass } }),
      );
      assert.equal(change.status, 204, show(change));
      const since = performance.now();
      assert.equal(await bearerStatus(b.url, tokens.access), 401, 'the access token');
      for (const [name, session] of [
        ['the other session', other],
        ["the caller's old session", caller],
      ] as const) {
        const ms = await refusedAfter(t, `password change, ${name}`, since, () =>
          sessionStatus(b.url, session),
        );
        assert.ok(ms < REVOCATION_BOUND_MS, `B accepted ${name} for ${ms.toFixed(1)} ms`);
      }
      const refresh = await call(b.url, '/oauth/token', {
        form: { grant_type: 'refresh_token', refresh_token: tokens.refresh },
      });
      assert.equal(refresh.status, 400, `the refresh token: ${show(refresh)}`);

      const fresh = sessionCookie(change);
      assert.ok(fresh, 'a cookie caller continues on a new session');
      assert.equal((await call(b.url, '/auth/session', { cookie: fresh })).status, 200);
      await assert.rejects(login(b.url, account.email, account.password), /401/);
      await login(b.url, account.email, newPass);
    });

    it('an access token revoked on A (/oauth/revoke) is refused by B at once, and its refresh token too', async () => {
      const account = await newAccount(a.url);
      const tokens = await tokenLogin(b.url, account.email, account.password);
      for (let i = 0; i < 3; i += 1) assert.equal(await bearerStatus(b.url, tokens.access), 200);
      const revoke = await call(a.url, '/oauth/revoke', {
        form: { token: tokens.access, client_id: FIRST_PARTY_CLIENT },
      });
      assert.equal(revoke.status, 200, show(revoke));
      const me = await call(b.url, '/auth/me', { bearer: tokens.access });
      assert.equal(me.status, 401, show(me));
      assert.match(me.headers.get('www-authenticate') ?? '', /invalid_token/);
      const refresh = await call(b.url, '/oauth/token', {
        form: { grant_type: 'refresh_token', refresh_token: tokens.refresh },
      });
      assert.equal(refresh.status, 400, show(refresh));
    });

    it('re-using a rotated refresh token on A revokes the family: B refuses its access tokens at once', async () => {
      const account = await newAccount(a.url);
      const first = await tokenLogin(a.url, account.email, account.password);
      const rotated = await call(a.url, '/oauth/token', {
        form: {
          grant_type: 'refresh_token',
          refresh_token: first.refresh,
          client_id: FIRST_PARTY_CLIENT,
        },
      });
      assert.equal(rotated.status, 200, show(rotated));
      const second = rotated.body as { access_token: string; refresh_token: string };
      assert.equal(await bearerStatus(b.url, second.access_token), 200);

      const reuse = await call(a.url, '/oauth/token', {
        form: {
          grant_type: 'refresh_token',
          refresh_token: first.refresh,
          client_id: FIRST_PARTY_CLIENT,
        },
      });
      assert.equal(reuse.status, 400, show(reuse));
      assert.equal((reuse.body as { error: string }).error, 'invalid_grant');
      assert.equal(await bearerStatus(b.url, second.access_token), 401, 'the newest access token');
      assert.equal(await bearerStatus(b.url, first.access), 401, 'the first access token');
      const onB = await call(b.url, '/oauth/token', {
        form: { grant_type: 'refresh_token', refresh_token: second.refresh_token },
      });
      assert.equal(onB.status, 400, `the newest refresh token on B: ${show(onB)}`);
    });

    it('keys rotated by `tessera keys rotate` beside A: both instances publish the next key within seconds (it signs only after the JWKS max-age), and accept tokens of both keys', async (t) => {
      const account = await newAccount(a.url);
      const oldFromA = (await tokenLogin(a.url, account.email, account.password)).access;
      const oldFromB = (await tokenLogin(b.url, account.email, account.password)).access;
      const oldKid = kidOf(oldFromA);
      assert.equal(kidOf(oldFromB), oldKid);

      const rotate = await tesseraCommand(['keys', 'rotate', '--json'], env);
      assert.equal(rotate.code, 0, rotate.stderr);
      const rotatedAt = performance.now();
      const { kid: newKid } = JSON.parse(rotate.stdout) as { kid: string };
      assert.notEqual(newKid, oldKid);

      const fresh: Record<string, string> = {};
      for (const [name, instance] of [
        ['A', a],
        ['B', b],
      ] as const) {
        const { value: token, ms } = await waitFor(
          `${name} to publish ${newKid}`,
          async () => {
            const kids = kidsOf(await call(instance.url, '/.well-known/jwks.json'));
            if (!kids.includes(newKid) || !kids.includes(oldKid)) return undefined;
            const { access } = await tokenLogin(instance.url, account.email, account.password);
            // A planned rotation: the next key is published now, and signs minutes later.
            assert.equal(kidOf(access), oldKid);
            return access;
          },
          // The 30 s reload poll must not be what makes this pass: the bus carries it.
          { timeoutMs: 5000, everyMs: 20 },
        );
        t.diagnostic(`${name} publishes the next key ${ms.toFixed(0)} ms after the CLI exited`);
        console.log(`key rotation: ${name} publishes the next key after ${ms.toFixed(0)} ms`);
        fresh[name] = token;
      }
      t.diagnostic(`both within ${(performance.now() - rotatedAt).toFixed(0)} ms`);
      for (const instance of [a, b]) {
        for (const token of [oldFromA, oldFromB, fresh.A ?? '', fresh.B ?? '']) {
          assert.equal(await bearerStatus(instance.url, token), 200, `kid ${kidOf(token)}`);
        }
      }
    });

    it('failed logins split across A and B count against one per-account limit: 10, then 429 on either', async () => {
      const account = await newAccount(a.url);
      const attempt = (base: string, password: string) =>
        call(base, '/auth/session', { json: { email: account.email, password } });
      for (let i = 0; i < 10; i += 1) {
        const answer = await attempt(i % 2 === 0 ? a.url : b.url, 'wrong horse battery staple');
        assert.equal(answer.status, 401, `failure ${i + 1}: ${show(answer)}`);
      }
      for (const [name, base] of [
        ['A', a.url],
        ['B', b.url],
      ] as const) {
        const answer = await attempt(base, 'wrong horse battery staple');
        assert.equal(answer.status, 429, `${name}: ${show(answer)}`);
        assert.match(answer.headers.get('retry-after') ?? '', /^\d+$/);
      }
      const right = await attempt(b.url, account.password);
      assert.equal(right.status, 429, `even the right password waits: ${show(right)}`);
    });
  },
);
