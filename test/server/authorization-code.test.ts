/**
 * grant_type=authorization_code at POST /oauth/token (RFC 6749 §4.1.3, RFC 7636, RFC 9700): a
 * code is spent once within 60 s, by its own client, with its own redirect URI and verifier; a
 * replay revokes everything the first exchange issued; offline_access governs the refresh token.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { postForm } from '../helpers/server.js';
import { createSqlStores } from '../../src/stores/sql/index.js';
import { decodeJwt, flowServer, type Tokens } from './code-flow.js';
import type { FastifyInstance } from 'fastify';

const ISSUER = 'http://localhost:8080';

/** GET /auth/me with a bearer token: its status. */
async function me(app: FastifyInstance, token: string): Promise<number> {
  const response = await app.inject({
    method: 'GET',
    url: '/auth/me',
    headers: { authorization: `Bearer ${token}` },
  });
  return response.statusCode;
}

describe('the authorization code grant', () => {
  it('a public client exchanges its code with client_id and the verifier alone', async () => {
    const { exchange, code, publicClient, app } = await flowServer();
    const response = await exchange(publicClient, await code(publicClient));
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.headers['cache-control'], 'no-store');
    const tokens = response.json() as Tokens;
    assert.equal(tokens.token_type, 'Bearer');
    assert.equal(tokens.scope, 'openid');
    assert.ok(tokens.id_token, 'openid in the scope: an ID token');
    assert.equal(tokens.refresh_token, undefined, 'no offline_access: no refresh token');
    assert.equal(await me(app, tokens.access_token), 200);
    const access = decodeJwt(tokens.access_token);
    assert.equal(access.header.typ, 'at+jwt');
    assert.equal(access.claims.client_id, publicClient.id);
  });

  it('a confidential client must authenticate: client_id alone is invalid_client', async () => {
    const { exchange, code, confidential, app } = await flowServer();
    const got = await code(confidential);
    const response = await postForm(app, '/oauth/token', {
      grant_type: 'authorization_code',
      code: got.code,
      redirect_uri: confidential.redirectUris[0] ?? '',
      code_verifier: got.verifier,
      client_id: confidential.id,
    });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().error, 'invalid_client');
    assert.equal((await exchange(confidential, got)).statusCode, 200, 'the code was not spent');
  });

  it('a wrong code_verifier is invalid_grant', async () => {
    const { exchange, code, publicClient } = await flowServer();
    const got = await code(publicClient);
    const response = await exchange(publicClient, { ...got, verifier: 'x'.repeat(43) });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().error, 'invalid_grant');
  });

  it('a missing or malformed code_verifier is refused', async () => {
    const { exchange, code, publicClient } = await flowServer();
    const got = await code(publicClient);
    const response = await exchange(publicClient, { ...got, verifier: 'short' });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().error, 'invalid_request');
  });

  it('a code used twice is invalid_grant and revokes every token the first use issued', async () => {
    const { exchange, code, publicClient, app } = await flowServer();
    const got = await code(publicClient, { scope: 'openid offline_access' });
    const first = (await exchange(publicClient, got)).json() as Tokens;
    assert.equal(await me(app, first.access_token), 200);
    const second = await exchange(publicClient, got);
    assert.equal(second.statusCode, 400);
    assert.equal(second.json().error, 'invalid_grant');
    assert.equal(await me(app, first.access_token), 401, 'the access token of the first use');
    const refresh = await postForm(app, '/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token ?? '',
      client_id: publicClient.id,
    });
    assert.equal(refresh.statusCode, 400, 'the refresh token of the first use');
    assert.equal(refresh.json().error, 'invalid_grant');
  });

  it('over SQLite too: the code is spent once and a replay revokes what it issued', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-code-'));
    const stores = await createSqlStores({ url: `sqlite:${join(dir, 'tessera.db')}` });
    try {
      const { exchange, code, publicClient, app } = await flowServer({ stores });
      const got = await code(publicClient, { scope: 'openid offline_access' });
      const first = (await exchange(publicClient, got)).json() as Tokens;
      assert.ok(first.refresh_token && first.id_token);
      assert.equal((await exchange(publicClient, got)).json().error, 'invalid_grant');
      assert.equal(await me(app, first.access_token), 401);
      await app.close();
    } finally {
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a code presented by another client is invalid_grant', async () => {
    const { exchange, code, publicClient, confidential } = await flowServer();
    const got = await code(confidential);
    const response = await exchange(publicClient, got, {
      redirect_uri: confidential.redirectUris[0] ?? '',
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().error, 'invalid_grant');
  });

  it('a redirect_uri other than the request’s is invalid_grant', async () => {
    const { exchange, code, publicClient } = await flowServer();
    const got = await code(publicClient);
    const response = await exchange(publicClient, got, {
      redirect_uri: 'https://app.example.com/other',
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().error, 'invalid_grant');
  });

  it('a code is refused 60 s after it was issued', async () => {
    const { exchange, code, publicClient, clock } = await flowServer();
    const late = await code(publicClient);
    const inTime = await code(publicClient);
    clock.advance(59_999);
    assert.equal((await exchange(publicClient, inTime)).statusCode, 200);
    clock.advance(1);
    const response = await exchange(publicClient, late);
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().error, 'invalid_grant');
  });

  it('offline_access governs the refresh token, which then rotates like any other', async () => {
    const { exchange, code, publicClient, app } = await flowServer();
    const tokens = (
      await exchange(publicClient, await code(publicClient, { scope: 'openid offline_access' }))
    ).json() as Tokens;
    assert.ok(tokens.refresh_token);
    const refreshed = await postForm(app, '/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: publicClient.id,
    });
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    const next = refreshed.json() as Tokens;
    assert.notEqual(next.refresh_token, tokens.refresh_token);
    assert.equal(
      decodeJwt(next.access_token).claims.sid,
      decodeJwt(tokens.access_token).claims.sid,
    );
  });
});

