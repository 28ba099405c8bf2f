import assert from 'node:assert/strict';
import { activationDelayMs } from '../../src/core/keys/schedule.js';
import { describe, it } from 'node:test';
import { FORM, PASSWORD, postForm as post, testServer, userTokens } from '../helpers/server.js';

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

async function setup(scopes = ['reports:read', 'reports:write'], audiences = ['reports-api']) {
  const server = await testServer();
  const { client, secret } = await server.core.clients.create({
    name: 'integration',
    scopes,
    audiences,
  });
  return { ...server, clientId: client.id, secret };
}

describe('client_credentials', () => {
  it('issues an access token and no refresh token, by client_secret_basic and client_secret_post', async () => {
    const { app, clientId, secret } = await setup();
    const viaBasic = await post(
      app,
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { authorization: basic(clientId, secret) },
    );
    const viaPost = await post(app, '/oauth/token', {
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: secret,
    });
    for (const response of [viaBasic, viaPost]) {
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json();
      assert.equal(body.token_type, 'Bearer');
      assert.equal(body.refresh_token, undefined);
      assert.equal(body.scope, 'reports:read reports:write');
      const claims = JSON.parse(
        Buffer.from(body.access_token.split('.')[1], 'base64url').toString(),
      );
      assert.equal(claims.sub, clientId);
      assert.equal(claims.client_id, clientId);
      assert.equal(claims.aud, 'reports-api');
      assert.equal(claims.sid, undefined);
    }
  });

  it('limits the scope to what the client is allowed: a subset is granted, more is invalid_scope', async () => {
    const { app, clientId, secret } = await setup();
    const subset = await post(
      app,
      '/oauth/token',
      { grant_type: 'client_credentials', scope: 'reports:read' },
      { authorization: basic(clientId, secret) },
    );
    assert.equal(subset.json().scope, 'reports:read');
    const more = await post(
      app,
      '/oauth/token',
      { grant_type: 'client_credentials', scope: 'reports:read admin' },
      { authorization: basic(clientId, secret) },
    );
    assert.equal(more.statusCode, 400);
    assert.equal(more.json().error, 'invalid_scope');
  });

  it('an empty or whitespace-only scope counts as absent: the client gets its default scopes (RFC 6749 §3.2)', async () => {
    const { app, clientId, secret } = await setup();
    for (const scope of ['', ' ', '   ']) {
      const response = await post(
        app,
        '/oauth/token',
        { grant_type: 'client_credentials', scope },
        { authorization: basic(clientId, secret) },
      );
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.json().scope, 'reports:read reports:write', JSON.stringify(scope));
      const claims = JSON.parse(
        Buffer.from(response.json().access_token.split('.')[1], 'base64url').toString(),
      );
      assert.equal(claims.scope, 'reports:read reports:write');
    }
  });

  it('refuses a wrong secret, an unknown client and no authentication with 401 invalid_client', async () => {
    const { app, clientId } = await setup();
    for (const headers of [
      { authorization: basic(clientId, 'wrong') },
      { authorization: basic('client_nope', 'x') },
      {},
    ]) {
      const response = await post(
        app,
        '/oauth/token',
        { grant_type: 'client_credentials' },
        headers,
      );
      assert.equal(response.statusCode, 401);
      assert.equal(response.json().error, 'invalid_client');
      assert.ok(response.headers['www-authenticate']);
    }
  });

  it('refuses two client authentication methods in one request', async () => {
    const { app, clientId, secret } = await setup();
    const response = await post(
      app,
      '/oauth/token',
      { grant_type: 'client_credentials', client_secret: secret },
      { authorization: basic(clientId, secret) },
    );
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().error, 'invalid_request');
  });

  it('answers an unknown grant with unsupported_grant_type, JSON with 415, repeated parameters with invalid_request', async () => {
    const { app, clientId, secret } = await setup();
    const unknown = await post(
      app,
      '/oauth/token',
      { grant_type: 'password' },
      { authorization: basic(clientId, secret) },
    );
    assert.equal(unknown.json().error, 'unsupported_grant_type');
    const json = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: { grant_type: 'client_credentials' },
    });
    assert.equal(json.statusCode, 415);
    const repeated = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: FORM,
      payload: 'grant_type=client_credentials&grant_type=refresh_token',
    });
    assert.equal(repeated.statusCode, 400);
    assert.equal(repeated.json().error, 'invalid_request');
  });
});

