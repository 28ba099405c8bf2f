/**
 * OpenID Connect around the code flow: UserInfo (RFC 6750 errors), RP-initiated logout (ends the
 * session and the tokens of its sign-ins; only registered post-logout URIs), consent revocation
 * (ends that client's tokens), discovery, and the switch for password tokens (RFC 9700 §2.4).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { postForm, tokenLogin, testServer, signup } from '../helpers/server.js';
import { flowServer, type Tokens } from './code-flow.js';
import type { FastifyInstance } from 'fastify';

function userinfo(app: FastifyInstance, token: string, method: 'GET' | 'POST' = 'GET') {
  return app.inject({
    method,
    url: '/oauth/userinfo',
    headers: { authorization: `Bearer ${token}` },
  });
}

async function meStatus(app: FastifyInstance, token: string): Promise<number> {
  const response = await app.inject({
    method: 'GET',
    url: '/auth/me',
    headers: { authorization: `Bearer ${token}` },
  });
  return response.statusCode;
}

describe('userinfo', () => {
  it('answers {sub, email, email_verified} to a token with openid (API.md), GET or POST, no-store', async () => {
    const { exchange, code, publicClient, app, user } = await flowServer();
    const plain = (await exchange(publicClient, await code(publicClient))).json() as Tokens;
    const response = await userinfo(app, plain.access_token);
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), {
      sub: user.userId,
      email: 'ada@example.com',
      email_verified: false,
    });
    assert.equal(response.headers['cache-control'], 'no-store');
    const withEmail = (
      await exchange(publicClient, await code(publicClient, { scope: 'openid email' }))
    ).json() as Tokens;
    const post = await userinfo(app, withEmail.access_token, 'POST');
    assert.deepEqual(post.json(), {
      sub: user.userId,
      email: 'ada@example.com',
      email_verified: false,
    });
  });

  it('a token without openid is 403 insufficient_scope; a bad or missing one 401 invalid_token', async () => {
    const { exchange, code, confidential, app } = await flowServer();
    const tokens = (
      await exchange(confidential, await code(confidential, { scope: 'reports:read' }))
    ).json() as Tokens;
    const noOpenid = await userinfo(app, tokens.access_token);
    assert.equal(noOpenid.statusCode, 403);
    assert.match(String(noOpenid.headers['www-authenticate']), /error="insufficient_scope"/);
    const bad = await userinfo(app, 'not.a.token');
    assert.equal(bad.statusCode, 401);
    assert.match(String(bad.headers['www-authenticate']), /error="invalid_token"/);
    const none = await app.inject({ method: 'GET', url: '/oauth/userinfo' });
    assert.equal(none.statusCode, 401);
    assert.match(String(none.headers['www-authenticate']), /^Bearer/);
  });
});

describe('RP-initiated logout', () => {
  it('a hint naming the current session ends it and revokes the tokens of its sign-ins', async () => {
    const { exchange, code, publicClient, app, core, user, stores } = await flowServer();
    const tokens = (
      await exchange(publicClient, await code(publicClient, { scope: 'openid offline_access' }))
    ).json() as Tokens;
    const outcome = await core.logout.request(
      {
        id_token_hint: tokens.id_token ?? '',
        post_logout_redirect_uri: 'https://app.example.com/bye',
        state: 's 1',
      },
      user,
    );
    assert.deepEqual(outcome, {
      kind: 'done',
      redirectTo: 'https://app.example.com/bye?state=s+1',
    });
    assert.equal((await stores.sessions.listByUser(user.userId)).length, 0, 'session ended');
    assert.equal(await meStatus(app, tokens.access_token), 401, 'access token revoked');
    const refresh = await postForm(app, '/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token ?? '',
      client_id: publicClient.id,
    });
    assert.equal(refresh.json().error, 'invalid_grant', 'refresh family revoked');
  });

  it('an unregistered post-logout URI gets an error page, and nothing ends', async () => {
    const { exchange, code, publicClient, core, user, stores } = await flowServer();
    const tokens = (await exchange(publicClient, await code(publicClient))).json() as Tokens;
    for (const uri of ['https://evil.example.com/bye', 'https://app.example.com/bye/x']) {
      const outcome = await core.logout.request(
        { id_token_hint: tokens.id_token ?? '', post_logout_redirect_uri: uri },
        user,
      );
      assert.equal(outcome.kind, 'error-page', uri);
    }
    const noClient = await core.logout.request(
      { post_logout_redirect_uri: 'https://app.example.com/bye' },
      user,
    );
    assert.equal(noClient.kind, 'error-page', 'a post-logout URI needs a client to check it');
    assert.equal((await stores.sessions.listByUser(user.userId)).length, 1);
  });

  it('without a valid hint a signed-in user is asked to confirm; confirming ends the session', async () => {
    const { core, user, stores, publicClient } = await flowServer();
    const params = {
      client_id: publicClient.id,
      post_logout_redirect_uri: 'https://app.example.com/bye',
    };
    const outcome = await core.logout.request(params, user);
    assert.deepEqual(outcome, { kind: 'confirm', params, clientName: 'Reports App' });
    assert.equal((await stores.sessions.listByUser(user.userId)).length, 1);
    const done = await core.logout.confirm(params, user);
    assert.deepEqual(done, { kind: 'done', redirectTo: 'https://app.example.com/bye' });
    assert.equal((await stores.sessions.listByUser(user.userId)).length, 0);
  });

  it('a forged or foreign hint is an error page', async () => {
    const { core, user } = await flowServer();
    const outcome = await core.logout.request({ id_token_hint: 'eyJhbGciOiJub25lIn0.e30.' }, user);
    assert.equal(outcome.kind, 'error-page');
  });

  it('an expired hint is still a hint; one naming another session asks to confirm', async () => {
    const { exchange, code, publicClient, core, user, clock, stores } = await flowServer();
    const tokens = (await exchange(publicClient, await code(publicClient))).json() as Tokens;
    clock.advance(24 * 60 * 60_000); // far past the ID token's exp
    const other = await core.sessions.create(user.userId, { userAgent: 'b', ip: '127.0.0.2' });
    const elsewhere = { ...user, sessionId: other.session.id };
    const hint = { id_token_hint: tokens.id_token ?? '' };
    assert.equal((await core.logout.request(hint, elsewhere)).kind, 'confirm');
    assert.deepEqual(await core.logout.request(hint, user), {
      kind: 'done',
      redirectTo: undefined,
    });
    const left = await stores.sessions.listByUser(user.userId);
    assert.deepEqual(
      left.map((session) => session.id),
      [other.session.id],
    );
  });

  it('a valid hint with nobody signed in still revokes the tokens of its session', async () => {
    const { exchange, code, publicClient, app, core } = await flowServer();
    const tokens = (await exchange(publicClient, await code(publicClient))).json() as Tokens;
    const outcome = await core.logout.request({ id_token_hint: tokens.id_token ?? '' }, undefined);
    assert.deepEqual(outcome, { kind: 'done', redirectTo: undefined });
    assert.equal(await meStatus(app, tokens.access_token), 401);
  });
});

describe('consents', () => {
  it('revoking a consent revokes that client’s tokens for the user, not other clients’', async () => {
    const { exchange, code, publicClient, confidential, app, core, user } = await flowServer();
    const mine = (
      await exchange(publicClient, await code(publicClient, { scope: 'openid offline_access' }))
    ).json() as Tokens;
    const other = (await exchange(confidential, await code(confidential))).json() as Tokens;
    const listed = await core.consents.list(user.userId);
    assert.deepEqual(
      listed.map((consent) => consent.clientId).sort(),
      [confidential.id, publicClient.id].sort(),
    );
    assert.equal(await core.consents.revoke(user.userId, publicClient.id), true);
    assert.equal(await meStatus(app, mine.access_token), 401);
    const refresh = await postForm(app, '/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: mine.refresh_token ?? '',
      client_id: publicClient.id,
    });
    assert.equal(refresh.json().error, 'invalid_grant');
    assert.equal(await meStatus(app, other.access_token), 200);
    const again = await core.authorization.authorize(
      { ...(await code(confidential)).params, client_id: publicClient.id, prompt: 'none' },
      user,
    );
    assert.ok(again.kind === 'redirect' && again.to.includes('error=consent_required'));
  });
});

describe('discovery', () => {
  it('names every endpoint and capability of the code flow and OpenID Connect', async () => {
    const { app } = await testServer();
    for (const path of [
      '/.well-known/openid-configuration',
      '/.well-known/oauth-authorization-server',
    ]) {
      const metadata = (await app.inject({ method: 'GET', url: path })).json();
      const base = 'http://localhost:8080';
      assert.equal(metadata.authorization_endpoint, `${base}/oauth/authorize`);
      assert.equal(metadata.userinfo_endpoint, `${base}/oauth/userinfo`);
      assert.equal(metadata.end_session_endpoint, `${base}/oauth/logout`);
      assert.deepEqual(metadata.response_types_supported, ['code']);
      assert.deepEqual(metadata.response_modes_supported, ['query']);
      assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
      assert.deepEqual(metadata.subject_types_supported, ['public']);
      assert.equal(metadata.authorization_response_iss_parameter_supported, true);
      for (const scope of ['openid', 'profile', 'email', 'offline_access']) {
        assert.ok(metadata.scopes_supported.includes(scope), scope);
      }
      assert.ok(metadata.token_endpoint_auth_methods_supported.includes('none'));
      assert.ok(metadata.grant_types_supported.includes('authorization_code'));
      const jwks = (await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
      assert.deepEqual(metadata.id_token_signing_alg_values_supported, [
        ...new Set(jwks.keys.map((key: { alg: string }) => key.alg)),
      ]);
      for (const claim of ['sub', 'auth_time', 'nonce', 'sid', 'at_hash', 'email']) {
        assert.ok(metadata.claims_supported.includes(claim), claim);
      }
    }
  });
});

describe('password tokens (POST /auth/token)', () => {
  it('are refused with 403 password_tokens_disabled when switched off', async () => {
    const { app } = await testServer({ env: { TESSERA_PASSWORD_TOKENS: 'off' } });
    await signup(app);
    const response = await tokenLogin(app);
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().code, 'password_tokens_disabled');
  });

  it('are never issued to a client other than the first-party one', async () => {
    const { app } = await testServer();
    await signup(app);
    const foreign = await app.inject({
      method: 'POST',
      url: '/auth/token',
      payload: {
        email: 'ada@example.com',
        password: 'correct horse battery staple',
        client_id: 'client_x',
      },
    });
    assert.equal(foreign.statusCode, 403);
    assert.equal(foreign.json().code, 'password_tokens_disabled');
    const own = await app.inject({
      method: 'POST',
      url: '/auth/token',
      payload: {
        email: 'ada@example.com',
        password: 'correct horse battery staple',
        client_id: 'tessera',
      },
    });
    assert.equal(own.statusCode, 200, own.body);
  });
});
