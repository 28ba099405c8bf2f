/**
 * The claims of a Tessera access token (RFC 9068 §2.2) and the checks a verified payload must
 * pass. Kept apart from the signature layer, as jose keeps jwt/verify apart from jws/verify:
 * the signature says who wrote the claims; these checks say whether they apply here and now.
 */
import { TesseraError } from '../errors.js';
import type { JsonObject } from './json.js';

/** The claims of an access token, as issued by signAccessToken and returned by the verifier. */
export interface AccessTokenClaims {
  /** Issuer (RFC 7519 §4.1.1). */
  readonly iss: string;
  /** The user id, or the client id for client credentials (RFC 9068 §2.2). */
  readonly sub: string;
  /** Audience(s) (RFC 7519 §4.1.3). */
  readonly aud: string | readonly string[];
  /** Expiry, seconds since the epoch (RFC 7519 §4.1.4). */
  readonly exp: number;
  /** Issued at, seconds since the epoch (RFC 7519 §4.1.6). */
  readonly iat: number;
  /** Unique token id; what revocation denylists key on (RFC 7519 §4.1.7). */
  readonly jti: string;
  /** The OAuth client the token was issued to (RFC 8693 §4.3, required by RFC 9068 §2.2). */
  readonly client_id: string;
  /** Space-delimited scopes (RFC 9068 §2.2.3). */
  readonly scope?: string;
  /** The session or refresh family a user token came from. */
  readonly sid?: string;
  /** Not before, seconds since the epoch (RFC 7519 §4.1.5); Tessera does not set it. */
  readonly nbf?: number;
  readonly [claim: string]: unknown;
}

/**
 * The claims a revocation check looks at, on the server (core/revocation) and in the verifier
 * (verify/revocation-state). Times are seconds since the epoch, as in the JWT.
 */
export interface RevocableClaims {
  readonly jti: string;
  readonly sub: string;
  readonly iat: number;
  readonly sid?: string | undefined;
}

/** What the claims are held to. Times are seconds since the epoch. */
export interface ClaimsPolicy {
  /** The one accepted `iss`, compared exactly. */
  readonly issuer: string;
  /** Accepted audiences; the token must name at least one. Undefined: any well-formed `aud`. */
  readonly audiences: readonly string[] | undefined;
  /** Clock skew tolerated on exp, nbf and iat. */
  readonly skewSeconds: number;
}

/** Checks a verified payload against `policy` at `now` (seconds); throws a token_* TesseraError. */
export function checkAccessTokenClaims(
  claims: JsonObject,
  policy: ClaimsPolicy,
  now: number,
): asserts claims is AccessTokenClaims {
  const { iss, sub, aud, exp, iat, nbf, jti, client_id: clientId, scope, sid } = claims;
  // RFC 9068 §2.2: iss, exp, aud, sub, client_id, iat and jti are all REQUIRED.
  if (!isNumericDate(exp)) throw invalid('exp', 'a NumericDate');
  if (!isNumericDate(iat)) throw invalid('iat', 'a NumericDate');
  if (nbf !== undefined && !isNumericDate(nbf)) throw invalid('nbf', 'a NumericDate');
  if (!isNonEmptyString(sub)) throw invalid('sub', 'a non-empty string');
  if (!isNonEmptyString(jti)) throw invalid('jti', 'a non-empty string');
  if (!isNonEmptyString(clientId)) throw invalid('client_id', 'a non-empty string');
  if (scope !== undefined && typeof scope !== 'string') throw invalid('scope', 'a string');
  if (sid !== undefined && !isNonEmptyString(sid)) throw invalid('sid', 'a non-empty string');
  if (iss !== policy.issuer) {
    throw new TesseraError('token_claim_invalid', 'the token was issued by another issuer (iss)');
  }
  if (!audienceAccepted(aud, policy.audiences)) {
    throw new TesseraError('token_claim_invalid', 'the token is not meant for this audience (aud)');
  }
  const skewSeconds = policy.skewSeconds;
  // RFC 7519 §4.1.4: acceptable only while the current time is before exp.
  if (now >= exp + skewSeconds) {
    throw new TesseraError('token_expired', `the access token expired${at(exp)}`);
  }
  // RFC 7519 §4.1.5, and an iat in the future means a token from a clock we cannot trust.
  if (iat > now + skewSeconds || (nbf !== undefined && nbf > now + skewSeconds)) {
    const from = nbf === undefined ? iat : Math.max(iat, nbf);
    throw new TesseraError(
      'token_not_yet_valid',
      `the access token is not valid before${at(from)}`,
    );
  }
}

/**
 * The time span in which a token that passed checkAccessTokenClaims may be served from a cache:
 * from its start less the skew, until exp itself — a cached entry never outlives exp, even though
 * a fresh check would allow the skew.
 */
export function cacheWindow(
  claims: AccessTokenClaims,
  skewSeconds: number,
): { from: number; until: number } {
  const start = claims.nbf === undefined ? claims.iat : Math.max(claims.iat, claims.nbf);
  return { from: start - skewSeconds, until: claims.exp };
}

/** True when `aud` (a string or an array of strings) names one of `accepted`. */
function audienceAccepted(aud: unknown, accepted: readonly string[] | undefined): boolean {
  if (typeof aud === 'string')
    return aud !== '' && (accepted === undefined || accepted.includes(aud));
  if (!Array.isArray(aud) || aud.length === 0) return false;
  let named = false;
  for (const item of aud as unknown[]) {
    if (typeof item !== 'string') return false;
    if (accepted === undefined || accepted.includes(item)) named = true;
  }
  return named;
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function invalid(claim: string, shape: string): TesseraError {
  return new TesseraError(
    'token_claim_invalid',
    `the token "${claim}" claim is missing or not ${shape}`,
  );
}

// A readable instant for messages; guarded because absurd NumericDates make invalid Dates.
function at(seconds: number): string {
  const ms = seconds * 1000;
  return Math.abs(ms) <= 8.64e15 ? ` at ${new Date(ms).toISOString()}` : '';
}
