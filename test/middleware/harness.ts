/**
 * What every framework's middleware test shares: a real Tessera, verifiers, credentials of every
 * kind, the same six routes (each framework test mounts them with its adapter), and the cases
 * every adapter must pass over real HTTP.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createVerifier, type Verifier } from '../../src/verify/index.js';
import {
  clientToken,
  eventually,
  http,
  outcome,
  PASSWORD,
  revokeAccess,
  startTessera,
  userTokens,
  type Tessera,
  type UserTokens,
} from '../verify/tessera.js';
import type { AuthOptions } from '../../src/middleware/authenticator.js';

/** Everything the cases need. */
export interface Env {
  tessera: Tessera;
  verifier: Verifier;
  /** A verifier whose revocation state is always stale (1 ms bound), to provoke 503. */
  stale: Verifier;
  user: UserTokens;
  /** A client token with the scope reports:read. */
  scoped: string;
  /** A token of the user revoked through the server. */
  revoked: string;
  /** `tessera_session=…` of a session of the same user. */
  cookie: string;
  csrfToken: string;
}

/** The routes every adapter mounts, each with these options, answering `{ via, subject, scopes }`. */
export function routeOptions(env: Env): Record<RouteName, AuthOptions> {
  return {
    bearer: { verifier: env.verifier },
    scoped: { verifier: env.verifier, scopes: ['reports:read'] },
    either: { verifier: env.verifier, accept: 'either' },
    session: { accept: 'session', session: { issuer: env.tessera.issuer } },
    stale: { verifier: env.stale },
    // Nothing listens on port 1: the session check cannot be made.
    sessionDown: { accept: 'session', session: { issuer: 'http://127.0.0.1:1', timeoutMs: 1_000 } },
  };
}

export type RouteName = 'bearer' | 'scoped' | 'either' | 'session' | 'stale' | 'sessionDown';

/** The path of each route; `either` also takes POST. */
export const paths: Record<RouteName, string> = {
  bearer: '/bearer',
  scoped: '/scoped',
  either: '/either',
  session: '/session',
  stale: '/stale',
  sessionDown: '/session-down',
};

/** What a route answers when the middleware let the request through. */
export function answer(principal: { via: string; subject: string; scopes: string[] }) {
  return { via: principal.via, subject: principal.subject, scopes: principal.scopes };
}

/** A response, read. */
export interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** Sends a request to the app under test. */
export type Send = (
  method: 'GET' | 'POST',
  path: string,
  headers?: Record<string, string>,
) => Promise<Reply>;

/** A Send over real HTTP to `base`. */
export function overHttp(base: () => string): Send {
  return async (method, path, headers = {}) => {
    const response = await http(`${base()}${path}`, { method, headers });
    return readReply(response);
  };
}

/** Reads a fetch Response into a Reply. */
export async function readReply(response: Response): Promise<Reply> {
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}

