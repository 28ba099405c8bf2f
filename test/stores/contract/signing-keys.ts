import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { SigningKeyRecord } from '../../../src/stores/ports.js';
import { hour, sorted, t0, type Rule } from './rule.js';

function aKey(overrides: Partial<SigningKeyRecord> = {}): SigningKeyRecord {
  const kid = randomUUID();
  const createdAt = overrides.createdAt ?? t0;
  return {
    kid,
    alg: 'ES256',
    publicJwk: JSON.stringify({ kty: 'EC', crv: 'P-256', kid, x: 'eA', y: 'eQ' }),
    privateKey: JSON.stringify({ kty: 'EC', crv: 'P-256', kid, x: 'eA', y: 'eQ', d: 'ZA' }),
    state: 'active',
    createdAt,
    activatesAt: createdAt,
    rotatedAt: null,
    ...overrides,
  };
}

/** The SigningKeyStore part of the contract. */
export function signingKeyRules(rule: Rule): void {
  rule(
    'the first activated key is the one active key, stored as given',
    async ({ signingKeys: keys }) => {
      const key = aKey({ createdAt: t0 + 7 });
      await keys.activate(key, t0 + 7);
      assert.deepEqual(await keys.list(), [key]);
    },
  );

  rule('an HS256 key keeps its null public JWK', async ({ signingKeys: keys }) => {
    const key = aKey({ alg: 'HS256', publicJwk: null, privateKey: '{"kty":"oct","k":"c2VjcmV0"}' });
    await keys.activate(key, t0);
    assert.deepEqual(await keys.list(), [key]);
  });

  rule(
    'an activated key is active whatever state its record claims',
    async ({ signingKeys: keys }) => {
      const key = aKey({ state: 'retired', rotatedAt: t0 - hour, activatesAt: t0 + hour });
      await keys.activate(key, t0);
      assert.deepEqual(await keys.list(), [
        { ...key, state: 'active', activatesAt: t0, rotatedAt: null },
      ]);
    },
  );

  rule(
    'activating a key demotes the active one to verify-only at that instant',
    async ({ signingKeys: keys }) => {
      const first = aKey({ createdAt: t0 });
      const second = aKey({ createdAt: t0 + hour });
      await keys.activate(first, t0);
      await keys.activate(second, t0 + hour);
      assert.deepEqual(await keys.list(), [
        { ...first, state: 'verify-only', rotatedAt: t0 + hour },
        second,
      ]);
    },
  );

  rule('concurrent activations leave exactly one active key', async ({ signingKeys: keys }) => {
    const now = t0 + hour;
    const candidates = Array.from({ length: 5 }, () => aKey({ createdAt: now }));
    await Promise.all(candidates.map((key) => keys.activate(key, now)));
    const listed = await keys.list();
    assert.equal(listed.length, 5);
    const active = listed.filter((key) => key.state === 'active');
    assert.equal(active.length, 1);
    assert.equal(active[0]?.rotatedAt, null);
    const others = listed.filter((key) => key.state !== 'active');
    assert.deepEqual(
      others.map((key) => [key.state, key.rotatedAt]),
      Array.from({ length: 4 }, () => ['verify-only', now]),
    );
  });

  rule('a reused kid is refused and the active key stays active', async ({ signingKeys: keys }) => {
    const key = aKey();
    await keys.activate(key, t0);
    await assert.rejects(keys.activate(aKey({ kid: key.kid, createdAt: t0 + hour }), t0 + hour));
    assert.deepEqual(await keys.list(), [key]);
  });

  rule('keys are listed oldest first, retired ones included', async ({ signingKeys: keys }) => {
    // kids that sort against creation order, so only createdAt can produce the right order.
    const oldest = aKey({ kid: `c-${randomUUID()}`, createdAt: t0 });
    const middle = aKey({ kid: `b-${randomUUID()}`, createdAt: t0 + hour });
    const newest = aKey({ kid: `a-${randomUUID()}`, createdAt: t0 + 2 * hour });
    await keys.activate(middle, t0 + hour);
    await keys.activate(oldest, t0 + 2 * hour);
    await keys.activate(newest, t0 + 3 * hour);
    assert.deepEqual(await keys.retire(t0 + 3 * hour), [middle.kid]);
    assert.deepEqual(
      (await keys.list()).map((key) => [key.kid, key.state]),
      [
        [oldest.kid, 'verify-only'],
        [middle.kid, 'retired'],
        [newest.kid, 'active'],
      ],
    );
  });

  rule(
    'retire takes only verify-only keys rotated before the cutoff',
    async ({ signingKeys: keys }) => {
      const [k1, k2, k3, k4] = [0, 1, 2, 3].map((n) => aKey({ createdAt: t0 + n * hour }));
      assert.ok(k1 && k2 && k3 && k4);
      for (const [n, key] of [k1, k2, k3, k4].entries()) await keys.activate(key, t0 + n * hour);
      // k1 stopped signing at t0+1h, k2 at t0+2h (the cutoff itself: not before it), k3 at t0+3h.
      assert.deepEqual(await keys.retire(t0 + 2 * hour), [k1.kid]);
      const states = new Map((await keys.list()).map((key) => [key.kid, key]));
      assert.equal(states.get(k1.kid)?.state, 'retired');
      assert.equal(states.get(k1.kid)?.rotatedAt, t0 + hour);
      assert.equal(states.get(k2.kid)?.state, 'verify-only');
      assert.equal(states.get(k4.kid)?.state, 'active');
      // The active key is never retired, however late the cutoff; retired keys are not re-reported.
      assert.deepEqual(sorted(await keys.retire(t0 + 100 * hour)), sorted([k2.kid, k3.kid]));
      assert.deepEqual(await keys.retire(t0 + 100 * hour), []);
      assert.equal((await keys.list()).find((key) => key.kid === k4.kid)?.state, 'active');
    },
  );

  rule(
    'a retired key stays retired when another key is activated',
    async ({ signingKeys: keys }) => {
      const old = aKey();
      await keys.activate(old, t0);
      await keys.activate(aKey({ createdAt: t0 + 1 }), t0 + hour);
      await keys.retire(t0 + 2 * hour);
      await keys.activate(aKey({ createdAt: t0 + 2 }), t0 + 3 * hour);
      const found = (await keys.list()).find((key) => key.kid === old.kid);
      assert.deepEqual(found, { ...old, state: 'retired', rotatedAt: t0 + hour });
    },
  );

  rule('with no keys, list is empty and retire retires nothing', async ({ signingKeys: keys }) => {
    assert.deepEqual(await keys.list(), []);
    assert.deepEqual(await keys.retire(t0), []);
    assert.equal(await keys.promote(t0), undefined);
  });

  rule(
    'a scheduled key is stored as next, and the active key keeps signing',
    async ({ signingKeys: keys }) => {
      const current = aKey();
      await keys.activate(current, t0);
      const next = aKey({ createdAt: t0 + 1, activatesAt: t0 + hour, state: 'active' });
      assert.deepEqual(await keys.schedule(next), { ...next, state: 'next' });
      assert.deepEqual(await keys.list(), [current, { ...next, state: 'next' }]);
    },
  );

  rule(
    'scheduling while a key is pending changes nothing and returns the pending key',
    async ({ signingKeys: keys }) => {
      await keys.activate(aKey(), t0);
      const first = aKey({ createdAt: t0 + 1, activatesAt: t0 + hour, state: 'next' });
      await keys.schedule(first);
      const second = aKey({ createdAt: t0 + 2, activatesAt: t0 + 2 * hour, state: 'next' });
      assert.deepEqual(await keys.schedule(second), first);
      const listed = await keys.list();
      assert.equal(listed.length, 2);
      assert.deepEqual(listed[1], first);
      await assert.rejects(keys.schedule({ ...second, kid: first.kid }));
    },
  );

  rule('concurrent schedules leave exactly one pending key', async ({ signingKeys: keys }) => {
    await keys.activate(aKey(), t0);
    const candidates = Array.from({ length: 5 }, (_, n) =>
      aKey({ createdAt: t0 + 1 + n, activatesAt: t0 + hour, state: 'next' }),
    );
    const answers = await Promise.all(candidates.map((key) => keys.schedule(key)));
    const pending = (await keys.list()).filter((key) => key.state === 'next');
    assert.equal(pending.length, 1);
    assert.deepEqual(new Set(answers.map((key) => key.kid)), new Set([pending[0]?.kid]));
  });

  rule(
    'promote makes a due pending key active and the old one verify-only from its activation',
    async ({ signingKeys: keys }) => {
      const current = aKey();
      await keys.activate(current, t0);
      const next = aKey({ createdAt: t0 + 1, activatesAt: t0 + hour, state: 'next' });
      await keys.schedule(next);
      assert.equal(await keys.promote(t0 + hour - 1), undefined, 'not due yet');
      assert.equal((await keys.list())[1]?.state, 'next');
      assert.equal(await keys.promote(t0 + 2 * hour), next.kid);
      assert.deepEqual(await keys.list(), [
        { ...current, state: 'verify-only', rotatedAt: t0 + hour },
        { ...next, state: 'active' },
      ]);
      assert.equal(await keys.promote(t0 + 3 * hour), undefined, 'nothing pending');
      assert.deepEqual(await keys.retire(t0 + 2 * hour), [current.kid]);
    },
  );

  rule(
    'activateAlone retires every other live key at once and returns their kids',
    async ({ signingKeys: keys }) => {
      const old = aKey();
      const current = aKey({ createdAt: t0 + 1 });
      await keys.activate(old, t0);
      await keys.activate(current, t0 + hour);
      const retiredBefore = aKey({ createdAt: t0 + 2 });
      await keys.activate(retiredBefore, t0 + 2 * hour);
      await keys.retire(t0 + 3 * hour); // old and current retire
      const signer = aKey({ createdAt: t0 + 3 });
      await keys.activate(signer, t0 + 4 * hour);
      const pending = aKey({ createdAt: t0 + 4, activatesAt: t0 + 9 * hour, state: 'next' });
      await keys.schedule(pending);
      const fresh = aKey({ createdAt: t0 + 5 });
      const retired = await keys.activateAlone(fresh, t0 + 5 * hour);
      assert.deepEqual(sorted(retired), sorted([retiredBefore.kid, signer.kid, pending.kid]));
      const byKid = new Map((await keys.list()).map((key) => [key.kid, key]));
      assert.deepEqual(byKid.get(fresh.kid), { ...fresh, activatesAt: t0 + 5 * hour });
      assert.deepEqual(byKid.get(signer.kid)?.rotatedAt, t0 + 5 * hour);
      assert.deepEqual(byKid.get(retiredBefore.kid)?.rotatedAt, t0 + 4 * hour, 'kept');
      assert.equal(byKid.get(old.kid)?.rotatedAt, t0 + hour, 'an already retired key is untouched');
      for (const kid of [old.kid, current.kid, retiredBefore.kid, signer.kid, pending.kid])
        assert.equal(byKid.get(kid)?.state, 'retired');
      await assert.rejects(keys.activateAlone({ ...aKey(), kid: fresh.kid }, t0 + 6 * hour));
      assert.equal(
        new Map((await keys.list()).map((key) => [key.kid, key])).get(fresh.kid)?.state,
        'active',
      );
    },
  );

  rule(
    'a listed key is a copy: editing it does not change the store',
    async ({ signingKeys: keys }) => {
      const key = aKey();
      const original = { ...key };
      await keys.activate(key, t0);
      key.privateKey = 'edited after activate';
      const [listed] = await keys.list();
      assert.ok(listed);
      listed.state = 'retired';
      assert.deepEqual(await keys.list(), [original]);
    },
  );
}