describe('POST /oauth/revoke (RFC 7009)', () => {
  it('the first-party client revokes its refresh token: the family and its access tokens die', async () => {
    const { app } = await setup();
    const { access_token, refresh_token } = await userTokens(app);
    const response = await post(app, '/oauth/revoke', {
      token: refresh_token,
      client_id: 'tessera',
    });
    assert.equal(response.statusCode, 200);
    const refresh = await post(app, '/oauth/token', { grant_type: 'refresh_token', refresh_token });
    assert.equal(refresh.json().error, 'invalid_grant');
    const me = await app.inject({
      method: 'GET',
      url: '/auth/me',
      headers: { authorization: `Bearer ${access_token}` },
    });
    assert.equal(me.statusCode, 401);
  });

  it('an access token is denylisted until it expires', async () => {
    const { app, clientId, secret } = await setup();
    const issued = await post(
      app,
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { authorization: basic(clientId, secret) },
    );
    const token = issued.json().access_token as string;
    const before = await post(
      app,
      '/oauth/introspect',
      { token },
      { authorization: basic(clientId, secret) },
    );
    assert.equal(before.json().active, true);
    assert.equal(
      (
        await post(
          app,
          '/oauth/revoke',
          { token, token_type_hint: 'access_token' },
          { authorization: basic(clientId, secret) },
        )
      ).statusCode,
      200,
    );
    const after = await post(
      app,
      '/oauth/introspect',
      { token },
      { authorization: basic(clientId, secret) },
    );
    assert.deepEqual(after.json(), { active: false });
  });

  it('a revoked access token stays refused through the clock-skew window after its exp', async () => {
    const { app, clock, clientId, secret } = await setup();
    const issued = await post(
      app,
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { authorization: basic(clientId, secret) },
    );
    const token = issued.json().access_token as string;
    await post(app, '/oauth/revoke', { token }, { authorization: basic(clientId, secret) });
    // 10 s past exp: still inside the 30 s skew that verification grants, so the denylist must hold.
    clock.advance(10 * 60_000 + 10_000);
    const after = await post(
      app,
      '/oauth/introspect',
      { token },
      { authorization: basic(clientId, secret) },
    );
    assert.deepEqual(after.json(), { active: false });
  });

  it('answers 200 for unknown tokens, and a client cannot revoke another client’s token', async () => {
    const { app, core, clientId, secret } = await setup();
    const other = await core.clients.create({ name: 'other', scopes: ['x'], audiences: [] });
    const theirs = await post(
      app,
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { authorization: basic(other.client.id, other.secret) },
    );
    const token = theirs.json().access_token as string;
    assert.equal(
      (
        await post(
          app,
          '/oauth/revoke',
          { token: 'garbage' },
          { authorization: basic(clientId, secret) },
        )
      ).statusCode,
      200,
    );
    assert.equal(
      (await post(app, '/oauth/revoke', { token }, { authorization: basic(clientId, secret) }))
        .statusCode,
      200,
    );
    const still = await post(
      app,
      '/oauth/introspect',
      { token },
      { authorization: basic(clientId, secret) },
    );
    assert.equal(still.json().active, true);
    const { refresh_token } = await userTokens(app);
    await post(
      app,
      '/oauth/revoke',
      { token: refresh_token },
      { authorization: basic(clientId, secret) },
    );
    assert.equal(
      (await post(app, '/oauth/token', { grant_type: 'refresh_token', refresh_token })).statusCode,
      200,
    );
  });

  it('needs client authentication: a client_id other than the first-party one alone is 401', async () => {
    const { app, clientId } = await setup();
    const response = await post(app, '/oauth/revoke', { token: 'x', client_id: clientId });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().error, 'invalid_client');
  });
});

