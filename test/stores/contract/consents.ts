import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { hour, sorted, t0, type Rule } from './rule.js';

/** The ConsentStore part of the contract. */
export function consentRules(rule: Rule): void {
  rule('a first grant records the scopes, once each, in order', async ({ consents }) => {
    const userId = randomUUID();
    const granted = await consents.grant(userId, 'client_a', ['openid', 'b', 'openid', 'a'], t0);
    const expected = {
      userId,
      clientId: 'client_a',
      scopes: ['openid', 'b', 'a'],
      createdAt: t0,
      updatedAt: t0,
    };
    assert.deepEqual(granted, expected);
    assert.deepEqual(await consents.find(userId, 'client_a'), expected);
  });

  rule(
    'a later grant adds the new scopes after the old ones and keeps when consent was first given',
    async ({ consents }) => {
      const userId = randomUUID();
      await consents.grant(userId, 'client_a', ['openid', 'profile'], t0);
      const grown = await consents.grant(userId, 'client_a', ['email', 'openid'], t0 + hour);
      const expected = {
        userId,
        clientId: 'client_a',
        scopes: ['openid', 'profile', 'email'],
        createdAt: t0,
        updatedAt: t0 + hour,
      };
      assert.deepEqual(grown, expected);
      assert.deepEqual(await consents.find(userId, 'client_a'), expected);
    },
  );

  rule('a grant that adds no scope changes nothing', async ({ consents }) => {
    const userId = randomUUID();
    const first = await consents.grant(userId, 'client_a', ['openid', 'profile'], t0);
    assert.deepEqual(await consents.grant(userId, 'client_a', ['profile'], t0 + hour), first);
    assert.deepEqual(await consents.find(userId, 'client_a'), first);
  });

  rule('concurrent grants to one user and client lose no scope', async ({ consents }) => {
    const userId = randomUUID();
    const scopes = Array.from({ length: 12 }, (_, n) => `scope:${n}`);
    const results = await Promise.all(
      scopes.map((scope, n) => consents.grant(userId, 'client_a', [scope], t0 + n)),
    );
    const stored = await consents.find(userId, 'client_a');
    assert.ok(stored);
    assert.deepEqual(sorted(stored.scopes), sorted(scopes));
    // Every answer is a state the record went through: it holds the scope that call granted.
    results.forEach((result, n) => assert.ok(result.scopes.includes(`scope:${n}`)));
  });

  rule('consents are kept per user and per client', async ({ consents }) => {
    const [alice, bob] = [randomUUID(), randomUUID()];
    await consents.grant(alice, 'client_a', ['a'], t0);
    await consents.grant(alice, 'client_b', ['b'], t0);
    await consents.grant(bob, 'client_a', ['c'], t0);
    assert.deepEqual((await consents.find(alice, 'client_a'))?.scopes, ['a']);
    assert.deepEqual((await consents.find(alice, 'client_b'))?.scopes, ['b']);
    assert.deepEqual((await consents.find(bob, 'client_a'))?.scopes, ['c']);
    assert.equal(await consents.find(bob, 'client_b'), undefined);
    assert.equal(await consents.find(randomUUID(), 'client_a'), undefined);
  });

  rule("a user's consents are listed most recently changed first", async ({ consents }) => {
    const userId = randomUUID();
    // Client ids that sort against the expected order, so only updatedAt can produce it.
    await consents.grant(userId, 'a-oldest', ['x'], t0);
    await consents.grant(userId, 'b-changed-last', ['x'], t0 + 1);
    await consents.grant(userId, 'c-newest', ['x'], t0 + 2);
    await consents.grant(userId, 'b-changed-last', ['y'], t0 + 3);
    await consents.grant(randomUUID(), 'someone-else', ['x'], t0 + 4);
    const listed = await consents.listByUser(userId);
    assert.deepEqual(
      listed.map((consent) => consent.clientId),
      ['b-changed-last', 'c-newest', 'a-oldest'],
    );
    assert.deepEqual(listed[0], {
      userId,
      clientId: 'b-changed-last',
      scopes: ['x', 'y'],
      createdAt: t0 + 1,
      updatedAt: t0 + 3,
    });
    assert.deepEqual(await consents.listByUser(randomUUID()), []);
  });

  rule(
    'revoking a consent removes it alone and reports whether it existed',
    async ({ consents }) => {
      const userId = randomUUID();
      await consents.grant(userId, 'client_a', ['a'], t0);
      const kept = await consents.grant(userId, 'client_b', ['b'], t0);
      assert.equal(await consents.revoke(userId, 'client_a'), true);
      assert.equal(await consents.find(userId, 'client_a'), undefined);
      assert.deepEqual(await consents.listByUser(userId), [kept]);
      assert.equal(await consents.revoke(userId, 'client_a'), false);
      // After a revocation, consent starts over: the old scopes do not come back.
      assert.deepEqual((await consents.grant(userId, 'client_a', ['c'], t0 + 1)).scopes, ['c']);
    },
  );

  rule(
    "deleting a client's consents removes every user's, and only that client's",
    async ({ consents }) => {
      const [alice, bob] = [randomUUID(), randomUUID()];
      await consents.grant(alice, 'gone', ['a'], t0);
      await consents.grant(bob, 'gone', ['a'], t0);
      const kept = await consents.grant(alice, 'kept', ['a'], t0);
      assert.equal(await consents.revokeAllForClient('gone'), 2);
      assert.equal(await consents.find(bob, 'gone'), undefined);
      assert.deepEqual(await consents.listByUser(alice), [kept]);
      assert.equal(await consents.revokeAllForClient('gone'), 0);
    },
  );

  rule('a returned consent is a copy, its scopes included', async ({ consents }) => {
    const userId = randomUUID();
    const granted = await consents.grant(userId, 'client_a', ['a'], t0);
    granted.scopes.push('admin');
    const found = await consents.find(userId, 'client_a');
    assert.ok(found);
    found.scopes.push('admin');
    const [listed] = await consents.listByUser(userId);
    assert.ok(listed);
    listed.scopes.push('admin');
    assert.deepEqual((await consents.find(userId, 'client_a'))?.scopes, ['a']);
  });

  rule('deleteAllForUser deletes every consent of that user only', async ({ consents }) => {
    const [gone, kept] = [randomUUID(), randomUUID()];
    await consents.grant(gone, 'a', ['x'], t0);
    await consents.grant(gone, 'b', ['x'], t0);
    const keptConsent = await consents.grant(kept, 'a', ['x'], t0);
    assert.equal(await consents.deleteAllForUser(gone), 2);
    assert.deepEqual(await consents.listByUser(gone), []);
    assert.deepEqual(await consents.listByUser(kept), [keptConsent]);
    assert.equal(await consents.deleteAllForUser(gone), 0);
  });
}
