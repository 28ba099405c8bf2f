/**
 * What every framework adapter shares: taking the credential out of a request (bearer token,
 * session cookie, or either), checking it, checking scopes, and turning every failure into one
 * RFC 6750 / RFC 9457 answer. The adapters only move headers in and the answer out.
 */
import { checkCsrf } from '../core/csrf.js';
import { TesseraError, type ErrorCode } from '../core/errors.js';
import { defaultCookieName, tesseraSessionCheck } from './session-check.js';
import type { AccessTokenClaims } from '../core/tokens/claims.js';
import type { Verifier } from '../verify/verifier.js';
import type { SessionCheck, SessionIdentity, TesseraSessionOptions } from './session-check.js';

/** Which credentials a route takes. */
export type Accept = 'bearer' | 'session' | 'either';

/** Options shared by every adapter. */
export interface AuthOptions {
  /** Verifies bearer tokens; required unless `accept` is 'session'. */
  verifier?: Verifier;
  /** 'bearer' (default), 'session' or 'either' (bearer when an Authorization header is sent). */
  accept?: Accept;
  /** Scopes the caller must all hold, else 403 insufficient_scope. */
  scopes?: readonly string[];
  /** Checks session cookies yourself; by default they are checked against the Tessera server. */
  sessionCheck?: SessionCheck;
  /** How the default session check reaches Tessera; the issuer defaults to the verifier's. */
  session?: Partial<TesseraSessionOptions>;
  /** Origins allowed to send cookie-authenticated unsafe requests; defaults to the issuer's. */
  allowedOrigins?: readonly string[];
  /**
   * Whether cookie-authenticated unsafe requests must carry the session's CSRF token (and an
   * allowed Origin); on by default. Turn it off only when something else guards against CSRF.
   */
  csrf?: boolean;
  /** The `realm` of the WWW-Authenticate challenge. */
  realm?: string;
}

/** Who called, and with what. */
export type Principal =
  | { via: 'bearer'; subject: string; scopes: string[]; claims: AccessTokenClaims }
  | { via: 'session'; subject: string; scopes: string[]; session: SessionIdentity };

/** The facts of a request the checks look at, as plain strings. */
export interface RequestFacts {
  method: string;
  authorization: string | undefined;
  /** The raw Cookie header. */
  cookie: string | undefined;
  origin: string | undefined;
  /** `Sec-Fetch-Site`. */
  fetchSite: string | undefined;
  /** `X-CSRF-Token`. */
  csrfToken: string | undefined;
}

/** An answer to send instead of running the route. */
export interface AuthFailure {
  status: number;
  code: ErrorCode;
  headers: Record<string, string>;
  /** RFC 9457 problem details, sent as `application/problem+json`. */
  body: { type: string; title: string; status: number; detail: string; code: ErrorCode };
}

/** The outcome of authenticating one request. */
export type AuthOutcome = { ok: true; principal: Principal } | { ok: false; failure: AuthFailure };

/** Authenticates requests by their facts. */
export type Authenticator = (facts: RequestFacts) => Promise<AuthOutcome>;

/** Seconds a client is asked to wait when revocation state is unavailable. */
const retryAfterSeconds = 5;

/** Builds the authenticator the adapters wrap; options are checked here, once. */
export function createAuthenticator(options: AuthOptions): Authenticator {
  const accept = options.accept ?? 'bearer';
  if (!['bearer', 'session', 'either'].includes(accept)) {
    throw new TypeError("accept must be 'bearer', 'session' or 'either'");
  }
  const verifier = options.verifier;
  if (accept !== 'session' && verifier === undefined) {
    throw new TypeError(`accept '${accept}' needs a verifier`);
  }
  const issuer = options.session?.issuer ?? verifier?.issuer;
  const sessionCheck = accept === 'bearer' ? undefined : sessionCheckOf(options, issuer);
  const cookieName =
    options.session?.cookieName ??
    (issuer === undefined ? 'tessera_session' : defaultCookieName(issuer));
  const allowedOrigins =
    options.allowedOrigins ?? (issuer === undefined ? [] : [new URL(issuer).origin]);
  const required = [...(options.scopes ?? [])];
  const csrf = options.csrf ?? true;
  const realm = options.realm;

  const authenticate = async (facts: RequestFacts): Promise<Principal> => {
    const useBearer =
      accept === 'bearer' || (accept === 'either' && facts.authorization !== undefined);
    if (useBearer) {
      const token = bearerToken(facts.authorization);
      const claims = await (verifier as Verifier).verify(token);
      const scopes = claims.scope?.split(' ').filter(Boolean) ?? [];
      return { via: 'bearer', subject: claims.sub, scopes, claims };
    }
    const value = cookieValue(facts.cookie, cookieName);
    if (value === undefined) {
      throw new TesseraError(
        'unauthenticated',
        accept === 'either' ? 'no access token or session cookie' : 'no session cookie',
      );
    }
    const session = await checkSession(sessionCheck as SessionCheck, value);
    if (session === undefined)
      throw new TesseraError('session_expired', 'the session is not valid');
    if (csrf) {
      checkCsrf({
        method: facts.method,
        origin: facts.origin,
        fetchSite: facts.fetchSite,
        allowedOrigins,
        token: facts.csrfToken,
        expected: session.csrfToken,
      });
    }
    return {
      via: 'session',
      subject: session.userId,
      scopes: [...(session.scopes ?? [])],
      session,
    };
  };

  return async (facts) => {
    try {
      const principal = await authenticate(facts);
      const missing = required.filter((scope) => !principal.scopes.includes(scope));
      if (missing.length > 0) {
        throw new TesseraError(
          'insufficient_scope',
          `this request needs the scope ${missing.join(' ')}`,
        );
      }
      return { ok: true, principal };
    } catch (error) {
      return { ok: false, failure: failureOf(error, { accept, realm, required }) };
    }
  };
}

