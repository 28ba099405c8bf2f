// Registration rules of the authorization code flow (RFC 9700 §2.1, RFC 8252 §7): only redirect
// URIs that cannot leak a code to someone else are registered, a public client gets no secret
// and only grants public clients may use, and deleting a client forgets every consent to it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Clients, type ClientInput } from '../../../src/core/clients/clients.js';
import { redirectUriProblem } from '../../../src/core/clients/redirect-uris.js';
import { ManualClock } from '../../../src/core/clock.js';
import { createMemoryStores } from '../../../src/stores/memory/index.js';

function setup() {
  const stores = createMemoryStores();
  return { stores, clients: new Clients(stores.clients, new ManualClock(), stores.consents) };
}

const app: ClientInput = {
  name: 'Photo printer',
  scopes: ['openid', 'photos:read'],
  audiences: ['https://api.example.com'],
  redirectUris: ['https://printer.example/callback'],
};

describe('redirect URIs at registration', () => {
  it('accepts https, loopback http and private-use schemes with a dot', () => {
    for (const uri of [
      'https://printer.example/callback',
      'https://printer.example:8443/cb?tenant=a%20b',
      'http://127.0.0.1/callback',
      'http://127.0.0.1:51004/cb',
      'http://[::1]/cb',
      'http://localhost:3000/cb',
      'com.example.app:/oauth2redirect/tessera',
      'com.example.app://callback',
    ]) {
      assert.equal(redirectUriProblem(uri), undefined, uri);
    }
  });

  it('refuses what could hand a code to someone else', () => {
    for (const uri of [
      'http://printer.example/callback', // plain http off the machine
      'http://127.0.0.1.evil.example/cb',
      'http://localhost.evil.example/cb',
      'https://printer.example/cb#done', // fragment
      'https://printer.example/cb#',
      'https://user:pass@printer.example/cb', // userinfo
      'https://printer.example@evil.example/cb',
      'https://@printer.example/cb',
      'myapp:/callback', // private-use scheme without a dot: any app may claim it
      'javascript:alert(1)',
      'data:text/html,hi',
      'file:///etc/passwd',
      'ftp://printer.example/cb',
      '/callback', // relative
      'printer.example/callback',
      '',
      ' https://printer.example/cb', // URL() would trim it: the match would not be exact
      'https://printer.example/c b',
      'https://printer.example/cb\n',
      `https://printer.example/${'a'.repeat(2000)}`,
    ]) {
      assert.notEqual(redirectUriProblem(uri), undefined, uri);
    }
  });

  it('a bad redirect URI is invalid_request naming the URI, and nothing is stored', async () => {
    const { clients, stores } = setup();
    const bad = 'http://printer.example/callback';
    await assert.rejects(
      clients.create({ ...app, redirectUris: ['https://printer.example/ok', bad] }),
      (error: Error & { code?: string }) =>
        error.code === 'invalid_request' && error.message.includes(bad),
    );
    await assert.rejects(
      clients.create({ ...app, postLogoutRedirectUris: ['https://printer.example/bye#x'] }),
      (error: Error & { code?: string }) =>
        error.code === 'invalid_request' && /post-logout/.test(error.message),
    );
    assert.deepEqual(await stores.clients.list(), []);
  });

  it('registered URIs are stored as given, once each, in order', async () => {
    const { clients, stores } = setup();
    const { client } = await clients.create({
      ...app,
      redirectUris: [
        'https://printer.example/b',
        'http://127.0.0.1/cb',
        'https://printer.example/b',
      ],
      postLogoutRedirectUris: ['https://printer.example/bye'],
    });
    const stored = await stores.clients.findById(client.id);
    assert.deepEqual(stored?.redirectUris, ['https://printer.example/b', 'http://127.0.0.1/cb']);
    assert.deepEqual(stored?.postLogoutRedirectUris, ['https://printer.example/bye']);
  });
});

describe('grants and client kinds at registration', () => {
  it('a client with redirect URIs defaults to authorization_code and refresh_token', async () => {
    const { clients } = setup();
    const { client, secret } = await clients.create(app);
    assert.deepEqual(client.grants, ['authorization_code', 'refresh_token']);
    assert.equal(typeof secret, 'string');
    assert.equal(client.firstParty, false);
  });

  it('a public client gets no secret, stores no hash, and cannot use client credentials', async () => {
    const { clients, stores } = setup();
    const created = await clients.create({ ...app, public: true });
    assert.equal(created.secret, undefined);
    assert.ok(!('secret' in created));
    assert.equal((await stores.clients.findById(created.client.id))?.secretHash, null);
    assert.deepEqual(created.client.grants, ['authorization_code', 'refresh_token']);
    await assert.rejects(
      clients.create({
        ...app,
        public: true,
        grants: ['authorization_code', 'client_credentials'],
      }),
      { code: 'invalid_request' },
    );
  });

  it('authorization_code needs at least one redirect URI, public client or not', async () => {
    const { clients } = setup();
    const noUris = { name: app.name, scopes: app.scopes, audiences: app.audiences };
    await assert.rejects(clients.create({ ...noUris, grants: ['authorization_code'] }), {
      code: 'invalid_request',
    });
    await assert.rejects(clients.create({ ...noUris, public: true }), { code: 'invalid_request' });
    await assert.rejects(clients.create({ ...app, redirectUris: [], public: true }), {
      code: 'invalid_request',
    });
  });

  it('a first-party client is marked so (no consent page)', async () => {
    const { clients } = setup();
    const { client } = await clients.create({ ...app, public: true, firstParty: true });
    assert.equal(client.firstParty, true);
    assert.equal(client.secretHash, null);
  });

  it('the built-in first-party client keeps no redirect URIs', async () => {
    const { clients } = setup();
    await clients.ensureFirstParty(['account'], ['https://api.example.com']);
    const [builtIn] = await clients.list();
    assert.deepEqual(builtIn?.redirectUris, []);
    assert.deepEqual(builtIn?.postLogoutRedirectUris, []);
  });
});

describe('client deletion', () => {
  it("deleting a client deletes every user's consent to it, and no other", async () => {
    const { clients, stores } = setup();
    const gone = await clients.create(app);
    const kept = await clients.create(app);
    await stores.consents.grant('alice', gone.client.id, ['openid'], 1);
    await stores.consents.grant('bob', gone.client.id, ['openid'], 1);
    await stores.consents.grant('alice', kept.client.id, ['openid'], 1);
    await clients.delete(gone.client.id);
    assert.equal(await stores.consents.find('alice', gone.client.id), undefined);
    assert.equal(await stores.consents.find('bob', gone.client.id), undefined);
    assert.ok(await stores.consents.find('alice', kept.client.id));
  });
});
