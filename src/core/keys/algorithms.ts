/**
 * The signing algorithms Tessera supports and what each demands of its key. A key carries exactly
 * one algorithm for its whole life: the verifier takes the algorithm from the key, never from a
 * token header (RFC 8725 §3.1).
 */
import type { KeyObject } from 'node:crypto';
import { TesseraError } from '../errors.js';

/** A JWS algorithm Tessera signs and verifies with (RFC 7518 §3.1, RFC 8037 §3.1). */
export type SigningAlgorithm = 'RS256' | 'ES256' | 'EdDSA' | 'HS256';

/** Every supported algorithm; RS256 first because it is the default. */
export const signingAlgorithms: readonly SigningAlgorithm[] = ['RS256', 'ES256', 'EdDSA', 'HS256'];

/** The default algorithm for new signing keys (DESIGN.md: RS256 by default). */
export const defaultSigningAlgorithm: SigningAlgorithm = 'RS256';

/** RFC 7518 §3.3: RSA keys of 2048 bits or larger MUST be used with RS256. */
export const minRsaModulusBits = 2048;

/** RFC 7518 §3.2: an HS256 key MUST have at least as many bits as the hash output (256). */
export const minHmacSecretBytes = 32;

/** Longest `kid` accepted anywhere; a kid is an opaque map key, never a path or a URL. */
export const maxKidLength = 128;

// Printable ASCII without space: a kid is only ever a Map key, so it needs no more than this,
// and rejecting the rest keeps control characters and homoglyphs out of logs and lookups.
const kidPattern = /^[\x21-\x7e]+$/;

/** True when `value` names an algorithm Tessera supports (exact, case-sensitive match). */
export function isSigningAlgorithm(value: unknown): value is SigningAlgorithm {
  return value === 'RS256' || value === 'ES256' || value === 'EdDSA' || value === 'HS256';
}

/** True when `value` is a usable key id: 1–128 printable ASCII characters without spaces. */
export function isValidKid(value: unknown): value is string {
  return typeof value === 'string' && value.length <= maxKidLength && kidPattern.test(value);
}

/**
 * Why `key` cannot be used with `alg`, or undefined when it can. `key` is the verifying half
 * (public key, or the secret for HS256); private keys are checked through their public half.
 */
export function keyProblem(key: KeyObject, alg: SigningAlgorithm): string | undefined {
  if (alg === 'HS256') {
    if (key.type !== 'secret') return 'HS256 needs a secret key';
    const bytes = key.symmetricKeySize ?? 0;
    return bytes >= minHmacSecretBytes
      ? undefined
      : `an HS256 secret needs at least ${minHmacSecretBytes * 8} bits (RFC 7518 §3.2)`;
  }
  if (key.type === 'secret') return `${alg} needs an asymmetric key`;
  switch (alg) {
    case 'RS256': {
      // 'rsa-pss' keys are refused: RS256 is RSASSA-PKCS1-v1_5 (RFC 7518 §3.3).
      if (key.asymmetricKeyType !== 'rsa') return 'RS256 needs an RSA key';
      const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
      return bits >= minRsaModulusBits
        ? undefined
        : `an RS256 key needs at least ${minRsaModulusBits} bits (RFC 7518 §3.3)`;
    }
    case 'ES256':
      // RFC 7518 §3.4: ES256 is ECDSA over P-256 (OpenSSL's prime256v1) only.
      return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1'
        ? undefined
        : 'ES256 needs a P-256 key';
    case 'EdDSA':
      // RFC 8037 §3.1 also allows Ed448; Tessera supports Ed25519 only.
      return key.asymmetricKeyType === 'ed25519' ? undefined : 'EdDSA needs an Ed25519 key';
  }
}

/** Throws invalid_config when `key` cannot be used with `alg`. */
export function assertKeySuits(key: KeyObject, alg: SigningAlgorithm): void {
  const problem = keyProblem(key, alg);
  if (problem !== undefined) throw new TesseraError('invalid_config', problem);
}

/** The exact byte length of a valid signature for `alg` over `key`, per RFC 7518 §3.2–3.4. */
export function signatureLength(key: KeyObject, alg: SigningAlgorithm): number {
  switch (alg) {
    case 'HS256':
      return 32;
    case 'RS256':
      // RFC 8017 §8.2.2 step 1: the signature is exactly as long as the modulus.
      return Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
    case 'ES256':
      // RFC 7518 §3.4: R || S, each 32 bytes (IEEE P1363), never DER.
      return 64;
    case 'EdDSA':
      return 64; // RFC 8032 §5.1.6
  }
}
