// Signing keys: generation, fitness for the algorithm, JWK import/export, key sets and JWKS.
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose';
import { isValidKid, keyProblem } from '../../../src/core/keys/algorithms.js';
import { generateSigningKey, hmacSigningKey } from '../../../src/core/keys/generate.js';
import {
  exportPrivateJwk,
  importSigningKey,
  importVerificationKey,
  toPublicJwk,
} from '../../../src/core/keys/jwk.js';
import { createKeySet, keySetFromJwks, toJwks } from '../../../src/core/keys/key-set.js';
import { ManualClock } from '../../../src/core/clock.js';
import { TesseraError } from '../../../src/core/errors.js';
import { signAccessToken } from '../../../src/core/tokens/sign.js';
import { createAccessTokenVerifier } from '../../../src/core/tokens/verify.js';

const clock = new ManualClock();
const invalidConfig = (error: unknown) =>
  error instanceof TesseraError && error.code === 'invalid_config';
const input = {
  issuer: 'http://localhost:8080',
  subject: 'u1',
  audience: 'api',
  clientId: 'c1',
  ttlSeconds: 600,
};
const roundTrips = (
  signer: Parameters<typeof signAccessToken>[0],
  keys: Parameters<typeof createAccessTokenVerifier>[0],
) =>
  createAccessTokenVerifier(keys, { issuer: input.issuer, clock }).verify(
    signAccessToken(signer, input, clock.now()).token,
  );

describe('generating keys', () => {
  test('RS256 is the default and has a 2048-bit modulus', async () => {
    const key = await generateSigningKey();
    assert.equal(key.alg, 'RS256');
    assert.equal(key.key.asymmetricKeyDetails?.modulusLength, 2048);
    assert.equal(key.key.type, 'public');
    assert.equal(key.privateKey.type, 'private');
  });

  test('ES256 is P-256, EdDSA is Ed25519, HS256 is a 256-bit secret', async () => {
    const es = await generateSigningKey('ES256');
    assert.equal(es.key.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    const ed = await generateSigningKey('EdDSA');
    assert.equal(ed.key.asymmetricKeyType, 'ed25519');
    const hs = await generateSigningKey('HS256');
    assert.equal(hs.key.type, 'secret');
    assert.equal(hs.key.symmetricKeySize, 32);
  });

  test('the kid of an asymmetric key is its RFC 7638 thumbprint unless one is given', async () => {
    const key = await generateSigningKey('ES256');
    assert.equal(key.kid, await calculateJwkThumbprint(await exportJWK(key.key)));
    assert.equal((await generateSigningKey('EdDSA', { kid: 'k-2026-01' })).kid, 'k-2026-01');
  });

  test('an HS256 kid is random, never derived from the secret', async () => {
    const a = await generateSigningKey('HS256');
    const b = hmacSigningKey(a.key.export());
    assert.notEqual(a.kid, b.kid);
  });

  test('an HS256 secret under 256 bits is refused (RFC 7518 §3.2)', () => {
    assert.throws(() => hmacSigningKey(randomBytes(31)), invalidConfig);
    assert.equal(hmacSigningKey(randomBytes(32)).alg, 'HS256');
  });

  test('a kid must be a short printable string', async () => {
    for (const kid of ['', 'a b', 'x'.repeat(129), 'k\n', 'ключ']) {
      await assert.rejects(generateSigningKey('EdDSA', { kid }), invalidConfig);
      assert.equal(isValidKid(kid), false);
    }
    assert.equal(isValidKid('x'.repeat(128)), true);
  });
});

describe('a key serves one algorithm it is fit for', () => {
  test('RSA under 2048 bits, other curves and key types are unfit', () => {
    const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
    const ed448 = generateKeyPairSync('ed448').publicKey;
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).publicKey;
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    assert.match(keyProblem(rsa1024, 'RS256') ?? '', /2048/);
    assert.ok(keyProblem(pss, 'RS256'));
    assert.ok(keyProblem(p384, 'ES256'));
    assert.ok(keyProblem(ed448, 'EdDSA'));
    assert.ok(keyProblem(rsa, 'ES256'));
    assert.ok(keyProblem(rsa, 'HS256'));
    assert.equal(keyProblem(rsa, 'RS256'), undefined);
  });

  test('importing a JWK whose key does not fit its alg is refused', async () => {
    const rsa1024 = await exportJWK(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey);
    const p384 = await exportJWK(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey);
    await assert.rejects(
      importVerificationKey({ ...rsa1024, alg: 'RS256', kid: 'a' }),
      invalidConfig,
    );
    await assert.rejects(importVerificationKey({ ...p384, alg: 'ES256', kid: 'b' }), invalidConfig);
    await assert.rejects(importVerificationKey({ ...p384, alg: 'ES384', kid: 'c' }), invalidConfig);
    await assert.rejects(
      importVerificationKey({ kty: 'oct', k: 'c2hvcnQ', alg: 'HS256', kid: 'd' }),
      invalidConfig,
    );
  });
});