function sessionCheckOf(options: AuthOptions, issuer: string | undefined): SessionCheck {
  if (options.sessionCheck !== undefined) return options.sessionCheck;
  if (issuer === undefined)
    throw new TypeError('checking sessions needs session.issuer, a verifier or a sessionCheck');
  return tesseraSessionCheck({ ...options.session, issuer });
}

// A session check that breaks (its store is down) fails closed, as unavailable, not as a 500.
async function checkSession(
  check: SessionCheck,
  value: string,
): Promise<SessionIdentity | undefined> {
  try {
    return await check(value);
  } catch (error) {
    if (error instanceof TesseraError) throw error;
    throw new TesseraError('session_unavailable', 'the session could not be checked');
  }
}

/** RFC 6750 §2.1: `Bearer <b64token>`, nothing else. */
export function bearerToken(authorization: string | undefined): string {
  if (authorization === undefined) throw new TesseraError('unauthenticated', 'no access token');
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(authorization);
  if (!match?.[1])
    throw new TesseraError('token_malformed', 'the Authorization header is not "Bearer <token>"');
  return match[1];
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

/** Reads the facts from Node-style headers (node:http, Express, Fastify). */
export function factsFromHeaders(
  method: string,
  headers: Record<string, string | string[] | undefined>,
): RequestFacts {
  return {
    method,
    authorization: single(headers.authorization),
    cookie: Array.isArray(headers.cookie) ? headers.cookie.join('; ') : headers.cookie,
    origin: single(headers.origin),
    fetchSite: single(headers['sec-fetch-site']),
    csrfToken: single(headers['x-csrf-token']),
  };
}

// A header sent twice is ambiguous: treated as absent where a single value is expected.
function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

const titles: Partial<Record<ErrorCode, string>> = {
  unauthenticated: 'Authentication required',
  insufficient_scope: 'Insufficient scope',
  csrf: 'Cross-site request refused',
  revocation_unavailable: 'Service unavailable',
  jwks_unavailable: 'Service unavailable',
  session_unavailable: 'Service unavailable',
};

/** Maps any failure to its answer; unknown errors become a bare 500, never a leak. */
export function failureOf(
  error: unknown,
  context: { accept: Accept; realm: string | undefined; required: readonly string[] },
): AuthFailure {
  const known =
    error instanceof TesseraError ? error : new TesseraError('internal', 'internal error');
  const { code, status } = known;
  const headers: Record<string, string> = {};
  const bearer = context.accept !== 'session';
  if (status === 401 && bearer) {
    // RFC 6750 §3.1 and API.md: every 401 tells the client a bearer token would do.
    headers['www-authenticate'] = challenge(context.realm, {
      error: 'invalid_token',
      error_description: known.message,
    });
  } else if (code === 'insufficient_scope' && bearer) {
    headers['www-authenticate'] = challenge(context.realm, {
      error: 'insufficient_scope',
      error_description: known.message,
      scope: context.required.join(' '),
    });
  } else if (status === 503) {
    headers['retry-after'] = String(retryAfterSeconds);
  }
  const detail = status >= 500 && status !== 503 ? 'internal error' : known.message;
  return {
    status,
    code,
    headers,
    body: {
      type: `urn:tessera:error:${code}`,
      title: titles[code] ?? code.replaceAll('_', ' '),
      status,
      detail,
      code,
    },
  };
}

/** A `Bearer` challenge; values keep only what RFC 6750 §3 allows inside quotes. */
function challenge(realm: string | undefined, params: Record<string, string>): string {
  const all = realm === undefined ? params : { realm, ...params };
  const parts = Object.entries(all).map(([key, value]) => `${key}="${quoted(value)}"`);
  return `Bearer ${parts.join(', ')}`;
}

function quoted(value: string): string {
  return value.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, '?');
}
