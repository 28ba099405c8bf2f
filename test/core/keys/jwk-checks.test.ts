/**
 * Keys no verifier may trust and no server may publish (src/core/keys/jwk.ts,
 * src/core/keys/key-strength.ts): a JWKS entry that is malformed, weak or not for verifying is
 * dropped from the key set, exactly like one that carries a private part.
 */
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  importSigningKey,
  importVerificationKey,
  toPublicJwk,
} from '../../../src/core/keys/jwk.js';
import { keySetFromJwks } from '../../../src/core/keys/key-set.js';
import { ED25519_SMALL_ORDER, rsaJwk } from './hostile.js';
import type { JWK } from 'jose';

const rsa = rsaJwk(2048);
const ed = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }) as JWK;

/** Hostile entries, each named after the rule that refuses it. */
const HOSTILE: { rule: string; jwk: JWK }[] = [
  {
    rule: 'RSA e = 1: a signature is the padded digest (RFC 8017 §3.1: e ≥ 3)',
    jwk: { ...rsa, e: 'AQ' },
  },
  { rule: 'RSA e even (RFC 8017 §3.1: e is odd)', jwk: { ...rsa, e: 'AQAA' } },
  { rule: 'RSA e = 2', jwk: { ...rsa, e: 'Ag' } },
  { rule: 'RSA e ≥ n (RFC 8017 §3.1: e ≤ n − 1)', jwk: { ...rsa, e: rsa.n ?? '' } },
  { rule: 'RSA modulus of 1024 bits (RFC 7518 §3.3: 2048 or more)', jwk: rsaJwk(1024) },
  { rule: 'private RSA member d in a public document', jwk: { ...rsa, d: 'AQAB' } },
  { rule: 'use: "enc" (RFC 7517 §4.2)', jwk: { ...rsa, use: 'enc' } },
  { rule: 'key_ops without "verify" (RFC 7517 §4.3)', jwk: { ...rsa, key_ops: ['sign'] } },
  { rule: 'key_ops for encryption', jwk: { ...rsa, key_ops: ['encrypt'] } },
  { rule: 'key_ops not a list', jwk: { ...rsa, key_ops: 'verify' as unknown as string[] } },
  ...ED25519_SMALL_ORDER.map(({ name, hex }) => ({
    rule: `small-order Ed25519 point: ${name}`,
    jwk: { ...ed, alg: 'EdDSA', x: Buffer.from(hex, 'hex').toString('base64url') },
  })),
];

const withKid = (jwk: JWK, kid: string): JWK => ({ alg: 'RS256', ...jwk, kid });

describe('a JWKS entry no verifier may trust is dropped', () => {
  for (const { rule, jwk } of HOSTILE) {
    it(`drops ${rule}`, async () => {
      await assert.rejects(importVerificationKey(withKid(jwk, 'evil')), { code: 'invalid_config' });
      const set = await keySetFromJwks({ keys: [withKid(jwk, 'evil'), withKid(rsa, 'good')] });
      assert.deepEqual([...set.keys()], ['good']);
    });
  }

  it('keeps RSA e = 65537, e = 3 and key_ops ["verify"]: sound keys are not collateral', async () => {
    // e = 3 is allowed by RFC 8017 §3.1; its classic forgery (Bleichenbacher 2006) needs a
    // verifier that parses the padding loosely, and OpenSSL compares the whole encoded message.
    const set = await keySetFromJwks({
      keys: [
        withKid(rsa, 'f4'),
        withKid(rsaJwk(2048, 3), 'e3'),
        withKid({ ...rsa, key_ops: ['verify'] }, 'ops'),
        withKid({ ...ed, alg: 'EdDSA' }, 'ed'),
      ],
    });
    assert.deepEqual([...set.keys()].sort(), ['e3', 'ed', 'f4', 'ops']);
  });
});

describe('the server never publishes a key a verifier would refuse', () => {
  const cases: { rule: string; jwk: JWK; alg: 'RS256' | 'EdDSA' }[] = [
    { rule: 'RSA e = 1', jwk: { ...rsa, e: 'AQ' }, alg: 'RS256' },
    { rule: 'RSA e even', jwk: { ...rsa, e: 'AQAA' }, alg: 'RS256' },
    {
      rule: 'the Ed25519 identity point',
      jwk: {
        ...ed,
        x: Buffer.from(ED25519_SMALL_ORDER[0]?.hex ?? '', 'hex').toString('base64url'),
      },
      alg: 'EdDSA',
    },
  ];
  for (const { rule, jwk, alg } of cases) {
    it(`refuses to publish ${rule}`, async () => {
      const key = createPublicKey({ key: jwk as never, format: 'jwk' });
      await assert.rejects(toPublicJwk({ kid: 'k', alg, key }), { code: 'invalid_config' });
    });
  }

  it('refuses to load a stored signing key whose public exponent is 1', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = privateKey.export({ format: 'jwk' }) as JWK;
    // OpenSSL imports this private key; every signature it makes is the encoded message.
    const weak = { ...jwk, e: 'AQ', d: 'AQ', dp: 'AQ', dq: 'AQ', kid: 'k', alg: 'RS256' };
    await assert.rejects(importSigningKey(weak), { code: 'invalid_config' });
  });
});