/** Starts Tessera and prepares every credential; call from the test file's top level. */
export function useEnv(): () => Env {
  let env: Env | undefined;
  before(async () => {
    const tessera = await startTessera();
    const verifier = await createVerifier({
      issuer: tessera.issuer,
      revocations: { feed: tessera.feed },
    });
    const stale = await createVerifier({
      issuer: tessera.issuer,
      maxStalenessMs: 1,
      revocations: { feed: tessera.feed },
    });
    const user = await userTokens(tessera);
    const revoked = (await userTokens(tessera)).access;
    await revokeAccess(tessera, revoked);
    await eventually(async () => (await outcome(verifier.verify(revoked))) === 'token_revoked');
    const login = await http(`${tessera.issuer}/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: user.email, password: PASSWORD }),
    });
    assert.equal(login.status, 200);
    const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    env = {
      tessera,
      verifier,
      stale,
      user,
      scoped: await clientToken(tessera, 'reports:read'),
      revoked,
      cookie,
      csrfToken,
    };
  });
  after(async () => {
    if (env === undefined) return;
    await env.verifier.close();
    await env.stale.close();
    await env.tessera.close();
  });
  return () => {
    if (env === undefined) throw new Error('the environment is not ready');
    return env;
  };
}

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** The cases every adapter must pass. */
export function commonCases(getEnv: () => Env, getSend: () => Send): void {
  const send = (...args: Parameters<Send>) => getSend()(...args);

  it('a request without credentials gets 401 and a Bearer challenge', async () => {
    const reply = await send('GET', paths.bearer);
    assert.equal(reply.status, 401);
    assert.match(
      String(reply.headers.get('www-authenticate')),
      /^Bearer error="invalid_token", error_description="[^"]+"$/,
    );
    assert.match(String(reply.headers.get('content-type')), /^application\/problem\+json/);
    assert.equal(reply.body.code, 'unauthenticated');
  });

  it('a valid bearer token passes, and the route sees the caller', async () => {
    const { user } = getEnv();
    const reply = await send('GET', paths.bearer, bearer(user.access));
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { via: 'bearer', subject: user.userId, scopes: ['account'] });
  });

  it('a malformed Authorization header is 401 invalid_token', async () => {
    for (const authorization of ['Bearer', 'Basic dXNlcjpwYXNz', 'Bearer a b']) {
      const reply = await send('GET', paths.bearer, { authorization });
      assert.equal(reply.status, 401, authorization);
      assert.match(String(reply.headers.get('www-authenticate')), /error="invalid_token"/);
      assert.equal(reply.body.code, 'token_malformed');
    }
  });

  it('a token with a broken signature or one that was revoked is 401 with its own code', async () => {
    const { user, revoked } = getEnv();
    const [head, body, sig] = user.access.split('.') as [string, string, string];
    const tampered = `${head}.${body}.${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`;
    const broken = await send('GET', paths.bearer, bearer(tampered));
    assert.equal(broken.status, 401);
    assert.equal(broken.body.code, 'token_signature_invalid');
    const gone = await send('GET', paths.bearer, bearer(revoked));
    assert.equal(gone.status, 401);
    assert.equal(gone.body.code, 'token_revoked');
    assert.match(
      String(gone.headers.get('www-authenticate')),
      /error="invalid_token", error_description="the access token has been revoked"/,
    );
  });

  it('a token without the required scope is 403 insufficient_scope naming the scope', async () => {
    const reply = await send('GET', paths.scoped, bearer(getEnv().user.access));
    assert.equal(reply.status, 403);
    assert.equal(reply.body.code, 'insufficient_scope');
    const challenge = String(reply.headers.get('www-authenticate'));
    assert.match(challenge, /^Bearer error="insufficient_scope", /);
    assert.match(challenge, /scope="reports:read"/);
  });

  it('a token with the required scope passes', async () => {
    const reply = await send('GET', paths.scoped, bearer(getEnv().scoped));
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body.scopes, ['reports:read']);
  });

  it('either: a session cookie passes a safe request', async () => {
    const { cookie, user } = getEnv();
    const reply = await send('GET', paths.either, { cookie });
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { via: 'session', subject: user.userId, scopes: [] });
  });

  it('either: an unsafe request by cookie needs the CSRF token and an allowed origin', async () => {
    const { cookie, csrfToken, tessera } = getEnv();
    const without = await send('POST', paths.either, { cookie });
    assert.equal(without.status, 403);
    assert.equal(without.body.code, 'csrf');
    const wrong = await send('POST', paths.either, { cookie, 'x-csrf-token': `${csrfToken}x` });
    assert.equal(wrong.status, 403);
    const foreign = await send('POST', paths.either, {
      cookie,
      'x-csrf-token': csrfToken,
      origin: 'https://evil.example',
    });
    assert.equal(foreign.status, 403);
    const good = await send('POST', paths.either, {
      cookie,
      'x-csrf-token': csrfToken,
      origin: tessera.issuer,
    });
    assert.equal(good.status, 200);
    assert.equal(good.body.via, 'session');
  });

  it('either: an unsafe request by bearer token needs no CSRF token', async () => {
    const reply = await send('POST', paths.either, bearer(getEnv().user.access));
    assert.equal(reply.status, 200);
    assert.equal(reply.body.via, 'bearer');
  });

  it('either: a bad bearer token is refused even with a valid cookie beside it', async () => {
    const reply = await send('GET', paths.either, {
      authorization: 'Bearer nope',
      cookie: getEnv().cookie,
    });
    assert.equal(reply.status, 401);
    assert.equal(reply.body.code, 'token_malformed');
  });

  it('session: a valid cookie passes; a bad or missing one is 401 without a Bearer challenge', async () => {
    const { cookie, user } = getEnv();
    const good = await send('GET', paths.session, { cookie });
    assert.equal(good.status, 200);
    assert.equal(good.body.subject, user.userId);
    for (const headers of [{ cookie: 'tessera_session=not-a-session' }, {}, bearer(user.access)]) {
      const reply = await send('GET', paths.session, headers);
      assert.equal(reply.status, 401);
      assert.equal(reply.headers.get('www-authenticate'), null);
    }
  });

  it('stale revocation state is 503 revocation_unavailable with Retry-After', async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    const reply = await send('GET', paths.stale, bearer(getEnv().user.access));
    assert.equal(reply.status, 503);
    assert.equal(reply.body.code, 'revocation_unavailable');
    assert.equal(reply.headers.get('retry-after'), '5');
  });

  it('a session check that cannot be made fails closed with 503', async () => {
    const reply = await send('GET', paths.sessionDown, { cookie: getEnv().cookie });
    assert.equal(reply.status, 503);
    assert.equal(reply.body.code, 'session_unavailable');
  });
}
