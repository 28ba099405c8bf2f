/**
 * Interop with oauth4webapi (v3), a strict OAuth 2.0 client: discovery, client_credentials with
 * client_secret_basic and client_secret_post, refresh_token by the public first-party client,
 * introspection (RFC 7662), revocation (RFC 7009), and refresh-token re-use detection, each
 * response checked by oauth4webapi's own processing functions. Its RFC 9068 resource-server check
 * (`validateJwtAccessToken`) also judges the access tokens.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import * as oauth from 'oauth4webapi';
import { REQUEST_TIMEOUT_MS, RESOURCE, startLiveServer, userTokens } from './live-server.js';
import type { LiveServer } from './live-server.js';

const SUITE = { timeout: 60_000 };

// oauth4webapi refuses http:// unless told; the server listens on 127.0.0.1 without TLS.
const options = {
  [oauth.allowInsecureRequests]: true,
  signal: () => AbortSignal.timeout(REQUEST_TIMEOUT_MS),
};

/** The built-in first-party public client: tokens from /auth/token carry this client_id. */
const firstParty: oauth.Client = { client_id: 'tessera' };

/** What `promise` rejected with; a failure when it resolved. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}

/** Asserts an OAuth error response surfaced as oauth4webapi's ResponseBodyError. */
async function assertOAuthError(promise: Promise<unknown>, error: string, status: number) {
  const thrown = await rejection(promise);
  assert.ok(
    thrown instanceof oauth.ResponseBodyError,
    `not a ResponseBodyError: ${String(thrown)}`,
  );
  assert.equal(thrown.error, error);
  assert.equal(thrown.status, status);
  assert.equal(typeof thrown.error_description, 'string');
}

