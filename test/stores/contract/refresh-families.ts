import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { RefreshFamilyRecord } from '../../../src/stores/ports.js';
import { aHash, hour, minute, sorted, t0, type Rule } from './rule.js';

function aFamily(overrides: Partial<RefreshFamilyRecord> = {}): RefreshFamilyRecord {
  return {
    id: randomUUID(),
    userId: randomUUID(),
    clientId: 'tessera',
    sessionId: null,
    scope: 'openid profile',
    familySecretHash: aHash(),
    currentHash: aHash(),
    generation: 1,
    previousHash: null,
    rotatedAt: null,
    rotatedInGrace: false,
    createdAt: t0,
    expiresAt: t0 + 30 * 24 * hour,
    revokedAt: null,
    revokedReason: null,
    ...overrides,
  };
}

/** The RefreshFamilyStore part of the contract. */
export function refreshFamilyRules(rule: Rule): void {
  rule(
    'a family is found by id and by its current token hash, exactly as inserted',
    async ({ refreshFamilies }) => {
      const family = aFamily({ createdAt: t0 + 1, expiresAt: 8.64e15 });
      await refreshFamilies.insert(family);
      assert.deepEqual(await refreshFamilies.findById(family.id), family);
      assert.deepEqual(await refreshFamilies.findByTokenHash(family.currentHash), family);
      const revoked = aFamily({ generation: 4, previousHash: aHash(), rotatedAt: t0 + 2 });
      revoked.rotatedInGrace = true;
      Object.assign(revoked, { revokedAt: t0 + 3, revokedReason: 'reuse_detected' });
      await refreshFamilies.insert(revoked);
      assert.deepEqual(await refreshFamilies.findById(revoked.id), revoked);
    },
  );

  rule(
    'a family started before family secrets is stored and found with none',
    async ({ refreshFamilies }) => {
      const family = aFamily({ familySecretHash: null });
      await refreshFamilies.insert(family);
      assert.deepEqual(await refreshFamilies.findById(family.id), family);
      assert.deepEqual(await refreshFamilies.findByTokenHash(family.currentHash), family);
    },
  );

  rule(
    'a rotation given a family secret hash sets it; one given none keeps the stored one',
    async ({ refreshFamilies }) => {
      const legacy = aFamily({ familySecretHash: null });
      await refreshFamilies.insert(legacy);
      const secret = aHash();
      const next = aHash();
      assert.equal(
        await refreshFamilies.rotate(legacy.id, 1, next, t0 + minute, { familySecretHash: secret }),
        true,
      );
      assert.deepEqual(await refreshFamilies.findById(legacy.id), {
        ...legacy,
        familySecretHash: secret,
        currentHash: next,
        previousHash: legacy.currentHash,
        generation: 2,
        rotatedAt: t0 + minute,
      });
      const family = aFamily();
      await refreshFamilies.insert(family);
      assert.equal(await refreshFamilies.rotate(family.id, 1, aHash(), t0 + minute), true);
      assert.equal(
        (await refreshFamilies.findById(family.id))?.familySecretHash,
        family.familySecretHash,
      );
    },
  );

  rule(
    'a rotation records whether it was made inside the grace window, and the next one resets it',
    async ({ refreshFamilies }) => {
      const family = aFamily();
      await refreshFamilies.insert(family);
      await refreshFamilies.rotate(family.id, 1, aHash(), t0 + minute, { inGrace: true });
      assert.equal((await refreshFamilies.findById(family.id))?.rotatedInGrace, true);
      const third = aHash();
      await refreshFamilies.rotate(family.id, 2, third, t0 + 2 * minute);
      assert.equal((await refreshFamilies.findById(family.id))?.rotatedInGrace, false);
      assert.equal((await refreshFamilies.findByTokenHash(third))?.rotatedInGrace, false);
    },
  );

  rule('a refused rotation does not set the family secret hash', async ({ refreshFamilies }) => {
    const legacy = aFamily({ familySecretHash: null, generation: 3 });
    await refreshFamilies.insert(legacy);
    assert.equal(
      await refreshFamilies.rotate(legacy.id, 2, aHash(), t0 + minute, {
        familySecretHash: aHash(),
      }),
      false,
    );
    assert.deepEqual(await refreshFamilies.findById(legacy.id), legacy);
  });

  rule('unknown ids and token hashes find no family', async ({ refreshFamilies }) => {
    await refreshFamilies.insert(aFamily());
    assert.equal(await refreshFamilies.findById(randomUUID()), undefined);
    assert.equal(await refreshFamilies.findByTokenHash(aHash()), undefined);
  });

  rule('two families can never share a current token hash', async ({ refreshFamilies }) => {
    const first = aFamily();
    await refreshFamilies.insert(first);
    await assert.rejects(refreshFamilies.insert(aFamily({ currentHash: first.currentHash })));
    assert.deepEqual(await refreshFamilies.findByTokenHash(first.currentHash), first);
  });

  rule('a family id is never reused: inserting a taken id fails', async ({ refreshFamilies }) => {
    const first = aFamily();
    await refreshFamilies.insert(first);
    await assert.rejects(refreshFamilies.insert(aFamily({ id: first.id })));
    assert.deepEqual(await refreshFamilies.findById(first.id), first);
  });

  rule(
    'a rotation moves the current hash to previous and adds one generation',
    async ({ refreshFamilies }) => {
      const family = aFamily();
      const next = aHash();
      await refreshFamilies.insert(family);
      assert.equal(await refreshFamilies.rotate(family.id, 1, next, t0 + minute), true);
      assert.deepEqual(await refreshFamilies.findById(family.id), {
        ...family,
        currentHash: next,
        previousHash: family.currentHash,
        generation: 2,
        rotatedAt: t0 + minute,
      });
    },
  );

  rule(
    'a family is found by its previous token hash after a rotation, not by one two rotations old',
    async ({ refreshFamilies }) => {
      const family = aFamily();
      const [second, third] = [aHash(), aHash()];
      await refreshFamilies.insert(family);
      await refreshFamilies.rotate(family.id, 1, second, t0 + minute);
      assert.equal((await refreshFamilies.findByTokenHash(family.currentHash))?.id, family.id);
      assert.equal((await refreshFamilies.findByTokenHash(second))?.id, family.id);
      await refreshFamilies.rotate(family.id, 2, third, t0 + 2 * minute);
      assert.equal(await refreshFamilies.findByTokenHash(family.currentHash), undefined);
      assert.equal((await refreshFamilies.findByTokenHash(second))?.previousHash, second);
      assert.equal((await refreshFamilies.findByTokenHash(third))?.currentHash, third);
    },
  );

  rule(
    'a rotation to a token hash another family holds fails and changes nothing',
    async ({ refreshFamilies }) => {
      const family = aFamily();
      const other = aFamily();
      await refreshFamilies.insert(family);
      await refreshFamilies.insert(other);
      await assert.rejects(refreshFamilies.rotate(family.id, 1, other.currentHash, t0 + minute));
      assert.deepEqual(await refreshFamilies.findById(family.id), family);
      assert.deepEqual(await refreshFamilies.findByTokenHash(other.currentHash), other);
    },
  );

  rule('a rotation from a stale generation is refused and changes nothing', async (stores) => {
    const { refreshFamilies } = stores;
    const family = aFamily();
    await refreshFamilies.insert(family);
    await refreshFamilies.rotate(family.id, 1, aHash(), t0 + minute);
    const rotated = await refreshFamilies.findById(family.id);
    assert.equal(await refreshFamilies.rotate(family.id, 1, aHash(), t0 + 2 * minute), false);
    assert.equal(await refreshFamilies.rotate(family.id, 3, aHash(), t0 + 2 * minute), false);
    assert.deepEqual(await refreshFamilies.findById(family.id), rotated);
  });

  rule('a revoked family never rotates', async ({ refreshFamilies }) => {
    const family = aFamily();
    await refreshFamilies.insert(family);
    await refreshFamilies.revoke(family.id, 'logout', t0 + minute);
    const revoked = await refreshFamilies.findById(family.id);
    assert.equal(await refreshFamilies.rotate(family.id, 1, aHash(), t0 + 2 * minute), false);
    assert.deepEqual(await refreshFamilies.findById(family.id), revoked);
  });

  rule('rotating an unknown family is refused', async ({ refreshFamilies }) => {
    assert.equal(await refreshFamilies.rotate(randomUUID(), 1, aHash(), t0), false);
    assert.equal(await refreshFamilies.findByTokenHash(aHash()), undefined);
  });

  rule(
    'concurrent rotations from one generation: exactly one wins and the family does not fork',
    async ({ refreshFamilies }) => {
      const family = aFamily({ generation: 5 });
      await refreshFamilies.insert(family);
      const candidates = Array.from({ length: 20 }, () => aHash());
      const outcomes = await Promise.all(
        candidates.map((hash) => refreshFamilies.rotate(family.id, 5, hash, t0 + minute)),
      );
      assert.equal(outcomes.filter(Boolean).length, 1);
      const winner = candidates[outcomes.indexOf(true)];
      const stored = await refreshFamilies.findById(family.id);
      assert.ok(stored);
      assert.equal(stored.generation, 6);
      assert.equal(stored.currentHash, winner);
      assert.equal(stored.previousHash, family.currentHash);
      for (const loser of candidates.filter((hash) => hash !== winner)) {
        assert.equal(await refreshFamilies.findByTokenHash(loser), undefined);
      }
    },
  );

  rule('revoking keeps the first reason and time', async ({ refreshFamilies }) => {
    const family = aFamily();
    await refreshFamilies.insert(family);
    assert.equal(await refreshFamilies.revoke(family.id, 'reuse_detected', t0 + minute), true);
    assert.equal(await refreshFamilies.revoke(family.id, 'logout', t0 + hour), false);
    assert.deepEqual(await refreshFamilies.findById(family.id), {
      ...family,
      revokedAt: t0 + minute,
      revokedReason: 'reuse_detected',
    });
  });

  rule('concurrent revocations of one family: exactly one reports it live', async (stores) => {
    const { refreshFamilies } = stores;
    const family = aFamily();
    await refreshFamilies.insert(family);
    const reasons = Array.from({ length: 10 }, (_, n) => `reason ${n}`);
    const outcomes = await Promise.all(
      reasons.map((reason, n) => refreshFamilies.revoke(family.id, reason, t0 + n)),
    );
    assert.equal(outcomes.filter(Boolean).length, 1);
    const first = outcomes.indexOf(true);
    const stored = await refreshFamilies.findById(family.id);
    assert.ok(stored);
    assert.equal(stored.revokedReason, reasons[first]);
    assert.equal(stored.revokedAt, t0 + first);
  });

  rule('revoking an unknown family reports false', async ({ refreshFamilies }) => {
    assert.equal(await refreshFamilies.revoke(randomUUID(), 'logout', t0), false);
  });

  rule(
    "revoking all of a user's families touches only that user's live ones and names them",
    async ({ refreshFamilies }) => {
      const userId = randomUUID();
      const live = [aFamily({ userId }), aFamily({ userId })];
      const earlier = aFamily({ userId, revokedAt: t0 + 1, revokedReason: 'reuse_detected' });
      const theirs = aFamily();
      for (const family of [...live, earlier, theirs]) await refreshFamilies.insert(family);
      const revoked = await refreshFamilies.revokeAllForUser(userId, 'password_changed', t0 + hour);
      assert.deepEqual(sorted(revoked), sorted(live.map((family) => family.id)));
      for (const family of live) {
        assert.deepEqual(await refreshFamilies.findById(family.id), {
          ...family,
          revokedAt: t0 + hour,
          revokedReason: 'password_changed',
        });
      }
      assert.deepEqual(await refreshFamilies.findById(earlier.id), earlier);
      assert.deepEqual(await refreshFamilies.findById(theirs.id), theirs);
      assert.deepEqual(await refreshFamilies.revokeAllForUser(userId, 'again', t0 + 2 * hour), []);
    },
  );

  rule('a family keeps the session it came from', async ({ refreshFamilies }) => {
    const sessionId = randomUUID();
    const family = aFamily({ sessionId });
    await refreshFamilies.insert(family);
    assert.deepEqual(await refreshFamilies.findById(family.id), family);
    assert.equal((await refreshFamilies.findByTokenHash(family.currentHash))?.sessionId, sessionId);
  });

  rule(
    "withdrawing consent revokes that user's live families of that client only, and names them",
    async ({ refreshFamilies }) => {
      const userId = randomUUID();
      const clientId = randomUUID();
      const live = [aFamily({ userId, clientId }), aFamily({ userId, clientId, sessionId: 's' })];
      const earlier = aFamily({ userId, clientId, revokedAt: t0 + 1, revokedReason: 'logout' });
      const otherClient = aFamily({ userId });
      const otherUser = aFamily({ clientId });
      for (const family of [...live, earlier, otherClient, otherUser]) {
        await refreshFamilies.insert(family);
      }
      const revoked = await refreshFamilies.revokeAllForClient(
        userId,
        clientId,
        'consent_revoked',
        t0 + hour,
      );
      assert.deepEqual(sorted(revoked), sorted(live.map((family) => family.id)));
      for (const family of live) {
        assert.deepEqual(await refreshFamilies.findById(family.id), {
          ...family,
          revokedAt: t0 + hour,
          revokedReason: 'consent_revoked',
        });
      }
      for (const family of [earlier, otherClient, otherUser]) {
        assert.deepEqual(await refreshFamilies.findById(family.id), family);
      }
      assert.deepEqual(
        await refreshFamilies.revokeAllForClient(userId, clientId, 'again', t0 + 2 * hour),
        [],
      );
    },
  );

  rule(
    "logging a session out revokes that session's live families only, and names them",
    async ({ refreshFamilies }) => {
      const sessionId = randomUUID();
      const userId = randomUUID();
      const live = [
        aFamily({ userId, sessionId }),
        aFamily({ userId, sessionId, clientId: 'client_b' }),
      ];
      const earlier = aFamily({ userId, sessionId, revokedAt: t0 + 1, revokedReason: 'x' });
      const otherSession = aFamily({ userId, sessionId: randomUUID() });
      const noSession = aFamily({ userId });
      for (const family of [...live, earlier, otherSession, noSession]) {
        await refreshFamilies.insert(family);
      }
      const revoked = await refreshFamilies.revokeAllForSession(sessionId, 'logout', t0 + hour);
      assert.deepEqual(sorted(revoked), sorted(live.map((family) => family.id)));
      for (const family of live) {
        assert.deepEqual(await refreshFamilies.findById(family.id), {
          ...family,
          revokedAt: t0 + hour,
          revokedReason: 'logout',
        });
      }
      for (const family of [earlier, otherSession, noSession]) {
        assert.deepEqual(await refreshFamilies.findById(family.id), family);
      }
      assert.deepEqual(await refreshFamilies.revokeAllForSession(sessionId, 'again', t0), []);
    },
  );

  rule('the sweep deletes families at or past their expiry', async ({ refreshFamilies }) => {
    const now = t0 + 10 * hour;
    const past = aFamily({ expiresAt: now - 1 });
    const atNow = aFamily({ expiresAt: now });
    const future = aFamily({ expiresAt: now + 1 });
    for (const family of [past, atNow, future]) await refreshFamilies.insert(family);
    assert.equal(await refreshFamilies.deleteExpired(now), 2);
    assert.equal(await refreshFamilies.findById(past.id), undefined);
    assert.equal(await refreshFamilies.findByTokenHash(atNow.currentHash), undefined);
    assert.deepEqual(await refreshFamilies.findById(future.id), future);
    assert.equal(await refreshFamilies.deleteExpired(now), 0);
  });

  rule(
    'a returned family is a copy: editing it does not change the store',
    async ({ refreshFamilies }) => {
      const family = aFamily();
      const original = { ...family };
      await refreshFamilies.insert(family);
      family.generation = 99;
      const found = await refreshFamilies.findByTokenHash(family.currentHash);
      assert.ok(found);
      found.revokedAt = t0;
      assert.deepEqual(await refreshFamilies.findById(family.id), original);
    },
  );

  rule(
    'deleteAllForUser deletes every family of that user only, revoked or not',
    async ({ refreshFamilies }) => {
      const userId = randomUUID();
      const live = aFamily({ userId });
      const revoked = aFamily({ userId, revokedAt: t0, revokedReason: 'logout' });
      const other = aFamily();
      for (const family of [live, revoked, other]) await refreshFamilies.insert(family);
      assert.equal(await refreshFamilies.deleteAllForUser(userId), 2);
      assert.equal(await refreshFamilies.findById(live.id), undefined);
      assert.equal(await refreshFamilies.findByTokenHash(revoked.currentHash), undefined);
      assert.deepEqual(await refreshFamilies.findById(other.id), other);
      assert.equal(await refreshFamilies.deleteAllForUser(userId), 0);
    },
  );
}