describe('JWK import and export', () => {
  for (const alg of ['RS256', 'ES256', 'EdDSA', 'HS256'] as const) {
    test(`${alg}: a private JWK round-trips through storage and still signs for the same key`, async () => {
      const key = await generateSigningKey(alg);
      const stored = JSON.parse(JSON.stringify(await exportPrivateJwk(key))) as JWK;
      assert.equal(stored.kid, key.kid);
      assert.equal(stored.alg, alg);
      const restored = await importSigningKey(stored);
      assert.ok(roundTrips(restored, [key]));
      assert.ok(roundTrips(key, [restored]));
    });
  }

  test('the public JWK carries kid, alg and use "sig" and nothing private', async () => {
    for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
      const key = await generateSigningKey(alg);
      const jwk = await toPublicJwk(key);
      assert.equal(jwk.kid, key.kid);
      assert.equal(jwk.alg, alg);
      assert.equal(jwk.use, 'sig');
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'])
        assert.equal(member in jwk, false);
      const imported = await importVerificationKey(jwk);
      assert.ok(roundTrips(key, [imported]));
    }
  });

  test('an HS256 secret is never published', async () => {
    const key = await generateSigningKey('HS256');
    await assert.rejects(toPublicJwk(key), invalidConfig);
    assert.deepEqual(await toJwks([key]), { keys: [] });
  });

  test('a verification JWK with private members is refused', async () => {
    const jwk = await exportPrivateJwk(await generateSigningKey('ES256'));
    await assert.rejects(importVerificationKey(jwk), invalidConfig);
  });

  test('a JWK without alg, without kid, for "enc", or disagreeing with the caller is refused', async () => {
    const jwk = await toPublicJwk(await generateSigningKey('EdDSA'));
    const noAlg: JWK = { ...jwk };
    delete noAlg.alg;
    const noKid: JWK = { ...jwk };
    delete noKid.kid;
    await assert.rejects(importVerificationKey(noAlg), invalidConfig);
    await assert.rejects(importVerificationKey(noKid), invalidConfig);
    await assert.rejects(importVerificationKey({ ...jwk, use: 'enc' }), invalidConfig);
    await assert.rejects(importVerificationKey({ ...jwk, key_ops: ['encrypt'] }), invalidConfig);
    await assert.rejects(importVerificationKey(jwk, { alg: 'ES256' }), invalidConfig);
    assert.equal((await importVerificationKey(noAlg, { alg: 'EdDSA' })).alg, 'EdDSA');
  });
});

describe('key sets and JWKS', () => {
  test('a key set keeps only the verifying half of signing keys', async () => {
    const key = await generateSigningKey('ES256');
    const set = createKeySet([key]);
    const entry = set.get(key.kid);
    assert.ok(entry);
    assert.equal('privateKey' in entry, false);
  });

  test('a key set refuses a repeated or malformed kid', async () => {
    const key = await generateSigningKey('EdDSA');
    assert.throws(() => createKeySet([key, key]), invalidConfig);
    assert.throws(() => createKeySet([{ ...key, kid: 'a b' }]), invalidConfig);
  });

  test('a JWKS round-trips into a key set that verifies the keys’ tokens', async () => {
    const keys = [
      await generateSigningKey('RS256'),
      await generateSigningKey('ES256'),
      await generateSigningKey('EdDSA'),
    ];
    const set = await keySetFromJwks(JSON.parse(JSON.stringify(await toJwks(keys))));
    assert.deepEqual(
      [...set.keys()],
      keys.map((k) => k.kid),
    );
    for (const key of keys) assert.ok(roundTrips(key, set));
  });

  test('keys that cannot be trusted are skipped, the rest kept', async () => {
    const good = await toPublicJwk(await generateSigningKey('EdDSA'));
    const twin = await toPublicJwk(await generateSigningKey('ES256'));
    const rsa = await exportJWK(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey);
    const jwks = {
      keys: [
        good,
        { ...twin, kid: 'dup' },
        { ...twin, kid: 'dup' },
        { kty: 'oct', k: randomBytes(32).toString('base64url'), alg: 'HS256', kid: 'secret' },
        { ...rsa, alg: 'PS256', kid: 'pss' },
        { ...rsa, kid: 'no-alg' },
        { ...rsa, alg: 'RS256', use: 'enc', kid: 'enc' },
        { ...rsa, alg: 'RS256', kid: 'bad key', n: 'AQAB' },
        { ...rsa, alg: 'RS256', kid: 'broken', n: 'AQAB' },
        { ...rsa, alg: 'RS256', kid: 'x'.repeat(200) },
        'not a key',
        null,
      ],
    };
    const set = await keySetFromJwks(jwks);
    assert.deepEqual([...set.keys()], [good.kid]);
  });

  test('a document that is not a JWKS is refused', async () => {
    for (const doc of [null, 'keys', {}, { keys: {} }, []])
      await assert.rejects(keySetFromJwks(doc), invalidConfig);
  });
});
