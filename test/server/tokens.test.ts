import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Browser, PASSWORD, setCookies, testServer, userTokens } from '../helpers/server.js';
import type { FastifyInstance } from 'fastify';

const MINUTE = 60_000;

/** Signs up ada and gets tokens with the refresh token in the body. */

function me(app: FastifyInstance, token: string) {
  return app.inject({
    method: 'GET',
    url: '/auth/me',
    headers: { authorization: `Bearer ${token}` },
  });
}

function decode(token: string) {
  const [header, payload] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >,
    claims: JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >,
  };
}

describe('POST /auth/token', () => {
  it('returns an RFC 9068 access token (typ at+jwt, RS256 by default, every required claim)', async () => {
    const { app, clock } = await testServer();
    const body = await userTokens(app);
    assert.equal(body.expires_in, 600, '10 minutes by default');
    const { header, claims } = decode(body.access_token);
    assert.equal(header.typ, 'at+jwt');
    assert.equal(header.alg, 'RS256');
    assert.equal(typeof header.kid, 'string');
    for (const claim of ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id', 'scope', 'sid']) {
      assert.ok(claim in claims, claim);
    }
    assert.equal(claims.iss, 'http://localhost:8080');
    assert.equal(claims.client_id, 'tessera');
    assert.equal(claims.exp, Math.floor(clock.now() / 1000) + 600);
  });

  it('by default sets the refresh token as an HttpOnly SameSite=Strict cookie for /oauth/token only', async () => {
    const { app } = await testServer();
    await app.inject({
      method: 'POST',
      url: '/auth/signup',
      payload: { email: 'ada@example.com', password: PASSWORD },
    });
    const response = await app.inject({
      method: 'POST',
      url: '/auth/token',
      payload: { email: 'ada@example.com', password: PASSWORD },
    });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().refresh_token, undefined, 'not in the body');
    assert.equal(response.headers['cache-control'], 'no-store');
    const [cookie] = setCookies(response);
    assert.equal(cookie?.name, 'tessera_refresh');
    assert.equal(cookie?.attributes.httponly, true);
    assert.equal(cookie?.attributes.samesite, 'Strict');
    assert.equal(cookie?.attributes.path, '/oauth/token');
  });

  it('uses the __Secure- prefix and Secure for the refresh cookie over https', async () => {
    const { app } = await testServer({ env: { TESSERA_ISSUER: 'https://auth.example.com' } });
    await app.inject({
      method: 'POST',
      url: '/auth/signup',
      payload: { email: 'ada@example.com', password: PASSWORD },
    });
    const response = await app.inject({
      method: 'POST',
      url: '/auth/token',
      payload: { email: 'ada@example.com', password: PASSWORD },
    });
    const [cookie] = setCookies(response);
    assert.equal(cookie?.name, '__Secure-tessera_refresh');
    assert.equal(cookie?.attributes.secure, true);
  });

  it('answers wrong credentials like the session login: 401 invalid_credentials', async () => {
    const { app } = await testServer();
    await userTokens(app);
    const response = await app.inject({
      method: 'POST',
      url: '/auth/token',
      payload: { email: 'ada@example.com', password: 'not the password' },
    });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'invalid_credentials');
  });
});

describe('GET /auth/me with a bearer token', () => {
  it('answers the user, via "bearer", and the scopes', async () => {
    const { app } = await testServer();
    const { access_token } = await userTokens(app);
    const response = await me(app, access_token);
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().via, 'bearer');
    assert.equal(response.json().user.email, 'ada@example.com');
    assert.deepEqual(response.json().scopes, ['account']);
  });

  it('answers 401 with WWW-Authenticate: Bearer error="invalid_token" for missing, forged, expired tokens', async () => {
    const { app, clock } = await testServer();
    const { access_token } = await userTokens(app);
    const [h, p] = access_token.split('.');
    const forged = `${h}.${p}.${'A'.repeat(342)}`;
    for (const headers of [
      {},
      { authorization: `Bearer ${forged}` },
      { authorization: 'Bearer' },
      { authorization: 'Basic abc' },
    ]) {
      const response = await app.inject({ method: 'GET', url: '/auth/me', headers });
      assert.equal(response.statusCode, 401, JSON.stringify(headers));
      assert.match(String(response.headers['www-authenticate']), /^Bearer error="invalid_token"/);
    }
    clock.advance(10 * MINUTE + 31_000);
    const expired = await me(app, access_token);
    assert.equal(expired.statusCode, 401);
    assert.equal(expired.json().code, 'token_expired');
  });

  it('refuses a client-credentials token (it names no user)', async () => {
    const { app, core } = await testServer();
    const { client, secret } = await core.clients.create({
      name: 'svc',
      scopes: ['reports:read'],
      audiences: [],
    });
    const response = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: `grant_type=client_credentials&client_id=${client.id}&client_secret=${secret}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal((await me(app, response.json().access_token)).statusCode, 401);
  });
});

describe('revocation of access tokens by account events', () => {
  it('a password change revokes every access token and refresh family of the user', async () => {
    const { app, clock } = await testServer();
    const first = await userTokens(app);
    const browser = new Browser(app);
    await browser.login('ada@example.com');
    clock.advance(2000);
    const change = await browser.request('POST', '/auth/password', {
      currentPassword: PASSWORD,
      newPassword: 'a brand new passphrase',
    });
    assert.equal(change.statusCode, 204);
    const response = await me(app, first.access_token);
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'token_revoked');
    const refresh = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `grant_type=refresh_token&refresh_token=${first.refresh_token}`,
    });
    assert.equal(refresh.statusCode, 400);
    assert.equal(refresh.json().error, 'invalid_grant');
  });

  it('a token issued right after a password change, in the same second, is valid', async () => {
    const { app, clock } = await testServer();
    const first = await userTokens(app);
    clock.advance(300); // mid-second
    const change = await app.inject({
      method: 'POST',
      url: '/auth/password',
      headers: { authorization: `Bearer ${first.access_token}` },
      payload: { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' },
    });
    assert.equal(change.statusCode, 204);
    clock.advance(100);
    const again = await app.inject({
      method: 'POST',
      url: '/auth/token',
      payload: { email: 'ada@example.com', password: 'a brand new passphrase', refresh: 'body' },
    });
    assert.equal((await me(app, again.json().access_token)).statusCode, 200);
    assert.equal((await me(app, first.access_token)).statusCode, 401);
  });

  it('log out everywhere (DELETE /auth/sessions) revokes access tokens and refresh families', async () => {
    const { app, clock } = await testServer();
    const first = await userTokens(app);
    const browser = new Browser(app);
    await browser.login('ada@example.com');
    clock.advance(1500);
    assert.equal((await browser.request('DELETE', '/auth/sessions')).statusCode, 204);
    assert.equal((await me(app, first.access_token)).statusCode, 401);
    assert.equal(
      (await browser.request('GET', '/auth/session')).statusCode,
      200,
      'current session kept',
    );
  });

  it('a bearer caller can change the password without a CSRF token', async () => {
    const { app, clock } = await testServer();
    const first = await userTokens(app);
    clock.advance(1000);
    const change = await app.inject({
      method: 'POST',
      url: '/auth/password',
      headers: { authorization: `Bearer ${first.access_token}` },
      payload: { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' },
    });
    assert.equal(change.statusCode, 204);
    assert.equal(change.headers['set-cookie'], undefined);
  });
});
