/**
 * Issuing access tokens as RFC 9068 JWTs. Time comes in as `now` and the jti from
 * core/random.ts, so the function is deterministic apart from the jti (and the ECDSA nonce).
 */
import { TesseraError } from '../errors.js';
import type { SigningKey } from '../keys/key.js';
import { randomToken } from '../random.js';
import { encodeBase64url } from './base64url.js';
import type { AccessTokenClaims } from './claims.js';
import { signInput } from './signature.js';
import { accessTokenTyp } from './verify.js';

/** What an access token says, before time and a jti are added. */
export interface AccessTokenInput {
  /** `iss`: the issuer identifier (TESSERA_ISSUER). */
  issuer: string;
  /** `sub`: the user id, or the client id for client credentials. */
  subject: string;
  /** `aud`: the resource server(s) the token is for. */
  audience: string | readonly string[];
  /** `client_id`: the client the token is issued to. */
  clientId: string;
  /** `scope`: space-delimited granted scopes (RFC 9068 §2.2.3); omitted when undefined. */
  scope?: string;
  /** `sid`: the session or refresh family of a user token; omitted for client credentials. */
  sessionId?: string;
  /** Lifetime in whole seconds, 1–86 400 (DESIGN.md: 5–15 minutes in practice). */
  ttlSeconds: number;
}

/** A freshly signed access token and the claims inside it. */
export interface SignedAccessToken {
  readonly token: string;
  readonly claims: AccessTokenClaims;
}

const maxTtlSeconds = 86_400;

// The header segment is the same for every token of a key, so it is encoded once per key.
const headerSegments = new WeakMap<SigningKey, string>();

/** Signs an RFC 9068 access token with `key` at `now` (milliseconds since the epoch). */
export function signAccessToken(
  key: SigningKey,
  input: AccessTokenInput,
  now: number,
): SignedAccessToken {
  if (!Number.isFinite(now))
    throw new TesseraError('internal', 'now must be milliseconds since the epoch');
  const { ttlSeconds, scope, sessionId } = input;
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > maxTtlSeconds) {
    throw new TesseraError(
      'internal',
      `ttlSeconds must be a whole number from 1 to ${maxTtlSeconds}`,
    );
  }
  const iat = Math.floor(now / 1000);
  // Claim order follows RFC 9068 §2.2 so tokens read the same way everywhere.
  const claims: AccessTokenClaims = {
    iss: required(input.issuer, 'issuer'),
    sub: required(input.subject, 'subject'),
    aud: audience(input.audience),
    exp: iat + ttlSeconds,
    iat,
    jti: randomToken(16), // 128 bits: unique without coordination
    client_id: required(input.clientId, 'clientId'),
    ...(scope === undefined ? {} : { scope: text(scope, 'scope') }),
    ...(sessionId === undefined ? {} : { sid: required(sessionId, 'sessionId') }),
  };
  const signingInput = `${headerSegment(key)}.${encodeBase64url(JSON.stringify(claims))}`;
  const token = `${signingInput}.${signInput(key, signingInput).toString('base64url')}`;
  return { token, claims };
}

function headerSegment(key: SigningKey): string {
  let segment = headerSegments.get(key);
  if (segment === undefined) {
    // RFC 9068 §2.1: typ "at+jwt" (the short form RFC 7515 §4.1.9 recommends), alg and kid.
    segment = encodeBase64url(JSON.stringify({ alg: key.alg, typ: accessTokenTyp, kid: key.kid }));
    headerSegments.set(key, segment);
  }
  return segment;
}

function required(value: string, name: string): string {
  if (typeof value !== 'string' || value === '')
    throw new TesseraError('internal', `${name} must be a non-empty string`);
  return value;
}

function text(value: string, name: string): string {
  if (typeof value !== 'string') throw new TesseraError('internal', `${name} must be a string`);
  return value;
}

function audience(value: string | readonly string[]): string | readonly string[] {
  if (typeof value === 'string') return required(value, 'audience');
  if (!Array.isArray(value) || value.length === 0) {
    throw new TesseraError('internal', 'audience must be a string or a non-empty array of strings');
  }
  return value.map((item: string) => required(item, 'audience'));
}
