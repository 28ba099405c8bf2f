import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/core/clock.js';
import { KeyRing } from '../../../src/core/keys/keyring.js';
import { SecretBox } from '../../../src/core/keys/secret-box.js';
import { createMemoryStores } from '../../../src/stores/memory/index.js';
import type { KeyRingOptions } from '../../../src/core/keys/keyring.js';

const MINUTE = 60_000;
const options: KeyRingOptions = { alg: 'RS256', verifyOnlyMs: 10 * MINUTE + 30_000 };

function ring(secret?: string, stores = createMemoryStores(), clock = new ManualClock()) {
  return { ring: new KeyRing(stores.keys, new SecretBox(secret), clock, options), stores, clock };
}

describe('signing keys', () => {
  it('are created on first start, RS256 by default, and reused on the next start', async () => {
    const { ring: first, stores, clock } = ring();
    await first.load();
    assert.equal(first.signingKey().alg, 'RS256');
    const { ring: second } = ring(undefined, stores, clock);
    await second.load();
    assert.equal(second.signingKey().kid, first.signingKey().kid);
    assert.equal((await stores.keys.list()).length, 1);
  });

  it('are encrypted at rest when a secret is set: no private parameter is readable in the store', async () => {
    const { ring: keys, stores } = ring('a long operator secret for tests');
    await keys.load();
    const [record] = await stores.keys.list();
    assert.ok(record);
    assert.ok(record.privateKey.startsWith('jwe:'));
    assert.ok(!record.privateKey.includes('"d"'));
    assert.equal((await keys.summaries())[0]?.encrypted, true);
  });

  it('are stored as plain JWK without a secret (the server warns at start)', async () => {
    const { ring: keys, stores } = ring();
    await keys.load();
    const [record] = await stores.keys.list();
    assert.ok(record?.privateKey.includes('"d"'));
  });

  it('refuse to load with a wrong secret, or with none, once encrypted', async () => {
    const { ring: keys, stores, clock } = ring('the right secret');
    await keys.load();
    for (const secret of ['the wrong secret', undefined]) {
      const { ring: other } = ring(secret, stores, clock);
      await assert.rejects(
        other.load(),
        (error: { code?: string }) => error.code === 'invalid_config',
      );
    }
  });

  it('rotate: the new key signs, the old one verifies until its tokens expired, then retires', async () => {
    const { ring: keys, clock } = ring();
    await keys.load();
    const old = keys.signingKey().kid;
    const fresh = await keys.rotate();
    assert.equal(keys.signingKey().kid, fresh);
    assert.deepEqual([...keys.keySet().keys()].sort(), [old, fresh].sort());
    assert.equal(keys.jwks().keys.length, 2);
    clock.advance(options.verifyOnlyMs - 1);
    await keys.load();
    assert.equal(keys.keySet().has(old), true, 'still inside the token lifetime');
    clock.advance(2);
    await keys.load();
    assert.equal(keys.keySet().has(old), false);
    assert.deepEqual(
      keys.jwks().keys.map((key) => key.kid),
      [fresh],
    );
  });

  it('keeps the same key set object while nothing changed, so verifier caches survive reloads', async () => {
    const { ring: keys } = ring();
    await keys.load();
    const before = keys.keySet();
    await keys.load();
    assert.equal(keys.keySet(), before);
  });

  it('HS256 uses the configured secret, is never published, and does not rotate in the store', async () => {
    const stores = createMemoryStores();
    const secret = Buffer.alloc(32, 7).toString('base64');
    const keys = new KeyRing(stores.keys, new SecretBox(undefined), new ManualClock(), {
      ...options,
      alg: 'HS256',
      hs256Secret: secret,
    });
    await keys.load();
    assert.equal(keys.signingKey().alg, 'HS256');
    assert.deepEqual(keys.jwks().keys, []);
    assert.equal((await stores.keys.list())[0]?.privateKey, '', 'the secret is not stored');
    await assert.rejects(
      keys.rotate(),
      (error: { code?: string }) => error.code === 'invalid_config',
    );
  });
});
