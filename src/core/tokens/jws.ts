/**
 * The signature layer: compact JWS structure, header rules, key resolution and the signature
 * itself — no claims. The access-token verifier (verify.ts) is built from these same pieces;
 * verifyJws composes them for JWS that are not access tokens (the RFC test vectors, tooling).
 */
import { TesseraError } from '../errors.js';
import type { KeySet, VerificationKey } from '../keys/key.js';
import { decodeSegment, isCompactAlphabet } from './base64url.js';
import { parseProtectedHeader, type JoseHeader } from './header.js';
import { signatureCheck, type SignatureCheck } from './signature.js';

/** Default upper bound on a token's length: far above a real access token (~0.5–1 KB). */
export const defaultMaxTokenBytes = 8192;

/** Where the two dots of a compact JWS are. */
export interface CompactDots {
  readonly first: number;
  readonly second: number;
}

/** A JWS whose structure, header and signature all checked out. */
export interface VerifiedJws {
  readonly header: JoseHeader;
  /** The payload bytes, exactly as signed. */
  readonly payload: Buffer;
  /** The key that verified the signature. */
  readonly key: VerificationKey;
}

/** Options of the signature layer. */
export interface JwsOptions {
  /** Longest token accepted, checked before any decoding; defaults to 8192. */
  maxTokenBytes?: number;
}

/**
 * Checks the outside of a compact JWS, cheapest first: a string, no longer than `maxTokenBytes`
 * (before any decoding or parsing), exactly three segments (RFC 7515 §7.1), and only
 * base64url-safe ASCII. Returns where the dots are.
 */
export function splitCompact(token: unknown, maxTokenBytes: number): CompactDots {
  if (typeof token !== 'string')
    throw new TesseraError('token_malformed', 'the token is not a string');
  if (token.length > maxTokenBytes) {
    throw new TesseraError('token_too_large', `the token is longer than ${maxTokenBytes} bytes`);
  }
  const first = token.indexOf('.');
  const second = first === -1 ? -1 : token.indexOf('.', first + 1);
  if (second === -1 || token.indexOf('.', second + 1) !== -1) {
    throw new TesseraError(
      'token_malformed',
      'a compact JWS has exactly three segments (RFC 7515 §7.1)',
    );
  }
  if (!isCompactAlphabet(token)) {
    throw new TesseraError('token_malformed', 'the token is not base64url (RFC 7515 §2)');
  }
  return { first, second };
}

/** True when `keys` is a key set rather than one key. */
export function isKeySet(keys: KeySet | VerificationKey): keys is KeySet {
  return keys instanceof Map;
}

/**
 * The key a header names, and only if its algorithm is that key's. With a key set the kid is
 * required and used as a map key, nothing more; with a single key a kid, if present, must match.
 */
export function resolveKey(header: JoseHeader, keys: KeySet | VerificationKey): VerificationKey {
  let key: VerificationKey | undefined;
  if (isKeySet(keys)) {
    key = header.kid === undefined ? undefined : keys.get(header.kid);
  } else {
    key = header.kid === undefined || header.kid === keys.kid ? keys : undefined;
  }
  if (key === undefined) {
    throw new TesseraError(
      'token_unknown_key',
      header.kid === undefined ? 'the token names no key (kid)' : 'the token names an unknown key',
    );
  }
  // RFC 8725 §3.1: the key decides the algorithm; a header naming another one (HS256 on an RSA
  // or Ed25519 key — the classic confusion attack) is refused before any crypto runs.
  if (header.alg !== key.alg) {
    throw new TesseraError('token_unsupported', "the token's alg is not its key's algorithm");
  }
  return key;
}

// One prepared signature check per key object, made on first use.
const checks = new WeakMap<VerificationKey, SignatureCheck>();

/** The signature check of `key`, prepared once per key and reused. */
export function checkFor(key: VerificationKey): SignatureCheck {
  let check = checks.get(key);
  if (check === undefined) {
    check = signatureCheck(key);
    checks.set(key, check);
  }
  return check;
}

/** Decodes a segment strictly, or throws token_malformed naming `what`. */
export function segmentBytes(segment: string, what: string): Buffer {
  const bytes = decodeSegment(segment);
  if (bytes === undefined) {
    throw new TesseraError('token_malformed', `the token ${what} is not canonical base64url`);
  }
  return bytes;
}

/** Verifies a compact JWS over one key or a key set: structure, header rules, signature. */
export function verifyJws(
  token: string,
  keys: KeySet | VerificationKey,
  options: JwsOptions = {},
): VerifiedJws {
  const { first, second } = splitCompact(token, options.maxTokenBytes ?? defaultMaxTokenBytes);
  const header = parseProtectedHeader(token.slice(0, first));
  const key = resolveKey(header, keys);
  const payload = segmentBytes(token.slice(first + 1, second), 'payload');
  const signature = segmentBytes(token.slice(second + 1), 'signature');
  if (!checkFor(key)(token.slice(0, second), signature)) {
    throw new TesseraError('token_signature_invalid', 'the token signature does not verify');
  }
  return { header, payload, key };
}
