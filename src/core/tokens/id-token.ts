/**
 * OpenID Connect ID tokens (Core 1.0 §2, §3.1.3.6): signed with the same keys as access tokens,
 * but typed `JWT`, never `at+jwt`, so an access-token verifier refuses them (RFC 9068 §4) and no
 * ID token can be spent as an access token. Also the check of an `id_token_hint` (RP-initiated
 * logout), which the OP verifies with its own keys.
 */
import { createHash } from 'node:crypto';
import { TesseraError } from '../errors.js';
import type { KeySet, SigningKey } from '../keys/key.js';
import type { SigningAlgorithm } from '../keys/algorithms.js';
import { encodeBase64url } from './base64url.js';
import { typMatches } from './header.js';
import { verifyJws } from './jws.js';
import { parseJsonObject } from './json.js';
import { signInput } from './signature.js';

/** The `typ` of an ID token: plain JWT (RFC 7519 §5.1), so it can never pass as an access token. */
export const idTokenTyp = 'JWT';

/** What an ID token says, before time is added. */
export interface IdTokenInput {
  issuer: string;
  /** The user id. */
  subject: string;
  /** The client id: the ID token's only audience. */
  clientId: string;
  /** When the user signed in (ms): `auth_time`. */
  authTime: number;
  /** The Tessera session's public id: `sid` (OpenID Connect Front-/Back-Channel Logout §2). */
  sessionId: string;
  nonce?: string;
  /** The access token issued beside it, for `at_hash`. */
  accessToken?: string;
  /** Present when the `email` scope was granted. */
  email?: { address: string; verified: boolean };
  ttlSeconds: number;
}

/** The claims of an ID token as Tessera issues them. */
export interface IdTokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string;
  readonly exp: number;
  readonly iat: number;
  readonly auth_time: number;
  readonly nonce?: string;
  readonly sid: string;
  readonly at_hash?: string;
  readonly email?: string;
  readonly email_verified?: boolean;
}

/** Signs an ID token with `key` at `now` (ms). */
export function signIdToken(key: SigningKey, input: IdTokenInput, now: number): string {
  const iat = Math.floor(now / 1000);
  const claims: IdTokenClaims = {
    iss: input.issuer,
    sub: input.subject,
    aud: input.clientId,
    exp: iat + input.ttlSeconds,
    iat,
    auth_time: Math.floor(input.authTime / 1000),
    ...(input.nonce === undefined ? {} : { nonce: input.nonce }),
    sid: input.sessionId,
    ...(input.accessToken === undefined ? {} : { at_hash: atHash(input.accessToken, key.alg) }),
    ...(input.email === undefined
      ? {}
      : { email: input.email.address, email_verified: input.email.verified }),
  };
  const header = encodeBase64url(JSON.stringify({ alg: key.alg, typ: idTokenTyp, kid: key.kid }));
  const signingInput = `${header}.${encodeBase64url(JSON.stringify(claims))}`;
  return `${signingInput}.${signInput(key, signingInput).toString('base64url')}`;
}

/**
 * OpenID Connect Core §3.1.3.6 `at_hash`: the left half of the hash of the access token's ASCII,
 * base64url. The hash is the one of the signing algorithm: SHA-256 for RS256, ES256 and HS256;
 * SHA-512 for EdDSA over Ed25519 (OpenID Connect Core errata / RFC 8037 practice).
 */
export function atHash(accessToken: string, alg: SigningAlgorithm): string {
  const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256')
    .update(accessToken, 'ascii')
    .digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/** What a verified `id_token_hint` says that logout needs. */
export interface IdTokenHint {
  sub: string;
  /** The audience: the client the ID token was issued to. */
  clientId: string;
  sid: string | undefined;
}

/**
 * Verifies an `id_token_hint` (RP-Initiated Logout 1.0 §2): our signature with the key it names
 * (the key decides the algorithm), `typ` JWT, our `iss`, one audience. Its expiry is not checked:
 * the spec lets an expired ID token be a hint. Throws a token_* TesseraError otherwise.
 */
export function verifyIdTokenHint(token: string, keys: KeySet, issuer: string): IdTokenHint {
  const { header, payload } = verifyJws(token, keys);
  if (!typMatches(header.typ, idTokenTyp)) {
    throw new TesseraError('token_unsupported', 'the hint is not an ID token (typ JWT)');
  }
  const claims = parseJsonObject(payload);
  if (claims === undefined) {
    throw new TesseraError('token_malformed', 'the ID token claims are not a JSON object');
  }
  const { iss, sub, aud, sid } = claims;
  if (iss !== issuer) throw new TesseraError('token_claim_invalid', 'the ID token is not ours');
  if (typeof sub !== 'string' || sub === '') {
    throw new TesseraError('token_claim_invalid', 'the ID token names no subject');
  }
  const audience = Array.isArray(aud) && aud.length === 1 ? (aud[0] as unknown) : aud;
  if (typeof audience !== 'string' || audience === '') {
    throw new TesseraError('token_claim_invalid', 'the ID token names no single client');
  }
  return { sub, clientId: audience, sid: typeof sid === 'string' ? sid : undefined };
}
