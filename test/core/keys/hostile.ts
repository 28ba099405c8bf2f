/** Raw material for hostile-key tests: weak RSA JWKs and the small-order Ed25519 encodings. */
import { generateKeyPairSync } from 'node:crypto';
import type { JWK } from 'jose';

/** A public RSA JWK of `bits`, with `e` (65537 unless given), usable as an RS256 key. */
export function rsaJwk(bits: number, e = 65537): JWK {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: e });
  return { ...(publicKey.export({ format: 'jwk' }) as JWK), alg: 'RS256' };
}

/**
 * Every encoding of an Ed25519 point of order 1, 2, 4 or 8 (RFC 8032 §5.1.3 decoding): the eight
 * points in canonical form, then the non-canonical ones (y ≥ p, or the sign bit set on x = 0).
 * Checked by computing each point's order; the same list libsodium's ge25519_has_small_order
 * refuses. A public key among them verifies a forged signature (R = identity, S = 0).
 */
export const ED25519_SMALL_ORDER: { name: string; hex: string }[] = [
  { name: 'identity (order 1)', hex: `01${'00'.repeat(31)}` },
  { name: 'y = −1 (order 2)', hex: `ec${'ff'.repeat(30)}7f` },
  { name: 'y = 0, x even (order 4)', hex: '00'.repeat(32) },
  { name: 'y = 0, x odd (order 4)', hex: `${'00'.repeat(31)}80` },
  {
    name: 'order 8, first',
    hex: '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  },
  {
    name: 'order 8, second',
    hex: '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  },
  {
    name: 'order 8, third',
    hex: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  },
  {
    name: 'order 8, fourth',
    hex: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  },
  { name: 'non-canonical identity, sign bit set', hex: `01${'00'.repeat(30)}80` },
  { name: 'non-canonical y = −1, sign bit set', hex: `ec${'ff'.repeat(31)}` },
  { name: 'non-canonical y = p (≡ 0)', hex: `ed${'ff'.repeat(30)}7f` },
  { name: 'non-canonical y = p (≡ 0), sign bit set', hex: `ed${'ff'.repeat(31)}` },
  { name: 'non-canonical y = p + 1 (≡ 1)', hex: `ee${'ff'.repeat(30)}7f` },
  { name: 'non-canonical y = p + 1 (≡ 1), sign bit set', hex: `ee${'ff'.repeat(31)}` },
];
