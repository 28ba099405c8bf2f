/**
 * Sessions on the revocation feed: the server publishes every session revocation (kind `sid`,
 * the public id), the toolkit's session check keeps valid answers while the verifier's feed
 * vouches for them and reports their use, and `POST /auth/sessions/activity` takes the reports.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAuthenticator } from '../../src/middleware/authenticator.js';
import { tesseraSessionCheck } from '../../src/middleware/session-check.js';
import { createVerifier, type Verifier } from '../../src/verify/index.js';
import { basicAuthorization, type ClientCredentials } from '../../src/verify/http.js';
import {
  eventually,
  freshEmail,
  http,
  PASSWORD,
  ShiftedClock,
  signup,
  startTessera,
  type Tessera,
} from '../verify/tessera.js';

/** A logged-in browser session: the cookie value and the public id. */
interface Login {
  value: string;
  id: string;
  userId: string;
}

/** `fetch` that counts session checks (GET /auth/session) and accepted activity reports. */
function countingFetch() {
  const counts = { checks: 0, reports: 0 };
  const wrapped: typeof fetch = async (input, init) => {
    const url = String(input);
    const response = await fetch(input, init);
    if (url.endsWith('/auth/session') && (init?.method ?? 'GET') === 'GET') counts.checks += 1;
    if (url.endsWith('/auth/sessions/activity') && response.status === 200) counts.reports += 1;
    return response;
  };
  return { counts, fetch: wrapped };
}

