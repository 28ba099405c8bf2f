import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { OneTimeTokenRecord } from '../../../src/stores/ports.js';
import { aHash, hour, t0, type Rule } from './rule.js';

function aToken(overrides: Partial<OneTimeTokenRecord> = {}): OneTimeTokenRecord {
  return {
    hash: aHash(),
    userId: randomUUID(),
    purpose: 'password_reset',
    createdAt: t0,
    expiresAt: t0 + hour,
    ...overrides,
  };
}

/** The OneTimeTokenStore part of the contract. */
export function oneTimeTokenRules(rule: Rule): void {
  rule('a token is consumed once, and returned as issued', async ({ oneTimeTokens }) => {
    const token = aToken();
    await oneTimeTokens.issue(token);
    assert.deepEqual(await oneTimeTokens.consume(token.hash, 'password_reset', t0 + 1), token);
    assert.equal(await oneTimeTokens.consume(token.hash, 'password_reset', t0 + 2), undefined);
  });

  rule('of concurrent consumes of one token exactly one gets it', async ({ oneTimeTokens }) => {
    const token = aToken();
    await oneTimeTokens.issue(token);
    const results = await Promise.all(
      Array.from({ length: 16 }, () => oneTimeTokens.consume(token.hash, 'password_reset', t0)),
    );
    assert.deepEqual(
      results.filter((result) => result !== undefined),
      [token],
    );
  });

  rule(
    'a new token replaces the earlier one of that user and purpose only',
    async ({ oneTimeTokens }) => {
      const userId = randomUUID();
      const first = aToken({ userId });
      const verification = aToken({ userId, purpose: 'email_verification' });
      const otherUser = aToken();
      const second = aToken({ userId, createdAt: t0 + 5, expiresAt: t0 + 2 * hour });
      for (const token of [first, verification, otherUser, second])
        await oneTimeTokens.issue(token);
      assert.equal(await oneTimeTokens.consume(first.hash, 'password_reset', t0 + 6), undefined);
      assert.deepEqual(await oneTimeTokens.consume(second.hash, 'password_reset', t0 + 6), second);
      assert.deepEqual(
        await oneTimeTokens.consume(verification.hash, 'email_verification', t0 + 6),
        verification,
      );
      assert.deepEqual(
        await oneTimeTokens.consume(otherUser.hash, 'password_reset', t0 + 6),
        otherUser,
      );
    },
  );

  rule('an expired token is refused from its expiry on', async ({ oneTimeTokens }) => {
    const token = aToken();
    await oneTimeTokens.issue(token);
    assert.equal(
      await oneTimeTokens.consume(token.hash, 'password_reset', token.expiresAt),
      undefined,
    );
    assert.equal(await oneTimeTokens.consume(aHash(), 'password_reset', t0), undefined);
  });

  rule(
    'a token is refused for another purpose, and stays usable for its own',
    async ({ oneTimeTokens }) => {
      const token = aToken({ purpose: 'email_verification' });
      await oneTimeTokens.issue(token);
      assert.equal(await oneTimeTokens.consume(token.hash, 'password_reset', t0), undefined);
      assert.deepEqual(await oneTimeTokens.consume(token.hash, 'email_verification', t0), token);
    },
  );

  rule('deleteAllForUser deletes every token of that user only', async ({ oneTimeTokens }) => {
    const userId = randomUUID();
    const reset = aToken({ userId });
    const verify = aToken({ userId, purpose: 'email_verification' });
    const other = aToken();
    for (const token of [reset, verify, other]) await oneTimeTokens.issue(token);
    assert.equal(await oneTimeTokens.deleteAllForUser(userId), 2);
    assert.equal(await oneTimeTokens.deleteAllForUser(userId), 0);
    assert.equal(await oneTimeTokens.consume(reset.hash, 'password_reset', t0), undefined);
    assert.equal(await oneTimeTokens.consume(verify.hash, 'email_verification', t0), undefined);
    assert.deepEqual(await oneTimeTokens.consume(other.hash, 'password_reset', t0), other);
  });

  rule('the sweep deletes tokens whose expiry has come', async ({ oneTimeTokens }) => {
    const expired = aToken({ expiresAt: t0 });
    const live = aToken({ expiresAt: t0 + 1 });
    await oneTimeTokens.issue(expired);
    await oneTimeTokens.issue(live);
    assert.equal(await oneTimeTokens.deleteExpired(t0), 1);
    assert.equal(await oneTimeTokens.deleteExpired(t0), 0);
    assert.deepEqual(await oneTimeTokens.consume(live.hash, 'password_reset', t0), live);
  });
}