describe('oauth4webapi against a live Tessera', SUITE, () => {
  let server: LiveServer;
  let as: oauth.AuthorizationServer;
  let client: oauth.Client;
  let basic: oauth.ClientAuth;
  let post: oauth.ClientAuth;

  before(async () => {
    // No grace: a rotated refresh token presented again is re-use at once.
    server = await startLiveServer({ config: { refreshGraceSeconds: 0 } });
    const issuer = new URL(server.issuer);
    as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { ...options, algorithm: 'oauth2' }),
    );
    client = { client_id: server.client.id };
    basic = oauth.ClientSecretBasic(server.client.secret);
    post = oauth.ClientSecretPost(server.client.secret);
  });
  after(() => server?.close());

  /** oauth4webapi's RFC 9068 check, as a resource server expecting `audience` runs it. */
  function validateAccessToken(token: string, audience: string) {
    const request = new Request(`${server.issuer}/resource`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return oauth.validateJwtAccessToken(as, request, audience, options);
  }

  function clientCredentials(auth: oauth.ClientAuth, parameters: Record<string, string> = {}) {
    return oauth
      .clientCredentialsGrantRequest(as, client, auth, parameters, options)
      .then((response) => oauth.processClientCredentialsResponse(as, client, response));
  }

  function refresh(refreshToken: string) {
    return oauth
      .refreshTokenGrantRequest(as, firstParty, oauth.None(), refreshToken, options)
      .then((response) => oauth.processRefreshTokenResponse(as, firstParty, response));
  }

  function introspect(token: string, auth = basic) {
    return oauth
      .introspectionRequest(as, client, auth, token, options)
      .then((response) => oauth.processIntrospectionResponse(as, client, response));
  }

  function revoke(
    who: oauth.Client,
    auth: oauth.ClientAuth,
    token: string,
    hint?: 'access_token' | 'refresh_token',
  ) {
    return oauth
      .revocationRequest(as, who, auth, token, {
        ...options,
        ...(hint === undefined ? {} : { additionalParameters: { token_type_hint: hint } }),
      })
      .then((response) => oauth.processRevocationResponse(response));
  }

  describe('discovery', () => {
    it('RFC 8414 and OpenID Connect discovery both yield metadata for the issuer the client asked for', async () => {
      const issuer = new URL(server.issuer);
      for (const algorithm of ['oauth2', 'oidc'] as const) {
        const response = await oauth.discoveryRequest(issuer, { ...options, algorithm });
        const found = await oauth.processDiscoveryResponse(issuer, response);
        assert.equal(found.issuer, server.issuer);
        assert.equal(found.token_endpoint, `${server.issuer}/oauth/token`);
        assert.equal(found.revocation_endpoint, `${server.issuer}/oauth/revoke`);
        assert.equal(found.introspection_endpoint, `${server.issuer}/oauth/introspect`);
        assert.equal(found.jwks_uri, `${server.issuer}/.well-known/jwks.json`);
        for (const grant of ['refresh_token', 'client_credentials']) {
          assert.ok(found.grant_types_supported?.includes(grant), grant);
        }
        for (const method of ['client_secret_basic', 'client_secret_post', 'none']) {
          assert.ok(found.token_endpoint_auth_methods_supported?.includes(method), method);
        }
      }
    });

    it('a client expecting another issuer refuses the metadata', async () => {
      const elsewhere = new URL('http://localhost:1');
      const response = await oauth.discoveryRequest(new URL(server.issuer), options);
      const thrown = await rejection(oauth.processDiscoveryResponse(elsewhere, response));
      assert.ok(thrown instanceof oauth.OperationProcessingError);
      assert.equal(thrown.code, oauth.JSON_ATTRIBUTE_COMPARISON);
    });
  });

  describe('client_credentials', () => {
    it('by client_secret_basic and by client_secret_post: a bearer token with the client’s scopes, no refresh token, valid per RFC 9068', async () => {
      for (const auth of [basic, post]) {
        const tokens = await clientCredentials(auth);
        assert.equal(tokens.token_type, 'bearer');
        assert.equal(tokens.refresh_token, undefined);
        assert.equal(tokens.scope, 'reports:read reports:write');
        assert.equal(typeof tokens.expires_in, 'number');
        const claims = await validateAccessToken(tokens.access_token, RESOURCE);
        assert.equal(claims.iss, server.issuer);
        assert.equal(claims.sub, server.client.id);
        assert.equal(claims.client_id, server.client.id);
      }
    });

    it('a requested scope narrows the grant; a scope the client is not allowed is invalid_scope', async () => {
      const narrowed = await clientCredentials(post, { scope: 'reports:read' });
      assert.equal(narrowed.scope, 'reports:read');
      await assertOAuthError(clientCredentials(basic, { scope: 'admin' }), 'invalid_scope', 400);
    });

    it('a wrong client secret is 401 invalid_client with a Basic challenge', async () => {
      for (const auth of [oauth.ClientSecretBasic('wrong'), oauth.ClientSecretPost('wrong')]) {
        const thrown = await rejection(clientCredentials(auth));
        // RFC 6749 §5.2: a 401 carries WWW-Authenticate, which oauth4webapi surfaces first.
        assert.ok(thrown instanceof oauth.WWWAuthenticateChallengeError, String(thrown));
        assert.equal(thrown.status, 401);
        assert.equal(thrown.cause[0]?.scheme, 'basic');
        assert.equal(((await thrown.response.json()) as { error: string }).error, 'invalid_client');
      }
    });
  });

  describe('refresh_token', () => {
    it('the public first-party client, without client authentication, rotates its refresh token', async () => {
      const { userId, tokens } = await userTokens(server.issuer, 'ada-refresh@example.com');
      const refreshed = await refresh(tokens.refresh_token);
      assert.equal(refreshed.token_type, 'bearer');
      assert.equal(refreshed.scope, 'account');
      assert.equal(typeof refreshed.refresh_token, 'string');
      assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
      assert.notEqual(refreshed.access_token, tokens.access_token);
      const claims = await validateAccessToken(refreshed.access_token, server.config.audience);
      assert.equal(claims.sub, userId);
      assert.equal(claims.client_id, 'tessera');
      // And the new refresh token refreshes in turn.
      await refresh(refreshed.refresh_token ?? '');
    });

    it('a rotated refresh token replayed after the grace window is invalid_grant, and its whole family is revoked', async () => {
      const { tokens } = await userTokens(server.issuer, 'ada-replay@example.com');
      const rotated = await refresh(tokens.refresh_token);
      // The grace window is 0 s, measured in milliseconds: let one pass for certain.
      await sleep(10);
      await assertOAuthError(refresh(tokens.refresh_token), 'invalid_grant', 400);
      await assertOAuthError(refresh(rotated.refresh_token ?? ''), 'invalid_grant', 400);
      assert.deepEqual(await introspect(rotated.access_token), { active: false });
    });

    it('an unknown refresh token is invalid_grant', async () => {
      await assertOAuthError(refresh('A'.repeat(43)), 'invalid_grant', 400);
    });
  });

  describe('introspection (RFC 7662)', () => {
    it('a confidential client sees an active user token with its claims', async () => {
      const { userId, tokens } = await userTokens(server.issuer, 'ada-introspect@example.com');
      for (const auth of [basic, post]) {
        const info = await introspect(tokens.access_token, auth);
        assert.equal(info.active, true);
        assert.equal(info.sub, userId);
        assert.equal(info.client_id, 'tessera');
        assert.equal(info.scope, 'account');
        assert.equal(info.iss, server.issuer);
        assert.equal(info.aud, server.config.audience);
        assert.equal(typeof info.exp, 'number');
        assert.equal(typeof info.iat, 'number');
        assert.equal(typeof info.token_type, 'string');
      }
    });

    it('anything that is not a valid access token is active: false', async () => {
      const { tokens } = await userTokens(server.issuer, 'ada-inactive@example.com');
      for (const token of ['not-a-token', tokens.refresh_token, `${tokens.access_token}x`]) {
        assert.deepEqual(await introspect(token), { active: false });
      }
    });

    it('token_type is the access token type of RFC 6749 §7.1 ("Bearer"), as RFC 7662 §2.2 defines it', async () => {
      const { tokens } = await userTokens(server.issuer, 'ada-token-type@example.com');
      const info = await introspect(tokens.access_token);
      assert.equal(String(info.token_type).toLowerCase(), 'bearer');
    });
  });

  describe('revocation (RFC 7009)', () => {
    it('a client revokes its access token by client_secret_basic and by client_secret_post; introspection then says active: false', async () => {
      for (const auth of [basic, post]) {
        const { access_token } = await clientCredentials(basic);
        assert.equal((await introspect(access_token)).active, true);
        await revoke(client, auth, access_token, 'access_token');
        assert.deepEqual(await introspect(access_token), { active: false });
      }
    });

    it('the public first-party client revokes a refresh token with no authentication: the grant and its access token end', async () => {
      const { tokens } = await userTokens(server.issuer, 'ada-revoke@example.com');
      await revoke(firstParty, oauth.None(), tokens.refresh_token, 'refresh_token');
      await assertOAuthError(refresh(tokens.refresh_token), 'invalid_grant', 400);
      assert.deepEqual(await introspect(tokens.access_token), { active: false });
    });

    it('the public first-party client revokes an access token without a hint', async () => {
      const { tokens } = await userTokens(server.issuer, 'ada-revoke-access@example.com');
      await revoke(firstParty, oauth.None(), tokens.access_token);
      assert.deepEqual(await introspect(tokens.access_token), { active: false });
    });

    it('revoking an unknown token, or another client’s token, succeeds and revokes nothing', async () => {
      await revoke(client, basic, 'no-such-token');
      const { access_token } = await clientCredentials(basic);
      await revoke(firstParty, oauth.None(), access_token, 'access_token');
      assert.equal((await introspect(access_token)).active, true);
    });
  });
});

for (const alg of ['ES256', 'EdDSA'] as const) {
  describe(`${alg}: oauth4webapi's RFC 9068 check accepts the access tokens`, SUITE, () => {
    let server: LiveServer;
    before(async () => {
      server = await startLiveServer({ config: { signingAlg: alg } });
    });
    after(() => server?.close());

    it('a client_credentials token validates against the discovered JWKS', async () => {
      const issuer = new URL(server.issuer);
      const as = await oauth.processDiscoveryResponse(
        issuer,
        await oauth.discoveryRequest(issuer, { ...options, algorithm: 'oauth2' }),
      );
      const client = { client_id: server.client.id };
      const tokens = await oauth.processClientCredentialsResponse(
        as,
        client,
        await oauth.clientCredentialsGrantRequest(
          as,
          client,
          oauth.ClientSecretBasic(server.client.secret),
          {},
          options,
        ),
      );
      const request = new Request(`${server.issuer}/resource`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      const claims = await oauth.validateJwtAccessToken(as, request, RESOURCE, {
        ...options,
        signingAlgorithms: [alg],
      });
      assert.equal(claims.sub, server.client.id);
    });
  });
}
