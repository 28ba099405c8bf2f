// Claims: RFC 9068 §2.2 required claims, RFC 7519 §4.1 time and audience rules, and the skew.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { ManualClock } from '../../../src/core/clock.js';
import type { SigningKey } from '../../../src/core/keys/key.js';
import {
  createAccessTokenVerifier,
  defaultClockSkewSeconds,
} from '../../../src/core/tokens/verify.js';
import {
  assertCode,
  audience,
  claimsAt,
  forge,
  headerOf,
  issue,
  issuer,
  keyFor,
  start,
  startSeconds,
  verifierFor,
  withCode,
} from './helpers.js';

let key: SigningKey;
before(async () => {
  key = await keyFor('EdDSA');
});
const withClaims = (changes: Record<string, unknown>) =>
  forge(key, headerOf(key), { ...claimsAt(), ...changes });
const without = (name: string) => {
  const claims = claimsAt();
  delete claims[name];
  return forge(key, headerOf(key), claims);
};

describe('a valid token yields its claims', () => {
  test('every RFC 9068 claim comes back as issued, custom claims too', () => {
    const { verifier } = verifierFor([key]);
    const claims = { ...claimsAt(), tenant: 'acme', roles: ['a', 'b'] };
    assert.deepEqual({ ...verifier.verify(forge(key, headerOf(key), claims)) }, claims);
  });
});

describe('expiry (RFC 7519 §4.1.4) with the default 30 s skew', () => {
  test('the default skew is 30 seconds', () => {
    assert.equal(defaultClockSkewSeconds, 30);
  });

  test('a token is valid until exp plus skew, and expired from that instant', () => {
    const { verifier, clock } = verifierFor([key], { cache: false });
    const { token, claims } = issue(key);
    clock.set((claims.exp + 30) * 1000 - 1);
    assert.ok(verifier.verify(token));
    clock.set((claims.exp + 30) * 1000);
    assertCode(() => verifier.verify(token), 'token_expired');
  });

  test('with no skew, a token is expired at exp exactly', () => {
    const { verifier, clock } = verifierFor([key], { clockSkewSeconds: 0 });
    const { token, claims } = issue(key);
    clock.set(claims.exp * 1000 - 1);
    assert.ok(verifier.verify(token));
    clock.set(claims.exp * 1000);
    assertCode(() => verifier.verify(token), 'token_expired');
  });

  test('a token expired long ago is expired, not anything else', () => {
    const { verifier } = verifierFor([key]);
    assertCode(() => verifier.verify(withClaims({ iat: 1, exp: 2 })), 'token_expired');
  });
});

describe('not before and issued at lie in the past (RFC 7519 §4.1.5–4.1.6)', () => {
  test('an nbf beyond the skew is not yet valid; within the skew it is fine', () => {
    const { verifier } = verifierFor([key]);
    assertCode(
      () => verifier.verify(withClaims({ nbf: startSeconds + 31 })),
      'token_not_yet_valid',
    );
    assert.ok(verifier.verify(withClaims({ nbf: startSeconds + 30 })));
  });

  test('an iat beyond the skew is not yet valid; within the skew it is fine', () => {
    const { verifier } = verifierFor([key]);
    assertCode(
      () => verifier.verify(withClaims({ iat: startSeconds + 31 })),
      'token_not_yet_valid',
    );
    assert.ok(verifier.verify(withClaims({ iat: startSeconds + 30 })));
  });
});

