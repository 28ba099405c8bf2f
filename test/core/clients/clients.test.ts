// The client rules: a confidential client's secret is shown once and stored as a hash,
// authentication compares it in constant time and fails the same way for every reason, a client
// uses only the grants its kind and its registration allow, and asks only for its own scopes and
// audiences.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Clients,
  DEFAULT_CLIENT_GRANTS,
  FIRST_PARTY_CLIENT_ID,
} from '../../../src/core/clients/clients.js';
import { ManualClock } from '../../../src/core/clock.js';
import { findGrant, assertGrantAllowed } from '../../../src/core/oauth/grants/registry.js';
import { sha256Hex } from '../../../src/core/random.js';
import { createCore } from '../../../src/core/tessera.js';
import { createMemoryStores } from '../../../src/stores/memory/index.js';
import { testPolicy } from '../policy.js';
import type { Grant } from '../../../src/core/oauth/grants/registry.js';

function setup() {
  const stores = createMemoryStores();
  const clock = new ManualClock();
  return { stores, clock, clients: new Clients(stores.clients, clock, stores.consents) };
}

const input = {
  name: 'billing',
  scopes: ['invoices:read'],
  audiences: ['https://billing.example'],
};

function grant(type: string): Grant {
  const found = findGrant(type);
  assert.ok(found, type);
  return found;
}

describe('client registration', () => {
  it('returns a 256-bit secret once and stores only its SHA-256 hash', async () => {
    const { clients, stores } = setup();
    const { client, secret } = await clients.create(input);
    assert.equal(Buffer.from(secret, 'base64url').length, 32);
    const stored = await stores.clients.findById(client.id);
    assert.equal(stored?.secretHash, sha256Hex(secret));
    assert.ok(!JSON.stringify(stored).includes(secret));
    assert.equal(stored?.firstParty, false);
  });

  it('two registrations get different ids and secrets', async () => {
    const { clients } = setup();
    const one = await clients.create(input);
    const two = await clients.create(input);
    assert.notEqual(one.client.id, two.client.id);
    assert.notEqual(one.secret, two.secret);
  });

  it('without grants named, a client gets the default confidential grants', async () => {
    const { clients } = setup();
    const { client } = await clients.create(input);
    assert.deepEqual(client.grants, [...DEFAULT_CLIENT_GRANTS]);
  });

  it('refuses a grant that is unknown or not for confidential clients', async () => {
    const { clients } = setup();
    for (const type of ['password', 'implicit', 'nonsense']) {
      await assert.rejects(clients.create({ ...input, grants: [type] }), {
        code: 'invalid_request',
      });
    }
  });

  it('drops duplicate scopes, audiences and grants', async () => {
    const { clients } = setup();
    const { client } = await clients.create({
      name: 'dup',
      scopes: ['a', 'a', 'b'],
      audiences: ['x', 'x'],
      grants: ['client_credentials', 'client_credentials'],
    });
    assert.deepEqual(client.scopes, ['a', 'b']);
    assert.deepEqual(client.audiences, ['x']);
    assert.deepEqual(client.grants, ['client_credentials']);
  });

  it('the first-party client cannot be deleted; an unknown one is not_found', async () => {
    const { clients } = setup();
    await clients.ensureFirstParty(['account'], ['https://api.example.com']);
    await assert.rejects(clients.delete(FIRST_PARTY_CLIENT_ID), { code: 'invalid_request' });
    await assert.rejects(clients.delete('client_nope'), { code: 'not_found' });
  });

  it('ensuring the first-party client twice keeps one public client', async () => {
    const { clients } = setup();
    await clients.ensureFirstParty(['account'], ['https://api.example.com']);
    await clients.ensureFirstParty(['account'], ['https://api.example.com']);
    const all = await clients.list();
    assert.equal(all.length, 1);
    assert.equal(all[0]?.secretHash, null);
  });
});

describe('client authentication', () => {
  it('the right secret authenticates the client', async () => {
    const { clients } = setup();
    const { client, secret } = await clients.create(input);
    assert.equal((await clients.authenticate(client.id, secret))?.id, client.id);
  });

  it('a wrong secret, a secret of another length, an unknown id all fail the same way', async () => {
    const { clients } = setup();
    const { client, secret } = await clients.create(input);
    const other = await clients.create(input);
    const last = secret.at(-1) === 'A' ? 'B' : 'A';
    for (const [id, presented] of [
      [client.id, `${secret.slice(0, -1)}${last}`],
      [client.id, `${secret}x`],
      [client.id, ''],
      [client.id, other.secret],
      [client.id, sha256Hex(secret)],
      ['client_unknown', secret],
    ] as const) {
      assert.equal(await clients.authenticate(id, presented), undefined, `${id} ${presented}`);
    }
  });

  it('a public client has no secret and never authenticates as confidential', async () => {
    const { clients } = setup();
    await clients.ensureFirstParty(['account'], ['https://api.example.com']);
    assert.equal(await clients.authenticate(FIRST_PARTY_CLIENT_ID, ''), undefined);
    assert.equal(await clients.authenticate(FIRST_PARTY_CLIENT_ID, 'anything'), undefined);
  });
});

describe('client grants', () => {
  it('a client uses only the grants its registration lists', async () => {
    const { clients } = setup();
    const { client } = await clients.create({ ...input, grants: ['refresh_token'] });
    assert.throws(() => assertGrantAllowed(grant('client_credentials'), client), {
      code: 'unauthorized_client',
    });
    assertGrantAllowed(grant('refresh_token'), client);
  });

  it('the public first-party client cannot use client credentials', async () => {
    const { clients } = setup();
    await clients.ensureFirstParty(['account'], ['https://api.example.com']);
    const firstParty = await clients.find(FIRST_PARTY_CLIENT_ID);
    assert.ok(firstParty);
    assert.throws(() => assertGrantAllowed(grant('client_credentials'), firstParty), {
      code: 'unauthorized_client',
    });
    assertGrantAllowed(grant('refresh_token'), firstParty);
  });
});

describe('client scopes and audiences', () => {
  async function withCore() {
    const stores = createMemoryStores();
    const core = await createCore({ stores, clock: new ManualClock(), policy: testPolicy() });
    const { client } = await core.clients.create({
      name: 'reports',
      scopes: ['reports:read', 'reports:write'],
      audiences: ['https://reports.example', 'https://archive.example'],
    });
    return { core, client };
  }

  it('without a scope asked for, the token gets every scope the client is allowed', async () => {
    const { core, client } = await withCore();
    assert.equal(
      core.tokenService.clientCredentials(client, {}).scope,
      'reports:read reports:write',
    );
    assert.equal(
      core.tokenService.clientCredentials(client, { scope: '  ' }).scope,
      'reports:read reports:write',
    );
  });

  it('a client may narrow its scopes but never ask for one it was not given', async () => {
    const { core, client } = await withCore();
    assert.equal(
      core.tokenService.clientCredentials(client, { scope: 'reports:read' }).scope,
      'reports:read',
    );
    assert.throws(
      () => core.tokenService.clientCredentials(client, { scope: 'reports:read admin' }),
      {
        code: 'invalid_scope',
      },
    );
  });

  it('a client may ask only for one of its own audiences', async () => {
    const { core, client } = await withCore();
    const { access } = core.tokenService.clientCredentials(client, {
      resource: 'https://archive.example',
    });
    assert.equal(access.claims.aud, 'https://archive.example');
    assert.throws(
      () => core.tokenService.clientCredentials(client, { resource: 'https://other.example' }),
      { code: 'invalid_target' },
    );
  });
});
