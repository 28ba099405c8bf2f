/**
 * The one authenticator front of Tessera, shared by the server's auth plugin and the toolkit's
 * middleware: which credential a request presents (a bearer token, RFC 6750 §2.1, or a session
 * cookie), which one a route takes ('bearer', 'session' or 'either'), and the `WWW-Authenticate`
 * challenge a refusal carries. Checking the credential is the caller's: the server asks core,
 * the middleware asks the verifier and the session check.
 *
 * It lives in verify/ because the toolkit ships verify/ and middleware/ as one package that must
 * not pull in the server; the server already depends on verify/, never the reverse. It depends
 * only on core/errors.ts and the error registry beside it.
 */
import { TesseraError } from '../core/errors.js';
import { entryOf } from '../core/error-registry.js';

/** Which credentials a route takes. */
export type Accept = 'bearer' | 'session' | 'either';

/** The credential a request presents, still unchecked. */
export type Credential = { kind: 'bearer'; token: string } | { kind: 'session'; value: string };

/** The headers that carry credentials, as the HTTP library gives them. */
export interface CredentialHeaders {
  /** Every `Authorization` header sent: one string, or each one when it was repeated. */
  authorization: string | readonly string[] | undefined;
  /** The `Cookie` header (several are joined with `; `, as RFC 6265 §5.4 allows). */
  cookie: string | undefined;
}

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=";
// the scheme is case-insensitive (RFC 7235 §2.1) and separated by one or more spaces.
const bearerSyntax = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The token of `Authorization: Bearer <token>`: `unauthenticated` when there is none,
 * `token_malformed` for anything but exactly one header with exactly one token68 (two headers
 * are ambiguous: which one would the caller mean?).
 */
export function bearerToken(authorization: string | readonly string[] | undefined): string {
  if (authorization === undefined || authorization.length === 0) {
    throw new TesseraError('unauthenticated', 'no access token');
  }
  const value = typeof authorization === 'string' ? authorization : only(authorization);
  const token = value === undefined ? undefined : bearerSyntax.exec(value)?.[1];
  if (token === undefined) {
    throw new TesseraError('token_malformed', 'the Authorization header is not "Bearer <token>"');
  }
  return token;
}

function only(values: readonly string[]): string | undefined {
  return values.length === 1 ? values[0] : undefined;
}

/** The value of cookie `name` in a Cookie header (the first, as browsers send the most specific first). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2)
      value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      return undefined;
    }
    return value === '' ? undefined : value;
  }
  return undefined;
}

/**
 * Picks the credential a route takes. With 'either', an Authorization header wins over a cookie
 * and decides alone: a bad bearer token is refused even beside a valid cookie, and a bearer
 * request never needs a CSRF token (a browser never sends one on its own). Throws
 * `unauthenticated` when the request presents nothing the route takes.
 */
export function credentialOf(
  accept: Accept,
  headers: CredentialHeaders,
  cookieName: string,
): Credential {
  if (accept === 'bearer' || (accept === 'either' && headers.authorization !== undefined)) {
    return { kind: 'bearer', token: bearerToken(headers.authorization) };
  }
  const value = cookieValue(headers.cookie, cookieName);
  if (value === undefined) {
    throw new TesseraError(
      'unauthenticated',
      accept === 'either' ? 'no access token or session cookie' : 'no session cookie',
    );
  }
  return { kind: 'session', value };
}

/** The parameters of a `Bearer` challenge (RFC 6750 §3), in the order they are written. */
export interface ChallengeParams {
  realm?: string | undefined;
  error?: string | undefined;
  error_description?: string | undefined;
  scope?: string | undefined;
}

/**
 * `WWW-Authenticate: Bearer …`. RFC 6750 §3 forbids `"` and `\` (and anything outside printable
 * ASCII) in `error`, `error_description` and `scope`, so those are replaced, never sent; every
 * value is then written as an RFC 7235 quoted-string, which escapes `"` and `\` in the realm.
 */
export function bearerChallenge(params: ChallengeParams): string {
  const parts: string[] = [];
  for (const key of ['realm', 'error', 'error_description', 'scope'] as const) {
    const value = params[key];
    if (value === undefined) continue;
    parts.push(`${key}=${quotedString(key === 'realm' ? value : rfc6750Value(value))}`);
  }
  return parts.length === 0 ? 'Bearer' : `Bearer ${parts.join(', ')}`;
}

/**
 * An RFC 9110 §5.6.4 quoted-string: `"` and `\` become quoted-pairs; control characters and
 * non-ASCII become `?` (Node refuses them in a header, and obs-text is not worth the risk).
 */
export function quotedString(value: string): string {
  const safe = value.replace(/[^\t\x20-\x7e]/g, '?').replace(/["\\]/g, '\\$&');
  return `"${safe}"`;
}

// RFC 6750 §3: %x20-21 / %x23-5B / %x5D-7E, i.e. printable ASCII without `"` and `\`.
function rfc6750Value(value: string): string {
  return value.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, '?');
}

/**
 * The challenge that refusing a bearer-protected request with `error` carries, or undefined when
 * it carries none. Every 401 names a challenge (RFC 7235 §3.1; API.md: `invalid_token` for a bad
 * or missing token); a 403 for a missing scope names the scopes the route needs.
 */
export function challengeFor(
  error: TesseraError,
  context: { realm?: string | undefined; scopes?: readonly string[] } = {},
): string | undefined {
  const kind =
    entryOf(error.code).challenge ?? (error.status === 401 ? 'invalid_token' : undefined);
  if (kind === undefined) return undefined;
  return bearerChallenge({
    realm: context.realm,
    error: kind,
    error_description: error.message,
    scope: kind === 'insufficient_scope' ? (context.scopes ?? []).join(' ') : undefined,
  });
}

/**
 * Every Authorization header of a request, from Node's `rawHeaders` (name, value, name, value…),
 * or `undefined` when there is none. Node keeps only the first of repeated Authorization headers
 * in `headers`, and a request with two is refused as ambiguous, so all of them are needed; Node's
 * `headersDistinct` would build an array for every header of every request to answer that.
 */
export function authorizationHeaders(
  rawHeaders: readonly string[] | undefined,
): string[] | undefined {
  if (rawHeaders === undefined) return undefined;
  let found: string[] | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (name.length === 13 && name.toLowerCase() === 'authorization') {
      (found ??= []).push(rawHeaders[i + 1] as string);
    }
  }
  return found;
}
