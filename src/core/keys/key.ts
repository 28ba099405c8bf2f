/**
 * The shapes of keys inside Tessera. Each key is imported once into a node:crypto KeyObject and
 * used from there on the hot path; JWKs exist only at the edges (storage, the JWKS endpoint).
 */
import type { KeyObject } from 'node:crypto';
import type { SigningAlgorithm } from './algorithms.js';

/** A key that verifies tokens: its id, its one algorithm, and the public key (or HS256 secret). */
export interface VerificationKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  /** Public key for RS256/ES256/EdDSA; the shared secret for HS256. */
  readonly key: KeyObject;
}

/** A key that signs tokens; it also verifies them, so it can go wherever a VerificationKey goes. */
export interface SigningKey extends VerificationKey {
  /** Private key for RS256/ES256/EdDSA; the same secret as `key` for HS256. */
  readonly privateKey: KeyObject;
}

/** The keys a verifier trusts, by kid. A kid is only ever a map key (RFC 8725 §3.10 spirit). */
export type KeySet = ReadonlyMap<string, VerificationKey>;
