/**
 * Public keys that parse but must never be trusted: OpenSSL imports them, and each lets a token
 * be forged without the private key. Checked wherever a key enters or leaves Tessera as a JWK
 * (jwk.ts), so a verifier drops such a key and the server never publishes one.
 */
import type { KeyObject } from 'node:crypto';

// libsodium's ge25519_has_small_order list: the y-coordinates (little-endian, sign bit of x
// cleared) of every Ed25519 point of order 1, 2, 4 or 8, including the non-canonical y ≥ p.
// Each hex string is one y; see test/core/keys/hostile.ts for the points and their orders.
const smallOrderY = [
  `01${'00'.repeat(31)}`, // 1: the identity
  `ec${'ff'.repeat(30)}7f`, // p − 1: order 2
  '00'.repeat(32), // 0: order 4
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', // order 8
  `ed${'ff'.repeat(30)}7f`, // p ≡ 0, non-canonical
  `ee${'ff'.repeat(30)}7f`, // p + 1 ≡ 1, non-canonical
].map((hex) => Buffer.from(hex, 'hex'));

/** Why `key` (a public key) is unsafe to verify with, or undefined when it is sound. */
export function weakKeyProblem(key: KeyObject): string | undefined {
  if (key.type !== 'public') return undefined;
  if (key.asymmetricKeyType === 'rsa') return rsaProblem(key);
  if (key.asymmetricKeyType === 'ed25519') return ed25519Problem(key);
  return undefined; // P-256: node:crypto refuses points off the curve and the point at infinity
}

function rsaProblem(key: KeyObject): string | undefined {
  const e = key.asymmetricKeyDetails?.publicExponent ?? 0n;
  const n = BigInt(`0x${Buffer.from(jwkMember(key, 'n'), 'base64url').toString('hex') || '0'}`);
  // RFC 8017 §3.1: 3 ≤ e ≤ n − 1. With e = 1 a "signature" is the padded digest itself; an
  // even e is no RSA exponent (it shares the factor 2 with λ(n)). e = 3 is allowed: the
  // forgery it is famous for needs a loose padding parser, and OpenSSL compares the whole
  // encoded message (RFC 8017 §8.2.2 step 4).
  if (e < 3n || e % 2n === 0n || e >= n)
    return 'the RSA public exponent must be odd, ≥ 3 and < n (RFC 8017 §3.1)';
  // RFC 8017 §3.1: n is a product of odd primes.
  if (n % 2n === 0n) return 'the RSA modulus must be odd (RFC 8017 §3.1)';
  return undefined;
}

function ed25519Problem(key: KeyObject): string | undefined {
  const encoded = Buffer.from(jwkMember(key, 'x'), 'base64url');
  if (encoded.length !== 32) return 'an Ed25519 public key is 32 bytes (RFC 8032 §5.1.5)';
  const y = Buffer.from(encoded);
  y[31] = (y[31] ?? 0) & 0x7f; // the top bit is the sign of x, not part of y (RFC 8032 §5.1.2)
  // A small-order public key A makes [k]A the identity for many k: the signature R = identity,
  // S = 0 then verifies any message (RFC 8032 §5.1.7 with a cofactor-free check).
  return smallOrderY.some((bad) => bad.equals(y))
    ? 'the Ed25519 public key is a point of small order'
    : undefined;
}

function jwkMember(key: KeyObject, name: 'n' | 'x'): string {
  const value = (key.export({ format: 'jwk' }) as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}
