/**
 * New signing keys. Asymmetric pairs come from jose's generateKeyPair and are turned into
 * node:crypto KeyObjects once; HS256 secrets are drawn through core/random.ts and only when the
 * operator asks for HS256 by name (DESIGN.md: HS256 only by explicit choice).
 */
import { KeyObject, createSecretKey } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { TesseraError } from '../errors.js';
import { randomToken } from '../random.js';
import {
  assertKeySuits,
  defaultSigningAlgorithm,
  isValidKid,
  minHmacSecretBytes,
  type SigningAlgorithm,
} from './algorithms.js';
import type { SigningKey } from './key.js';

/** Options for a new key. */
export interface GenerateKeyOptions {
  /** Key id; defaults to the RFC 7638 thumbprint (asymmetric) or a random id (HS256). */
  kid?: string;
}

/** Generates a signing key: RS256 with a 2048-bit modulus unless another algorithm is named. */
export async function generateSigningKey(
  alg: SigningAlgorithm = defaultSigningAlgorithm,
  options: GenerateKeyOptions = {},
): Promise<SigningKey> {
  if (alg === 'HS256') {
    const secret = Buffer.from(randomToken(minHmacSecretBytes), 'base64url');
    return hmacSigningKey(secret, options);
  }
  const pair = await generateKeyPair(alg, {
    ...(alg === 'RS256' ? { modulusLength: 2048 } : {}),
    ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
    // The private key is stored (encrypted at rest by the caller), so it must be exportable.
    extractable: true,
  });
  const privateKey = KeyObject.from(pair.privateKey);
  const key = KeyObject.from(pair.publicKey);
  assertKeySuits(key, alg);
  const kid = options.kid ?? (await thumbprintKid(key));
  return { kid: checkedKid(kid), alg, key, privateKey };
}

/** An HS256 signing key over an existing secret of at least 256 bits (RFC 7518 §3.2). */
export function hmacSigningKey(secret: Uint8Array, options: GenerateKeyOptions = {}): SigningKey {
  if (secret.byteLength < minHmacSecretBytes) {
    throw new TesseraError(
      'invalid_config',
      `an HS256 secret needs at least ${minHmacSecretBytes * 8} bits`,
    );
  }
  const key = createSecretKey(secret); // node:crypto keeps its own copy
  // A thumbprint would publish a hash of the secret, so HS256 kids are random instead.
  const kid = options.kid ?? randomToken(16);
  return { kid: checkedKid(kid), alg: 'HS256', key, privateKey: key };
}

/** The RFC 7638 SHA-256 thumbprint of a public key: a stable, content-derived kid. */
export async function thumbprintKid(publicKey: KeyObject): Promise<string> {
  return calculateJwkThumbprint(await exportJWK(publicKey), 'sha256');
}

function checkedKid(kid: string): string {
  if (!isValidKid(kid)) {
    throw new TesseraError(
      'invalid_config',
      'a kid must be 1–128 printable ASCII characters without spaces',
    );
  }
  return kid;
}