describe('ID tokens', () => {
  it('carry iss, sub, aud, exp, iat, auth_time, nonce, sid and at_hash, signed by a published key', async () => {
    const { exchange, code, publicClient, app, user, clock } = await flowServer();
    clock.advance(7_000); // auth_time is the sign-in, not the exchange
    const tokens = (
      await exchange(
        publicClient,
        await code(publicClient, { scope: 'openid email', nonce: 'n-0S6_WzA2Mj' }),
      )
    ).json() as Tokens;
    const idToken = tokens.id_token ?? '';
    const jwks = (await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
    const { payload, protectedHeader } = await jwtVerify(idToken, createLocalJWKSet(jwks), {
      issuer: ISSUER,
      audience: publicClient.id,
      currentDate: new Date(clock.now()),
      typ: 'JWT',
    });
    assert.equal(protectedHeader.typ, 'JWT');
    assert.equal(payload.sub, user.userId);
    assert.equal(payload.aud, publicClient.id);
    assert.equal(payload.nonce, 'n-0S6_WzA2Mj');
    assert.equal(payload.auth_time, Math.floor(user.authTime / 1000));
    assert.equal(payload.iat, Math.floor(clock.now() / 1000));
    assert.ok(typeof payload.exp === 'number' && payload.exp > (payload.iat ?? 0));
    assert.equal(payload.sid, user.sessionId);
    assert.equal(payload.email, 'ada@example.com');
    assert.equal(payload.email_verified, false);
    // OpenID Connect Core §3.1.3.6, computed here: left half of the hash of the access token.
    const hash = protectedHeader.alg === 'EdDSA' ? 'sha512' : 'sha256';
    const digest = createHash(hash).update(tokens.access_token).digest();
    assert.equal(payload.at_hash, digest.subarray(0, digest.length / 2).toString('base64url'));
  });

  it('leave out nonce and email when not sent or granted', async () => {
    const { exchange, code, publicClient } = await flowServer();
    const tokens = (await exchange(publicClient, await code(publicClient))).json() as Tokens;
    const { claims } = decodeJwt(tokens.id_token ?? '');
    assert.equal(claims.nonce, undefined);
    assert.equal(claims.email, undefined);
  });

  it('no openid, no ID token', async () => {
    const { exchange, code, confidential } = await flowServer();
    const tokens = (
      await exchange(confidential, await code(confidential, { scope: 'reports:read' }))
    ).json() as Tokens;
    assert.equal(tokens.id_token, undefined);
  });

  it('an ID token is refused as an access token by /auth/me and introspection', async () => {
    const { exchange, code, publicClient, confidential, app } = await flowServer();
    const tokens = (await exchange(publicClient, await code(publicClient))).json() as Tokens;
    const idToken = tokens.id_token ?? '';
    const response = await app.inject({
      method: 'GET',
      url: '/auth/me',
      headers: { authorization: `Bearer ${idToken}` },
    });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'token_unsupported');
    assert.match(String(response.headers['www-authenticate']), /invalid_token/);
    const { basic, SECRET } = await import('./code-flow.js');
    const introspection = await postForm(
      app,
      '/oauth/introspect',
      { token: idToken },
      { authorization: basic(confidential.id, SECRET) },
    );
    assert.deepEqual(introspection.json(), { active: false });
  });
});
