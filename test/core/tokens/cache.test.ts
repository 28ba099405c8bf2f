// The verified-token cache may only ever narrow what the verifier accepts.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { SigningKey } from '../../../src/core/keys/key.js';
import { VerifiedTokenCache } from '../../../src/core/tokens/cache.js';
import type { AccessTokenClaims } from '../../../src/core/tokens/claims.js';
import {
  assertCode,
  claimsAt,
  compact,
  forge,
  headerOf,
  issue,
  keyFor,
  split,
  startSeconds,
  verifierFor,
  withCode,
} from './helpers.js';

let key: SigningKey;
before(async () => {
  key = await keyFor('HS256');
});

describe('the verifier cache', () => {
  test('a verified token is cached and a hit returns the same claims', () => {
    const { verifier } = verifierFor([key]);
    const { token } = issue(key);
    const first = verifier.verify(token);
    assert.equal(verifier.cachedTokens, 1);
    assert.equal(verifier.verify(token), first);
  });

  test('a token that shares the cached one’s tail but differs elsewhere is not a hit', () => {
    const { verifier } = verifierFor([key]);
    const { token } = issue(key);
    verifier.verify(token);
    const [h, p, sig] = split(token);
    // Same signature (so the same last characters), another payload: must be checked, and fail.
    const other = compact(h, `${p.slice(0, -4)}AAAA`, sig);
    assert.equal(other.slice(-32), token.slice(-32));
    assert.throws(() => verifier.verify(other));
    const cache = new VerifiedTokenCache(4);
    const claims = { sub: 'x' } as unknown as AccessTokenClaims;
    cache.set(token, claims, 0, Number.MAX_SAFE_INTEGER);
    assert.equal(cache.get(other, 1), undefined);
    assert.equal(cache.get(token, 1), claims);
  });

  test('a rejection is never cached, so it stays a rejection', () => {
    const { verifier } = verifierFor([key]);
    const [h, p, s] = split(issue(key).token);
    const tampered = compact(h, p, `${s.slice(0, -2)}AA`);
    for (let i = 0; i < 3; i++)
      assertCode(() => verifier.verify(tampered), 'token_signature_invalid');
    assertCode(
      () => verifier.verify(forge(key, headerOf(key), { ...claimsAt(), iss: 'x' })),
      'token_claim_invalid',
    );
    assert.equal(verifier.cachedTokens, 0);
  });

  test('another spelling of a cached token shares nothing with it', () => {
    const { verifier } = verifierFor([key]);
    const { token } = issue(key);
    verifier.verify(token);
    assertCode(() => verifier.verify(`${token}=`), 'token_malformed');
    assertCode(() => verifier.verify(` ${token}`), 'token_malformed');
  });

  test('a hit is never served at or after exp: the full checks decide, skew and all', () => {
    const { verifier, clock } = verifierFor([key]);
    const { token, claims } = issue(key);
    verifier.verify(token);
    clock.set(claims.exp * 1000 - 1);
    assert.ok(verifier.verify(token));
    assert.equal(verifier.cachedTokens, 1);
    clock.set(claims.exp * 1000);
    // Fresh checks still allow the 30 s skew, but the token is no longer cached.
    assert.ok(verifier.verify(token));
    assert.equal(verifier.cachedTokens, 0);
    clock.set((claims.exp + 30) * 1000);
    assertCode(() => verifier.verify(token), 'token_expired');
    assert.equal(verifier.cachedTokens, 0);
  });

  test('a clock set back before iat less skew sends a hit to the full checks', () => {
    const { verifier, clock } = verifierFor([key]);
    const { token, claims } = issue(key);
    verifier.verify(token);
    clock.set((claims.iat - 31) * 1000);
    assertCode(() => verifier.verify(token), 'token_not_yet_valid');
  });

  test('claims served from the cache are frozen, so one caller cannot change them for the next', () => {
    const { verifier } = verifierFor([key]);
    const { token } = issue(key, undefined, { audience: ['a', 'tessera-api'] });
    const claims = verifier.verify(token) as unknown as Record<string, unknown>;
    assert.throws(() => {
      claims.scope = 'admin';
    }, TypeError);
    assert.throws(() => (claims.aud as string[]).push('evil'), TypeError);
    assert.equal(verifier.verify(token).scope, 'openid profile email');
  });

  test('cache: false keeps nothing', () => {
    const { verifier } = verifierFor([key], { cache: false });
    verifier.verify(issue(key).token);
    assert.equal(verifier.cachedTokens, 0);
  });

  test('the cache is bounded by maxEntries', () => {
    const { verifier } = verifierFor([key], { cache: { maxEntries: 3 } });
    for (let i = 0; i < 10; i++) verifier.verify(issue(key).token);
    assert.equal(verifier.cachedTokens, 3);
  });

  test('pruning drops the expired entries', () => {
    const { verifier, clock } = verifierFor([key]);
    verifier.verify(issue(key).token);
    clock.advance(60_000);
    verifier.verify(issue(key, clock.now()).token);
    clock.set((startSeconds + 600) * 1000);
    assert.equal(verifier.pruneCache(), 1);
    assert.equal(verifier.cachedTokens, 1);
  });
});

describe('VerifiedTokenCache', () => {
  const claims = (jti: string) => ({ ...claimsAt(), jti }) as unknown as AccessTokenClaims;

  test('evicts the least recently used entry first', () => {
    const cache = new VerifiedTokenCache(2);
    cache.set('a', claims('a'), 0, 100);
    cache.set('b', claims('b'), 0, 100);
    assert.ok(cache.get('a', 1)); // a is now the most recent
    cache.set('c', claims('c'), 0, 100);
    assert.equal(cache.get('b', 1), undefined);
    assert.ok(cache.get('a', 1));
    assert.ok(cache.get('c', 1));
  });

  test('serves an entry only inside [from, until) and forgets it outside', () => {
    const cache = new VerifiedTokenCache(10);
    cache.set('t', claims('t'), 10, 20);
    assert.equal(cache.get('t', 9.999), undefined);
    assert.equal(cache.size, 0);
    cache.set('t', claims('t'), 10, 20);
    assert.ok(cache.get('t', 10));
    assert.ok(cache.get('t', 19.999));
    assert.equal(cache.get('t', 20), undefined);
    assert.equal(cache.size, 0);
  });

  test('refuses a size that is not a positive whole number', () => {
    for (const size of [0, -1, 1.5, Number.NaN])
      assert.throws(() => new VerifiedTokenCache(size), withCode('invalid_config'));
  });
});
