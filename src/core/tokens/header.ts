/**
 * The JOSE protected header (RFC 7515 §4) and the rules Tessera holds it to. The header is read
 * before the signature is checked, so it may say anything: it only ever narrows what is
 * accepted — it never chooses a key by URL or embedded material, never chooses the algorithm,
 * and never switches on an extension.
 */
import { TesseraError } from '../errors.js';
import { isValidKid } from '../keys/algorithms.js';
import { decodeBase64url } from './base64url.js';
import { parseJsonObject } from './json.js';

/** A JOSE header that passed the rules below. */
export interface JoseHeader {
  readonly alg: string;
  readonly kid?: string;
  readonly typ?: string;
  readonly [parameter: string]: unknown;
}

// Parameters whose presence alone refuses the token:
// - jku, x5u (RFC 7515 §4.1.2, §4.1.5): fetch a key from a URL the attacker names (SSRF, and
//   trust in the attacker's key); jwk, x5c (§4.1.3, §4.1.6): the attacker's key inline.
//   RFC 8725 §3.10 — keys come from our key set only.
// - crit (§4.1.11): we understand no extension, so any listed one must be refused.
// - b64 (RFC 7797 §3): an unencoded payload changes what the signature covers.
// - zip (RFC 7516 §4.1.3): compression belongs to JWE; in a JWS it invites decompression bombs.
// - cty (RFC 7519 §5.2): nested JWTs are not supported; an access token is never nested.
const refusedParameters = ['jku', 'jwk', 'x5u', 'x5c', 'crit', 'b64', 'zip', 'cty'] as const;

/** Decodes and checks a protected header segment; throws a coded TesseraError on any fault. */
export function parseProtectedHeader(segment: string): JoseHeader {
  const bytes = decodeBase64url(segment);
  const header = bytes === undefined ? undefined : parseJsonObject(bytes);
  if (header === undefined) {
    throw new TesseraError(
      'token_malformed',
      'the token header is not a base64url JSON object (RFC 7515 §7.2.1)',
    );
  }
  for (const name of refusedParameters) {
    if (Object.hasOwn(header, name)) {
      throw new TesseraError(
        'token_unsupported',
        `the token header uses "${name}", which is refused`,
      );
    }
  }
  const { alg, kid, typ } = header;
  if (typeof alg !== 'string') {
    throw new TesseraError('token_malformed', 'the token header has no "alg" (RFC 7515 §4.1.1)');
  }
  // RFC 8725 §3.1 / §2.1: "none" in any spelling is an unsecured JWS and is never accepted.
  if (alg.toLowerCase() === 'none') {
    throw new TesseraError('token_unsupported', 'unsecured tokens (alg "none") are refused');
  }
  if (kid !== undefined && !isValidKid(kid)) {
    throw new TesseraError('token_malformed', 'the token "kid" is not a short printable string');
  }
  if (typ !== undefined && typeof typ !== 'string') {
    throw new TesseraError('token_malformed', 'the token "typ" is not a string (RFC 7515 §4.1.9)');
  }
  return header as JoseHeader;
}

/**
 * True when `typ` names the media type `required`. RFC 7515 §4.1.9: media types compare
 * case-insensitively and may omit "application/"; RFC 9068 §4 names both "at+jwt" and
 * "application/at+jwt".
 */
export function typMatches(typ: string | undefined, required: string): boolean {
  if (typ === undefined) return false;
  const wanted = required.toLowerCase();
  const given = typ.toLowerCase();
  return given === wanted || given === `application/${wanted}`;
}
