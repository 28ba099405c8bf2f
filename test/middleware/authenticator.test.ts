/**
 * src/middleware/authenticator.ts and session-check.ts: credential extraction, RFC 6750 challenges, and
 * the session check against Tessera — fresh by default, briefly cached only when asked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TesseraError } from '../../src/core/errors.js';
import { bearerToken, cookieValue, failureOf } from '../../src/middleware/authenticator.js';
import { defaultCookieName, tesseraSessionCheck } from '../../src/middleware/session-check.js';
import {
  freshEmail,
  http,
  PASSWORD,
  signup,
  startTessera,
  type Tessera,
} from '../verify/tessera.js';

describe('credential extraction', () => {
  it('reads a bearer token only from "Bearer <b64token>" (RFC 6750 §2.1)', () => {
    assert.equal(bearerToken('Bearer abc.def-_~+/='), 'abc.def-_~+/=');
    assert.equal(bearerToken('bearer  abc'), 'abc');
    for (const bad of ['Bearer', 'Bearer a b', 'Basic abc', 'Bearer a,b', 'Bearerabc']) {
      assert.throws(() => bearerToken(bad), { code: 'token_malformed' }, bad);
    }
    assert.throws(() => bearerToken(undefined), { code: 'unauthenticated' });
  });

  it('finds the named cookie among others, the first when repeated', () => {
    assert.equal(cookieValue('a=1; tessera_session=xyz; b=2', 'tessera_session'), 'xyz');
    assert.equal(cookieValue('tessera_session=one; tessera_session=two', 'tessera_session'), 'one');
    assert.equal(cookieValue('x_tessera_session=no', 'tessera_session'), undefined);
    assert.equal(cookieValue('tessera_session=', 'tessera_session'), undefined);
    assert.equal(cookieValue('tessera_session=%E0%A4%A', 'tessera_session'), undefined);
    assert.equal(cookieValue(undefined, 'tessera_session'), undefined);
  });

  it('names the cookie as the server does: __Host- over https', () => {
    assert.equal(defaultCookieName('https://auth.example.com'), '__Host-tessera_session');
    assert.equal(defaultCookieName('http://127.0.0.1:8080'), 'tessera_session');
  });
});

describe('failure answers', () => {
  const context = { accept: 'bearer' as const, realm: 'reports', required: ['reports:read'] };

  it('quotes only what RFC 6750 §3 allows in the challenge', () => {
    const failure = failureOf(
      new TesseraError('token_expired', 'expired "at" \\ noon — ok'),
      context,
    );
    assert.equal(
      failure.headers['www-authenticate'],
      `Bearer realm="reports", error="invalid_token", error_description="expired 'at' ' noon ? ok"`,
    );
  });

  it('never shows the message of an unexpected error', () => {
    const failure = failureOf(new Error('SELECT * FROM secrets failed'), context);
    assert.equal(failure.status, 500);
    assert.equal(failure.body.detail, 'internal error');
  });
});

describe('session check against Tessera', () => {
  let tessera: Tessera;
  let cookie = '';
  before(async () => {
    tessera = await startTessera();
    const email = freshEmail();
    await signup(tessera, email);
    const login = await http(`${tessera.issuer}/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0]?.split('=')[1] ?? '';
  });
  after(() => tessera.close());

  it('asks every time by default, so a logout takes effect at once; a brief cache holds it that long', async () => {
    const fresh = tesseraSessionCheck({ issuer: tessera.issuer });
    // Long enough that a loaded CI machine answers the logout and the fresh check within it.
    const cached = tesseraSessionCheck({ issuer: tessera.issuer, cacheMs: 4_000 });
    const identity = await fresh(cookie);
    assert.equal(typeof identity?.userId, 'string');
    assert.equal(typeof identity?.csrfToken, 'string');
    assert.deepEqual(await cached(cookie), identity);
    const logout = await http(`${tessera.issuer}/auth/session`, {
      method: 'DELETE',
      headers: { cookie: `tessera_session=${cookie}`, 'x-csrf-token': String(identity?.csrfToken) },
    });
    assert.equal(logout.status, 204);
    assert.equal(await fresh(cookie), undefined);
    assert.deepEqual(await cached(cookie), identity, 'within cacheMs');
    await new Promise((resolve) => setTimeout(resolve, 4_100));
    assert.equal(await cached(cookie), undefined, 'after cacheMs');
  });

  it('refuses a cache longer than 5 s', () => {
    assert.throws(
      () => tesseraSessionCheck({ issuer: tessera.issuer, cacheMs: 60_000 }),
      RangeError,
    );
  });
});
