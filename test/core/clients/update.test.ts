// Changing a client after registration: the checks of registration apply again (redirect URIs,
// grants by kind), the first-party client keeps its grants and URIs, and a rotated secret
// replaces the old one at once (shown once, stored as a hash).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Clients, FIRST_PARTY_CLIENT_ID } from '../../../src/core/clients/clients.js';
import { ManualClock } from '../../../src/core/clock.js';
import { TesseraError } from '../../../src/core/errors.js';
import { sha256Hex } from '../../../src/core/random.js';
import { createMemoryStores } from '../../../src/stores/memory/index.js';
import type { AuditKind } from '../../../src/core/audit/audit.js';

async function setup() {
  const stores = createMemoryStores();
  const kinds: AuditKind[] = [];
  const clients = new Clients(stores.clients, new ManualClock(), stores.consents, {
    record: (kind) => kinds.push(kind),
  });
  await clients.ensureFirstParty(['account'], ['https://api.example.com']);
  return { stores, clients, kinds };
}

const input = {
  name: 'billing',
  scopes: ['invoices:read'],
  audiences: ['https://billing.example'],
};

async function failure(promise: Promise<unknown>): Promise<TesseraError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof TesseraError, String(error));
    return error;
  }
  assert.fail('expected a rejection');
}

describe('client update', () => {
  it('changes what the patch names and keeps the rest', async () => {
    const { clients, stores, kinds } = await setup();
    const { client } = await clients.create(input);
    const updated = await clients.update(client.id, {
      name: 'billing v2',
      scopes: ['invoices:read', 'invoices:write', 'invoices:read'],
      redirectUris: ['https://billing.example/cb'],
      grants: ['authorization_code', 'refresh_token'],
    });
    assert.equal(updated.name, 'billing v2');
    assert.deepEqual(updated.scopes, ['invoices:read', 'invoices:write']);
    assert.deepEqual(updated.audiences, input.audiences);
    assert.equal(updated.secretHash, client.secretHash);
    assert.deepEqual(await stores.clients.findById(client.id), updated);
    assert.deepEqual(kinds, ['client.created', 'client.changed']);
  });

  it('applies the registration checks: grants by kind, redirect URIs', async () => {
    const { clients } = await setup();
    const { client } = await clients.create(input);
    const noUri = await failure(clients.update(client.id, { grants: ['authorization_code'] }));
    assert.equal(noUri.code, 'invalid_request');
    const badUri = await failure(
      clients.update(client.id, { redirectUris: ['http://evil.example/cb'] }),
    );
    assert.equal(badUri.code, 'invalid_request');
    const pub = await clients.create({
      ...input,
      public: true,
      redirectUris: ['https://app.example/cb'],
    });
    const secretGrant = await failure(
      clients.update(pub.client.id, { grants: ['client_credentials'] }),
    );
    assert.equal(secretGrant.code, 'invalid_request');
    assert.equal(
      (await failure(clients.update(pub.client.id, { name: ' ' }))).code,
      'invalid_request',
    );
    assert.equal((await failure(clients.update('client_nope', { name: 'x' }))).code, 'not_found');
  });

  it("refuses to change the first-party client's grants and URIs, not its name", async () => {
    const { clients } = await setup();
    for (const patch of [
      { grants: ['authorization_code'] },
      { redirectUris: ['https://app.example/cb'] },
      { postLogoutRedirectUris: ['https://app.example/'] },
    ]) {
      assert.equal(
        (await failure(clients.update(FIRST_PARTY_CLIENT_ID, patch))).code,
        'invalid_request',
      );
    }
    assert.equal(
      (await clients.update(FIRST_PARTY_CLIENT_ID, { name: 'Our apps' })).name,
      'Our apps',
    );
  });
});

describe('client secret rotation', () => {
  it('returns a new 256-bit secret once; the old one stops working at once', async () => {
    const { clients, stores } = await setup();
    const { client, secret } = await clients.create(input);
    const fresh = await clients.rotateSecret(client.id);
    assert.equal(Buffer.from(fresh, 'base64url').length, 32);
    assert.equal((await stores.clients.findById(client.id))?.secretHash, sha256Hex(fresh));
    assert.equal(await clients.authenticate(client.id, secret), undefined);
    assert.equal((await clients.authenticate(client.id, fresh))?.id, client.id);
  });

  it('a public client has no secret to rotate', async () => {
    const { clients } = await setup();
    const pub = await clients.create({
      ...input,
      public: true,
      redirectUris: ['https://app.example/cb'],
    });
    assert.equal((await failure(clients.rotateSecret(pub.client.id))).code, 'invalid_request');
    assert.equal(
      (await failure(clients.rotateSecret(FIRST_PARTY_CLIENT_ID))).code,
      'invalid_request',
    );
  });
});
