/**
 * Key sets: the kid → key map a verifier trusts, and the JWKS document (RFC 7517 §5) that
 * publishes the public half. A kid is only ever a Map key — never a path, URL or query.
 */
import type { JSONWebKeySet, JWK } from 'jose';
import { TesseraError } from '../errors.js';
import { isValidKid } from './algorithms.js';
import { importVerificationKey, toPublicJwk, type PublicJwk } from './jwk.js';
import type { KeySet, VerificationKey } from './key.js';

/** A JWKS as Tessera publishes it. */
export interface PublicJwks {
  keys: PublicJwk[];
}

/**
 * Builds a key set from keys; only the verifying half is kept, so a verifier built from signing
 * keys never holds a private key. Throws invalid_config on a bad or repeated kid.
 */
export function createKeySet(keys: Iterable<VerificationKey>): KeySet {
  const set = new Map<string, VerificationKey>();
  for (const { kid, alg, key } of keys) {
    if (!isValidKid(kid))
      throw new TesseraError('invalid_config', 'a kid must be 1–128 printable ASCII characters');
    if (set.has(kid)) throw new TesseraError('invalid_config', 'two keys share one kid');
    set.set(kid, Object.freeze({ kid, alg, key }));
  }
  return set;
}

/** The public JWKS of `keys`; HS256 keys are left out, since a secret is never published. */
export async function toJwks(keys: Iterable<VerificationKey>): Promise<PublicJwks> {
  const published: PublicJwk[] = [];
  for (const key of keys) {
    if (key.alg !== 'HS256') published.push(await toPublicJwk(key));
  }
  return { keys: published };
}

/**
 * Imports a JWKS fetched from elsewhere into a key set. Keys Tessera cannot use safely are
 * skipped rather than failing the whole set: encryption keys, unsupported or missing `alg`,
 * symmetric keys (a secret in a public document is no secret), malformed keys, and every key
 * whose kid appears more than once (which one was meant cannot be told). Throws invalid_config
 * only when the document itself is not a JWKS.
 */
export async function keySetFromJwks(jwks: unknown): Promise<KeySet> {
  if (typeof jwks !== 'object' || jwks === null || !Array.isArray((jwks as JSONWebKeySet).keys)) {
    throw new TesseraError(
      'invalid_config',
      'a JWKS is an object with a "keys" array (RFC 7517 §5)',
    );
  }
  const candidates: unknown[] = (jwks as JSONWebKeySet).keys;
  const kidCounts = new Map<string, number>();
  for (const jwk of candidates) {
    const kid = isObject(jwk) ? jwk.kid : undefined;
    if (typeof kid === 'string') kidCounts.set(kid, (kidCounts.get(kid) ?? 0) + 1);
  }
  const set = new Map<string, VerificationKey>();
  for (const jwk of candidates) {
    if (!isObject(jwk) || jwk.kty === 'oct') continue;
    const kid = jwk.kid;
    if (!isValidKid(kid) || kidCounts.get(kid) !== 1) continue;
    try {
      set.set(kid, Object.freeze(await importVerificationKey(jwk as JWK)));
    } catch {
      continue; // unusable key: skipped, as documented above
    }
  }
  return set;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
