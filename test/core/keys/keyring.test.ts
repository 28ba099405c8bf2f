import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/core/clock.js';
import { KeyRing } from '../../../src/core/keys/keyring.js';
import { SecretBox } from '../../../src/core/keys/secret-box.js';
import { createMemoryStores } from '../../../src/stores/memory/index.js';
import { replaceCompromisedKeys } from '../../../src/core/keys/compromise.js';
import { activationDelayMs, jwksMaxAgeSeconds } from '../../../src/core/keys/schedule.js';
import { createCore } from '../../../src/core/tessera.js';
import { policyFromConfig } from '../../../src/server/policy.js';
import { loadConfig } from '../../../src/config.js';
import type { KeyRingOptions } from '../../../src/core/keys/keyring.js';
import type { RevocationEvent } from '../../../src/stores/ports.js';

async function testCore() {
  const config = loadConfig({ env: {}, flags: {} });
  return createCore({
    stores: createMemoryStores(),
    clock: new ManualClock(),
    policy: policyFromConfig(config),
  });
}

const MINUTE = 60_000;
const options: KeyRingOptions = { alg: 'RS256', verifyOnlyMs: 10 * MINUTE + 30_000 };

function ring(secret?: string, stores = createMemoryStores(), clock = new ManualClock()) {
  return {
    ring: new KeyRing(stores.signingKeys, new SecretBox(secret), clock, options),
    stores,
    clock,
  };
}

describe('signing keys', () => {
  it('are created on first start, RS256 by default, and reused on the next start', async () => {
    const { ring: first, stores, clock } = ring();
    await first.load();
    assert.equal(first.signingKey().alg, 'RS256');
    const { ring: second } = ring(undefined, stores, clock);
    await second.load();
    assert.equal(second.signingKey().kid, first.signingKey().kid);
    assert.equal((await stores.signingKeys.list()).length, 1);
  });

  it('are encrypted at rest when a secret is set: no private parameter is readable in the store', async () => {
    const { ring: keys, stores } = ring('a long operator secret for tests');
    await keys.load();
    const [record] = await stores.signingKeys.list();
    assert.ok(record);
    assert.ok(record.privateKey.startsWith('jwe:'));
    assert.ok(!record.privateKey.includes('"d"'));
    assert.equal((await keys.summaries())[0]?.encrypted, true);
  });

  it('are stored as plain JWK without a secret (the server warns at start)', async () => {
    const { ring: keys, stores } = ring();
    await keys.load();
    const [record] = await stores.signingKeys.list();
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

  it('a planned rotation publishes the next key at once, signs with it only from activatesAt, and the sweep retires the old one a token lifetime later', async () => {
    const { ring: keys, clock, stores } = ring();
    await keys.load();
    const old = keys.signingKey().kid;
    const next = await keys.rotate();
    assert.notEqual(next, old);
    assert.deepEqual(
      keys
        .jwks()
        .keys.map((key) => key.kid)
        .sort(),
      [old, next].sort(),
    );
    assert.equal(keys.keySet().has(next), true, 'the server verifies it too');
    assert.equal(keys.signingKey().kid, old, 'not signing before activatesAt');
    clock.advance(activationDelayMs - 1);
    assert.equal(keys.signingKey().kid, old);
    clock.advance(1);
    assert.equal(keys.signingKey().kid, next, 'signs from activatesAt, with no reload or message');
    // Another instance loading the same records agrees, from its own clock.
    const { ring: other } = ring(undefined, stores, clock);
    await other.load();
    assert.equal(other.signingKey().kid, next);
    const states = new Map((await keys.summaries()).map((key) => [key.kid, key.state]));
    assert.deepEqual([states.get(old), states.get(next)], ['verify-only', 'active']);
    clock.advance(options.verifyOnlyMs);
    await keys.load();
    assert.equal(keys.keySet().has(old), true, 'verify-only through one token lifetime + skew');
    await keys.settle();
    assert.equal(
      (await stores.signingKeys.list()).find((key) => key.kid === next)?.state,
      'active',
    );
    clock.advance(1);
    assert.deepEqual(await keys.settle(), [old], 'the sweep retires it');
    await keys.load();
    assert.equal(keys.keySet().has(old), false);
    assert.deepEqual(
      keys.jwks().keys.map((key) => key.kid),
      [next],
    );
  });

  it('a second rotate while a key is pending changes nothing and returns the pending key', async () => {
    const { ring: keys, clock, stores } = ring();
    await keys.load();
    let announced = 0;
    keys.onRotate(() => (announced += 1));
    const next = await keys.rotate();
    clock.advance(60_000);
    assert.equal(await keys.rotate(), next);
    assert.equal((await stores.signingKeys.list()).length, 2);
    assert.equal(announced, 1);
    const pending = (await keys.summaries()).find((key) => key.kid === next);
    assert.equal(pending?.state, 'next');
    assert.equal(pending?.activatesAt, (pending?.createdAt ?? 0) + activationDelayMs);
  });

  it('a reload is read-only: it retires nothing, the sweep does', async () => {
    const { ring: keys, clock, stores } = ring();
    await keys.load();
    const old = keys.signingKey().kid;
    await keys.rotate();
    clock.advance(activationDelayMs + options.verifyOnlyMs + 1);
    const before = JSON.stringify(await stores.signingKeys.list());
    await keys.load();
    assert.equal(JSON.stringify(await stores.signingKeys.list()), before);
    assert.equal(keys.keySet().has(old), false, 'though no longer trusted');
  });

  it('rotate --now: the new key signs at once, every old kid leaves the JWKS and the server refuses its tokens, and a kid revocation is recorded', async () => {
    const core = await testCore();
    const { keyRing: keys, revocations } = core;
    const old = keys.signingKey().kid;
    const token = core.accessTokens.issue({
      subject: 'client',
      clientId: 'client',
      scope: '',
      audience: 'api',
    }).token;
    await core.accessTokens.verify(token);
    const pending = await keys.rotate();
    let announced = 0;
    keys.onRotate(() => (announced += 1));
    const events: RevocationEvent[] = [];
    revocations.subscribe((event) => events.push(event));
    const { kid, retired } = await replaceCompromisedKeys(keys, revocations);
    assert.equal(keys.signingKey().kid, kid);
    assert.deepEqual(retired.sort(), [old, pending].sort());
    assert.deepEqual(
      keys.jwks().keys.map((key) => key.kid),
      [kid],
    );
    await assert.rejects(core.accessTokens.verify(token), (error: { code?: string }) =>
      ['token_unknown_key', 'token_revoked'].includes(error.code ?? ''),
    );
    assert.equal(announced, 1, 'other instances are told to reload');
    assert.deepEqual(
      events.map((event) => [event.kind, event.value]).sort(),
      retired.map((value) => ['kid', value]).sort(),
    );
    const feed = await core.feed.since(0);
    assert.ok(feed.some((event) => event.kind === 'kid' && event.value === old));
    for (const event of events) {
      assert.ok(event.expiresAt - event.at >= jwksMaxAgeSeconds * 1000, 'outlives cached JWKS');
    }
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
    const keys = new KeyRing(stores.signingKeys, new SecretBox(undefined), new ManualClock(), {
      ...options,
      alg: 'HS256',
      hs256Secret: secret,
    });
    await keys.load();
    assert.equal(keys.signingKey().alg, 'HS256');
    assert.deepEqual(keys.jwks().keys, []);
    assert.equal((await stores.signingKeys.list())[0]?.privateKey, '', 'the secret is not stored');
    await assert.rejects(
      keys.rotate(),
      (error: { code?: string }) => error.code === 'invalid_config',
    );
  });
});
