/**
 * The token endpoint's grant registry: each client uses only the grants its registration lists
 * (RFC 6749 §5.2 unauthorized_client), and the metadata lists exactly what the endpoint serves.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIRST_PARTY_CLIENT_ID } from '../../src/core/clients/clients.js';
import { TesseraError } from '../../src/core/errors.js';
import { grants } from '../../src/core/oauth/grants/registry.js';
import { postForm as post, signup, testServer, userTokens } from '../helpers/server.js';

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

async function withClient(clientGrants?: string[]) {
  const server = await testServer();
  const { client, secret } = await server.core.clients.create({
    name: 'integration',
    scopes: ['reports:read'],
    audiences: [],
    ...(clientGrants === undefined ? {} : { grants: clientGrants }),
  });
  return { ...server, client, authorization: basic(client.id, secret) };
}

describe('grants a client may use', () => {
  it('a client registered without a grant gets 400 unauthorized_client for it', async () => {
    const { app, authorization } = await withClient(['refresh_token']);
    const response = await post(
      app,
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { authorization },
    );
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().error, 'unauthorized_client');
  });

  it('a client registered without refresh_token is refused before the refresh token is spent', async () => {
    const { app, authorization } = await withClient(['client_credentials']);
    const { refresh_token } = await userTokens(app);
    const refused = await post(
      app,
      '/oauth/token',
      { grant_type: 'refresh_token', refresh_token },
      { authorization },
    );
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.json().error, 'unauthorized_client');
    // Not rotated: the first-party app still refreshes with it, and no reuse was detected.
    const owner = await post(app, '/oauth/token', { grant_type: 'refresh_token', refresh_token });
    assert.equal(owner.statusCode, 200, owner.body);
  });

  it('without a named client, the client the refresh token was issued to must be allowed refresh_token', async () => {
    const { app, core, client } = await withClient(['client_credentials']);
    const user = (await signup(app)).json().user as { id: string };
    const { token } = await core.families.start(user.id, client.id, 'reports:read');
    const response = await post(app, '/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: token,
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().error, 'unauthorized_client');
  });

  it('a refresh token of a deleted client is invalid_grant', async () => {
    const { app, core, client } = await withClient();
    const user = (await signup(app)).json().user as { id: string };
    const { token } = await core.families.start(user.id, client.id, 'reports:read');
    await core.clients.delete(client.id);
    const response = await post(app, '/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: token,
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().error, 'invalid_grant');
  });

  it('a confidential client naming itself without its secret is 401 invalid_client', async () => {
    const { app, client } = await withClient();
    const { refresh_token } = await userTokens(app);
    const response = await post(app, '/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token,
      client_id: client.id,
    });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().error, 'invalid_client');
  });

  it('a client registered without --grant can use what every confidential client could before', async () => {
    const { client } = await withClient();
    assert.deepEqual(client.grants, ['client_credentials', 'refresh_token']);
  });

  it('the first-party client keeps refresh_token alone', async () => {
    const { app, core } = await withClient();
    assert.deepEqual((await core.clients.find(FIRST_PARTY_CLIENT_ID))?.grants, ['refresh_token']);
    const { refresh_token } = await userTokens(app);
    const refreshed = await post(app, '/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token,
      client_id: FIRST_PARTY_CLIENT_ID,
    });
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    const credentials = await post(app, '/oauth/token', {
      grant_type: 'client_credentials',
      client_id: FIRST_PARTY_CLIENT_ID,
    });
    assert.equal(credentials.statusCode, 401);
    assert.equal(credentials.json().error, 'invalid_client');
  });

  it('registration refuses a grant the registry does not have for confidential clients', async () => {
    const { core } = await testServer();
    for (const grant of ['password', 'implicit', '']) {
      await assert.rejects(
        core.clients.create({ name: 'x', scopes: [], audiences: [], grants: [grant] }),
        (error) => error instanceof TesseraError && error.code === 'invalid_request',
        grant,
      );
    }
  });
});

describe('grant registry and metadata', () => {
  it('the metadata lists exactly the grants the token endpoint serves', async () => {
    const { app } = await withClient();
    const metadata = (await app.inject('/.well-known/oauth-authorization-server')).json();
    assert.deepEqual(
      metadata.grant_types_supported,
      grants.map((grant) => grant.type),
    );
    for (const type of metadata.grant_types_supported as string[]) {
      const response = await post(app, '/oauth/token', { grant_type: type });
      assert.notEqual(response.json().error, 'unsupported_grant_type', type);
    }
    assert.deepEqual(metadata.token_endpoint_auth_methods_supported, [
      'client_secret_basic',
      'client_secret_post',
      'none',
    ]);
  });
});
