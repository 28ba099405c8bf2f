import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AuthorizationCodeRecord } from '../../../src/stores/ports.js';
import { aHash, minute, t0, type Rule } from './rule.js';

function aCode(overrides: Partial<AuthorizationCodeRecord> = {}): AuthorizationCodeRecord {
  return {
    hash: aHash(),
    clientId: 'client_a',
    userId: randomUUID(),
    redirectUri: 'https://app.example.com/callback?from=%22tessera%22',
    scope: 'openid profile',
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    nonce: 'n-0S6_WzA2Mj',
    sessionId: randomUUID(),
    authTime: t0 - minute,
    familyId: randomUUID(),
    createdAt: t0,
    expiresAt: t0 + minute,
    spentAt: null,
    ...overrides,
  };
}

/** The AuthorizationCodeStore part of the contract. */
export function authorizationCodeRules(rule: Rule): void {
  rule('the first spend returns the code exactly as inserted, unspent', async (stores) => {
    const code = aCode();
    const noNonce = aCode({ nonce: null });
    await stores.authorizationCodes.insert(code);
    await stores.authorizationCodes.insert(noNonce);
    assert.deepEqual(await stores.authorizationCodes.spend(code.hash, t0 + 1), code);
    assert.deepEqual(await stores.authorizationCodes.spend(noNonce.hash, t0 + 1), noNonce);
  });

  rule('a second spend is told the code was spent, and when', async ({ authorizationCodes }) => {
    const code = aCode();
    await authorizationCodes.insert(code);
    await authorizationCodes.spend(code.hash, t0 + 1);
    assert.deepEqual(await authorizationCodes.spend(code.hash, t0 + 2), {
      ...code,
      spentAt: t0 + 1,
    });
    // The replay does not move the time of the first spend.
    assert.equal((await authorizationCodes.spend(code.hash, t0 + 3))?.spentAt, t0 + 1);
  });

  rule(
    'of concurrent spends of one code exactly one sees it unspent',
    async ({ authorizationCodes }) => {
      const code = aCode();
      await authorizationCodes.insert(code);
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, n) => authorizationCodes.spend(code.hash, t0 + n + 1)),
      );
      assert.ok(outcomes.every((outcome) => outcome !== undefined));
      const unspent = outcomes.filter((outcome) => outcome?.spentAt === null);
      assert.equal(unspent.length, 1);
      const winner = outcomes.findIndex((outcome) => outcome?.spentAt === null);
      for (const outcome of outcomes) {
        if (outcome?.spentAt !== null) assert.equal(outcome?.spentAt, t0 + winner + 1);
      }
    },
  );

  rule('an unknown code hash spends nothing', async ({ authorizationCodes }) => {
    await authorizationCodes.insert(aCode());
    assert.equal(await authorizationCodes.spend(aHash(), t0), undefined);
  });

  rule('spending one code leaves the others unspent', async ({ authorizationCodes }) => {
    const spent = aCode();
    const other = aCode({ userId: spent.userId, clientId: spent.clientId });
    await authorizationCodes.insert(spent);
    await authorizationCodes.insert(other);
    await authorizationCodes.spend(spent.hash, t0 + 1);
    assert.deepEqual(await authorizationCodes.spend(other.hash, t0 + 2), other);
  });

  rule(
    'a code hash is never reused: inserting a taken hash fails',
    async ({ authorizationCodes }) => {
      const code = aCode();
      await authorizationCodes.insert(code);
      await assert.rejects(
        authorizationCodes.insert(aCode({ hash: code.hash, userId: 'intruder' })),
      );
      assert.deepEqual(await authorizationCodes.spend(code.hash, t0 + 1), code);
    },
  );

  rule(
    'the sweep deletes codes at or past their expiry, spent or not',
    async ({ authorizationCodes }) => {
      const now = t0 + 10 * minute;
      const past = aCode({ expiresAt: now - 1 });
      const atNow = aCode({ expiresAt: now });
      const spentPast = aCode({ expiresAt: now - 5, spentAt: now - 6 });
      const future = aCode({ expiresAt: now + 1 });
      for (const code of [past, atNow, spentPast, future]) await authorizationCodes.insert(code);
      assert.equal(await authorizationCodes.deleteExpired(now), 3);
      assert.equal(await authorizationCodes.spend(past.hash, now), undefined);
      assert.equal(await authorizationCodes.spend(atNow.hash, now), undefined);
      assert.deepEqual(await authorizationCodes.spend(future.hash, now), future);
      assert.equal(await authorizationCodes.deleteExpired(now), 0);
    },
  );
}