describe('sessions on the revocation feed', () => {
  let tessera: Tessera;
  let verifier: Verifier;
  let stale: Verifier;
  const clock = new ShiftedClock();
  const closers: Array<() => Promise<void>> = [];

  const logIn = async (email: string, userId: string): Promise<Login> => {
    const response = await http(`${tessera.issuer}/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    assert.equal(response.status, 200);
    const cookie = (response.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const body = (await response.json()) as { session: { id: string } };
    return { value: cookie.slice(cookie.indexOf('=') + 1), id: body.session.id, userId };
  };
  const newUser = async (sessions: number): Promise<Login[]> => {
    const email = freshEmail();
    const userId = await signup(tessera, email);
    const logins: Login[] = [];
    for (let i = 0; i < sessions; i += 1) logins.push(await logIn(email, userId));
    return logins;
  };
  const check = (options: Parameters<typeof tesseraSessionCheck>[0]) => {
    const made = tesseraSessionCheck(options);
    closers.push(() => made.close());
    return made;
  };
  const report = (credentials: ClientCredentials | undefined, body: unknown) =>
    http(`${tessera.issuer}/auth/sessions/activity`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(credentials ? { authorization: basicAuthorization(credentials) } : {}),
      },
      body: JSON.stringify(body),
    });
  const lastSeen = async (login: Login) =>
    (await tessera.core.sessions.list(login.userId)).find((s) => s.id === login.id)?.lastSeenAt;

  before(async () => {
    tessera = await startTessera({ clock });
    verifier = await createVerifier({
      issuer: tessera.issuer,
      revocations: { feed: tessera.feed },
      clock,
    });
    stale = await createVerifier({
      issuer: tessera.issuer,
      revocations: { feed: tessera.feed },
      maxStalenessMs: 1,
      clock,
    });
  });
  after(async () => {
    for (const close of closers) await close();
    await verifier?.close();
    await stale?.close();
    await tessera?.close();
  });

  it('refuses a session revoked on the server once the feed carries its sid event', async () => {
    const [login] = (await newUser(1)) as [Login];
    const { counts, fetch } = countingFetch();
    const sessions = check({ issuer: tessera.issuer, verifier, fetch });
    assert.equal((await sessions(login.value))?.userId, login.userId);
    assert.equal((await sessions(login.value))?.userId, login.userId);
    assert.equal(counts.checks, 1, 'the second answer came from the cache');
    await tessera.core.sessions.revoke(login.userId, login.id);
    await eventually(async () => (await sessions(login.value)) === undefined);
  });

  it("keeps sessions on the feed by default in the middleware's either mode; maxCacheMs: 0 asks every time", async () => {
    const [login] = (await newUser(1)) as [Login];
    const facts = {
      method: 'GET',
      authorization: undefined,
      cookie: `tessera_session=${login.value}`,
      origin: undefined,
      fetchSite: undefined,
      csrfToken: undefined,
    };
    const kept = countingFetch();
    const authenticate = createAuthenticator({
      verifier,
      accept: 'either',
      session: { fetch: kept.fetch },
    });
    assert.equal((await authenticate(facts)).ok, true);
    assert.equal((await authenticate(facts)).ok, true);
    assert.equal(kept.counts.checks, 1, 'the second request was answered from the cache');

    const asking = countingFetch();
    const uncached = createAuthenticator({
      verifier,
      accept: 'either',
      session: { maxCacheMs: 0, fetch: asking.fetch },
    });
    assert.equal((await uncached(facts)).ok, true);
    assert.equal((await uncached(facts)).ok, true);
    assert.equal(asking.counts.checks, 2, 'maxCacheMs: 0 asked Tessera for each request');

    await tessera.core.sessions.revoke(login.userId, login.id);
    await eventually(async () => !(await authenticate(facts)).ok);
    assert.equal((await uncached(facts)).ok, false);
  });

  it('publishes one sid per session of "log out everywhere else", keeping the current one', async () => {
    const [kept, gone] = (await newUser(2)) as [Login, Login];
    const { counts, fetch } = countingFetch();
    const sessions = check({ issuer: tessera.issuer, verifier, fetch });
    await sessions(kept.value);
    await sessions(gone.value);
    await tessera.core.sessions.revokeAll(kept.userId, kept.id);
    await eventually(async () => (await sessions(gone.value)) === undefined);
    const before = counts.checks;
    assert.equal((await sessions(kept.value))?.userId, kept.userId);
    assert.equal(counts.checks, before, 'the kept session is still answered from the cache');
  });

  it('drops every session of a user whose cutoff the feed raises', async () => {
    const logins = await newUser(2);
    const { counts, fetch } = countingFetch();
    const sessions = check({ issuer: tessera.issuer, verifier, fetch });
    for (const login of logins) await sessions(login.value);
    assert.equal(counts.checks, 2);
    // Only the cutoff: the sessions themselves stay valid on the server.
    await tessera.core.revocations.revokeUser(logins[0]!.userId);
    for (const login of logins) {
      await eventually(async () => {
        const before = counts.checks;
        await sessions(login.value);
        return counts.checks > before;
      });
    }
  });

  it('asks Tessera on every request while the feed is stale', async () => {
    const [login] = (await newUser(1)) as [Login];
    const { counts, fetch } = countingFetch();
    const sessions = check({ issuer: tessera.issuer, verifier: stale, fetch });
    for (let i = 0; i < 3; i += 1)
      assert.equal((await sessions(login.value))?.userId, login.userId);
    assert.equal(counts.checks, 3);
  });

  it('keeps an active session alive past the idle timeout through activity reports', async () => {
    const [used, unreported] = (await newUser(2)) as [Login, Login];
    const idleMs = tessera.config.sessionIdleMinutes * 60_000;
    const { counts, fetch } = countingFetch();
    const options = { issuer: tessera.issuer, verifier, maxCacheMs: 2 * idleMs, reportEveryMs: 20 };
    const sessions = check({ ...options, fetch });
    // The control: the same use, but its reports are refused (a client without the scope).
    const silent = check({ ...options, reporter: tessera.api });
    await sessions(used.value);
    await silent(unreported.value);
    clock.advance(idleMs - 60_000);
    // Microservice requests only, answered from the caches.
    assert.equal((await sessions(used.value))?.userId, used.userId);
    assert.equal((await silent(unreported.value))?.userId, unreported.userId);
    assert.equal(counts.checks, 1);
    await eventually(() => counts.reports > 0);
    clock.advance(2 * 60_000); // past the idle deadline of the login
    assert.equal((await sessions(used.value))?.userId, used.userId);
    assert.equal(counts.checks, 2, 'the cached answer ended at the idle deadline');
    assert.equal(await silent(unreported.value), undefined);
  });

  it('takes activity reports only from a client allowed tessera:revocations', async () => {
    const [login] = (await newUser(1)) as [Login];
    const body = {
      sessions: [
        { id: login.id, userId: login.userId, lastSeenAt: new Date(clock.now()).toISOString() },
      ],
    };
    assert.equal((await report(undefined, body)).status, 401);
    assert.equal((await report(tessera.api, body)).status, 403);
  });

  it('answers a bad report 400 and changes nothing', async () => {
    const [login] = (await newUser(1)) as [Login];
    const seen = await lastSeen(login);
    const at = new Date(clock.now() + 1_000).toISOString();
    const entry = { id: login.id, userId: login.userId, lastSeenAt: at };
    const bad = [
      { sessions: [{ ...entry, lastSeenAt: 'yesterday' }] },
      { sessions: [{ ...entry, extra: 1 }] },
      { sessions: [{ id: login.id, lastSeenAt: at }] },
      { sessions: Array.from({ length: 101 }, () => entry) },
      { sessions: entry },
    ];
    for (const body of bad) {
      assert.equal(
        (await report(tessera.feed, body)).status,
        400,
        JSON.stringify(body).slice(0, 80),
      );
    }
    assert.equal(await lastSeen(login), seen);
    // Unknown ids and other users' sessions are ignored.
    const ignored = await report(tessera.feed, {
      sessions: [
        { ...entry, id: 'no-such-session' },
        { ...entry, userId: 'someone-else' },
      ],
    });
    assert.deepEqual(await ignored.json(), { touched: 0 });
    assert.equal(await lastSeen(login), seen);
  });
});