describe('POST /oauth/introspect (RFC 7662)', () => {
  it('describes an active user token, and says only {active:false} for anything invalid', async () => {
    const { app, clock, clientId, secret } = await setup();
    const { access_token } = await userTokens(app);
    const auth = { authorization: basic(clientId, secret) };
    const active = (await post(app, '/oauth/introspect', { token: access_token }, auth)).json();
    assert.equal(active.active, true);
    for (const field of ['sub', 'client_id', 'scope', 'exp', 'iat', 'iss', 'aud', 'token_type'])
      assert.ok(field in active, field);
    for (const token of ['', 'x.y.z', `${access_token.slice(0, -2)}AA`]) {
      assert.deepEqual(
        (await post(app, '/oauth/introspect', { token }, auth)).json(),
        { active: false },
        token,
      );
    }
    clock.advance(11 * 60_000);
    assert.deepEqual((await post(app, '/oauth/introspect', { token: access_token }, auth)).json(), {
      active: false,
    });
  });

  it('requires client authentication', async () => {
    const { app } = await setup();
    const { access_token } = await userTokens(app);
    assert.equal((await post(app, '/oauth/introspect', { token: access_token })).statusCode, 401);
    assert.equal(
      (await post(app, '/oauth/introspect', { token: access_token, client_id: 'tessera' }))
        .statusCode,
      401,
    );
  });
});

describe('discovery', () => {
  it('publishes public keys only, each with kid, alg and use "sig"', async () => {
    const { app } = await setup();
    const { keys } = (await app.inject('/.well-known/jwks.json')).json() as {
      keys: Record<string, unknown>[];
    };
    assert.equal(keys.length, 1);
    for (const key of keys) {
      assert.equal(key.use, 'sig');
      assert.equal(key.alg, 'RS256');
      assert.equal(typeof key.kid, 'string');
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'])
        assert.equal(key[secret], undefined, secret);
    }
  });

  it('publishes the next key before it signs, keeps a rotated-out key until its tokens have expired, then retires it', async () => {
    const { app, core, clock } = await setup();
    const { access_token } = await userTokens(app);
    const oldKid = (await app.inject('/.well-known/jwks.json')).json().keys[0].kid;
    await core.keyRing.rotate();
    // A planned rotation: published now, signing once every cached JWKS has learnt it.
    clock.advance(activationDelayMs);
    const after = (await app.inject('/.well-known/jwks.json'))
      .json()
      .keys.map((key: { kid: string }) => key.kid);
    assert.equal(after.length, 2);
    assert.ok(after.includes(oldKid));
    const me = await app.inject({
      method: 'GET',
      url: '/auth/me',
      headers: { authorization: `Bearer ${access_token}` },
    });
    assert.equal(me.statusCode, 200, 'old tokens still verify');
    const fresh = await app.inject({
      method: 'POST',
      url: '/auth/token',
      payload: { email: 'ada@example.com', password: PASSWORD },
    });
    const kid = JSON.parse(
      Buffer.from(fresh.json().access_token.split('.')[0], 'base64url').toString(),
    ).kid;
    assert.notEqual(kid, oldKid, 'new tokens use the new key');
    clock.advance(11 * 60_000);
    await core.sweep();
    await core.keyRing.load();
    const later = (await app.inject('/.well-known/jwks.json'))
      .json()
      .keys.map((key: { kid: string }) => key.kid);
    assert.deepEqual(later, [kid]);
  });

  it('serves RFC 8414 metadata at both well-known paths', async () => {
    const { app } = await setup();
    for (const path of [
      '/.well-known/oauth-authorization-server',
      '/.well-known/openid-configuration',
    ]) {
      const metadata = (await app.inject(path)).json();
      assert.equal(metadata.issuer, 'http://localhost:8080');
      assert.equal(metadata.token_endpoint, 'http://localhost:8080/oauth/token');
      assert.equal(metadata.revocation_endpoint, 'http://localhost:8080/oauth/revoke');
      assert.equal(metadata.introspection_endpoint, 'http://localhost:8080/oauth/introspect');
      assert.equal(metadata.jwks_uri, 'http://localhost:8080/.well-known/jwks.json');
      assert.deepEqual(metadata.grant_types_supported, [
        'authorization_code',
        'refresh_token',
        'client_credentials',
      ]);
    }
  });
});