describe('issuer and audience (RFC 7519 §4.1.1, §4.1.3)', () => {
  test('another issuer, even a near twin, is refused', () => {
    const { verifier } = verifierFor([key]);
    for (const iss of [
      'http://localhost:8080/',
      'https://localhost:8080',
      'http://LOCALHOST:8080',
      'http://evil.example',
    ]) {
      assertCode(() => verifier.verify(withClaims({ iss })), 'token_claim_invalid');
    }
  });

  test('an aud string that is not ours is refused', () => {
    const { verifier } = verifierFor([key]);
    assertCode(() => verifier.verify(withClaims({ aud: 'other-api' })), 'token_claim_invalid');
  });

  test('an aud array is accepted when it names our audience, refused otherwise', () => {
    const { verifier } = verifierFor([key]);
    assert.ok(verifier.verify(withClaims({ aud: ['other-api', audience] })));
    assertCode(
      () => verifier.verify(withClaims({ aud: ['other-api', 'third-api'] })),
      'token_claim_invalid',
    );
  });

  test('an empty, non-string or mixed aud is refused', () => {
    const { verifier } = verifierFor([key]);
    for (const aud of [[], '', 42, null, { aud: audience }, [audience, 42], [audience, null]]) {
      assertCode(() => verifier.verify(withClaims({ aud })), 'token_claim_invalid');
    }
  });

  test('a verifier with several audiences accepts any of them', () => {
    const { verifier } = verifierFor([key], { audience: ['reports-api', audience] });
    assert.ok(verifier.verify(withClaims({ aud: 'reports-api' })));
    assert.ok(verifier.verify(withClaims({ aud: audience })));
  });

  test('a verifier without an audience still requires a well-formed aud', () => {
    const verifier = createAccessTokenVerifier([key], { issuer, clock: new ManualClock(start) });
    assert.ok(verifier.verify(withClaims({ aud: 'anything' })));
    assertCode(() => verifier.verify(without('aud')), 'token_claim_invalid');
  });
});

describe('the RFC 9068 §2.2 claims are required and well-typed', () => {
  for (const name of ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id']) {
    test(`a token without "${name}" is refused`, () => {
      const { verifier } = verifierFor([key]);
      assertCode(() => verifier.verify(without(name)), 'token_claim_invalid');
    });
  }

  test('exp, iat and nbf must be numbers, not numeric strings', () => {
    const { verifier } = verifierFor([key]);
    for (const changes of [
      { exp: String(startSeconds + 600) },
      { iat: String(startSeconds) },
      { nbf: '0' },
      { exp: null },
      { iat: [startSeconds] },
    ]) {
      assertCode(() => verifier.verify(withClaims(changes)), 'token_claim_invalid');
    }
  });

  test('sub, jti, client_id and sid must be non-empty strings; scope a string', () => {
    const { verifier } = verifierFor([key]);
    for (const changes of [
      { sub: '' },
      { sub: 7 },
      { jti: '' },
      { jti: 1 },
      { client_id: '' },
      { client_id: {} },
      { sid: '' },
      { sid: 3 },
      { scope: ['openid'] },
      { scope: null },
    ]) {
      assertCode(() => verifier.verify(withClaims(changes)), 'token_claim_invalid');
    }
  });

  test('scope and sid may be absent (client credentials)', () => {
    const { verifier } = verifierFor([key]);
    const claims = claimsAt();
    delete claims.scope;
    delete claims.sid;
    assert.equal(verifier.verify(forge(key, headerOf(key), claims)).sid, undefined);
  });

  test('a claim named "__proto__" is plain data and changes nothing', () => {
    const { verifier } = verifierFor([key]);
    const body = JSON.stringify(claimsAt()).slice(1, -1);
    const claims = verifier.verify(
      forge(key, headerOf(key), `{${body},"__proto__":{"admin":true}}`),
    );
    assert.equal((claims as { admin?: unknown }).admin, undefined);
    assert.equal(Object.getPrototypeOf(claims), Object.prototype);
  });
});

describe('verifier options are checked up front', () => {
  test('a skew outside 0–300 s, an empty issuer or a bad size limit is invalid configuration', () => {
    const clock = new ManualClock(start);
    assert.throws(
      () => createAccessTokenVerifier([key], { issuer, clock, clockSkewSeconds: 301 }),
      withCode('invalid_config'),
    );
    assert.throws(
      () => createAccessTokenVerifier([key], { issuer, clock, clockSkewSeconds: -1 }),
      withCode('invalid_config'),
    );
    assert.throws(
      () => createAccessTokenVerifier([key], { issuer, clock, maxTokenBytes: 0 }),
      withCode('invalid_config'),
    );
    assert.throws(
      () => createAccessTokenVerifier([key], { issuer: '', clock }),
      withCode('invalid_config'),
    );
    assert.throws(
      () => createAccessTokenVerifier([key], { issuer, clock, audience: [] }),
      withCode('invalid_config'),
    );
  });
});
