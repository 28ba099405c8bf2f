import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ClientRecord } from '../../../src/stores/ports.js';
import { aHash, t0, type Rule } from './rule.js';

function aClient(overrides: Partial<ClientRecord> = {}): ClientRecord {
  return {
    id: randomUUID(),
    secretHash: aHash(),
    name: 'Billing integration',
    scopes: ['invoices:read', 'invoices:write'],
    audiences: ['https://api.example.com'],
    grants: ['client_credentials', 'refresh_token'],
    redirectUris: [],
    postLogoutRedirectUris: [],
    firstParty: false,
    createdAt: t0,
    ...overrides,
  };
}

/** The ClientStore part of the contract. */
export function clientRules(rule: Rule): void {
  rule('a created client is found by id exactly as inserted', async ({ clients }) => {
    const confidential = aClient({ createdAt: t0 + 3 });
    const publicFirstParty = aClient({
      secretHash: null,
      firstParty: true,
      scopes: [],
      grants: ['refresh_token'],
    });
    assert.equal(await clients.insert(confidential), 'created');
    assert.equal(await clients.insert(publicFirstParty), 'created');
    assert.deepEqual(await clients.findById(confidential.id), confidential);
    assert.deepEqual(await clients.findById(publicFirstParty.id), publicFirstParty);
  });

  rule('scopes and audiences come back exactly, in order', async ({ clients }) => {
    const client = aClient({
      scopes: ['z', 'a', 'openid', 'a:b/c'],
      audiences: ['urn:tessera:z', 'https://api.example.com/v1?x=1&y="2"', 'ünïcode', ''],
    });
    await clients.insert(client);
    assert.deepEqual(await clients.findById(client.id), client);
    const empty = aClient({ scopes: [], audiences: [] });
    await clients.insert(empty);
    assert.deepEqual(await clients.findById(empty.id), empty);
  });

  rule('the grants a client may use come back exactly, in order', async ({ clients }) => {
    const client = aClient({
      grants: ['refresh_token', 'urn:example:grant', 'client_credentials'],
    });
    await clients.insert(client);
    assert.deepEqual((await clients.findById(client.id))?.grants, client.grants);
    const none = aClient({ grants: [], createdAt: t0 + 1 });
    await clients.insert(none);
    assert.deepEqual((await clients.findById(none.id))?.grants, []);
    assert.deepEqual(
      (await clients.list()).map((listed) => listed.grants),
      [client.grants, []],
    );
  });

  rule(
    'redirect and post-logout URIs come back exactly, in order, empty lists included',
    async ({ clients }) => {
      const client = aClient({
        redirectUris: [
          'https://app.example.com/callback?x=1&y=%202',
          'http://127.0.0.1/cb',
          'com.example.app:/oauth2redirect',
          'https://ünïcode.example/"q"',
        ],
        postLogoutRedirectUris: ['https://app.example.com/bye', 'http://[::1]/out'],
      });
      await clients.insert(client);
      assert.deepEqual(await clients.findById(client.id), client);
      const none = aClient({ createdAt: t0 + 1 });
      await clients.insert(none);
      const listed = await clients.list();
      assert.deepEqual(
        listed.map((c) => [c.redirectUris, c.postLogoutRedirectUris]),
        [
          [client.redirectUris, client.postLogoutRedirectUris],
          [[], []],
        ],
      );
    },
  );

  rule('a taken client id is refused and changes nothing', async ({ clients }) => {
    const first = aClient();
    assert.equal(await clients.insert(first), 'created');
    assert.equal(await clients.insert(aClient({ id: first.id, name: 'Impostor' })), 'exists');
    assert.deepEqual(await clients.findById(first.id), first);
  });

  rule('concurrent inserts of one client id create exactly one client', async ({ clients }) => {
    const id = randomUUID();
    const attempts = Array.from({ length: 20 }, (_, n) => aClient({ id, name: `client ${n}` }));
    const outcomes = await Promise.all(attempts.map((client) => clients.insert(client)));
    assert.equal(outcomes.filter((outcome) => outcome === 'created').length, 1);
    assert.equal(outcomes.filter((outcome) => outcome === 'exists').length, 19);
    assert.deepEqual(await clients.findById(id), attempts[outcomes.indexOf('created')]);
  });

  rule('an unknown client id finds nothing', async ({ clients }) => {
    await clients.insert(aClient());
    assert.equal(await clients.findById(randomUUID()), undefined);
  });

  rule('clients are listed oldest first', async ({ clients }) => {
    // ids that sort against creation order, so only createdAt can produce the right order.
    const oldest = aClient({ id: `c-${randomUUID()}`, createdAt: t0 });
    const middle = aClient({ id: `b-${randomUUID()}`, createdAt: t0 + 1 });
    const newest = aClient({ id: `a-${randomUUID()}`, createdAt: t0 + 2 });
    for (const client of [middle, newest, oldest]) await clients.insert(client);
    assert.deepEqual(await clients.list(), [oldest, middle, newest]);
  });

  rule('deleting a client removes it alone and reports whether it existed', async ({ clients }) => {
    const gone = aClient();
    const kept = aClient({ createdAt: t0 + 1 });
    await clients.insert(gone);
    await clients.insert(kept);
    assert.equal(await clients.delete(gone.id), true);
    assert.equal(await clients.findById(gone.id), undefined);
    assert.deepEqual(await clients.list(), [kept]);
    assert.equal(await clients.delete(gone.id), false);
    assert.equal(await clients.delete(randomUUID()), false);
  });

  rule('a returned client is a copy, lists included', async ({ clients }) => {
    const client = aClient();
    const original = structuredClone(client);
    await clients.insert(client);
    client.scopes.push('admin');
    const found = await clients.findById(client.id);
    assert.ok(found);
    found.scopes.push('admin');
    found.audiences.push('https://evil.example');
    found.grants.push('client_credentials', 'urn:example:grant');
    found.redirectUris.push('https://evil.example/cb');
    found.postLogoutRedirectUris.push('https://evil.example/out');
    const [listed] = await clients.list();
    assert.ok(listed);
    listed.firstParty = true;
    assert.deepEqual(await clients.findById(client.id), original);
  });

  rule('update replaces every field but the id and the creation time', async ({ clients }) => {
    const client = aClient({ createdAt: t0 + 7 });
    const other = aClient();
    await clients.insert(client);
    await clients.insert(other);
    const changed: ClientRecord = {
      id: client.id,
      secretHash: null,
      name: 'Renamed',
      scopes: ['openid'],
      audiences: [],
      grants: ['authorization_code', 'refresh_token'],
      redirectUris: ['https://app.example/cb'],
      postLogoutRedirectUris: ['https://app.example/bye'],
      firstParty: true,
      createdAt: t0 + 99,
    };
    assert.equal(await clients.update(changed), true);
    assert.deepEqual(await clients.findById(client.id), { ...changed, createdAt: t0 + 7 });
    assert.deepEqual(await clients.findById(other.id), other);
    assert.equal(await clients.update(aClient()), false);
    assert.equal((await clients.list()).length, 2);
  });
}
