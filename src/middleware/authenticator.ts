/**
 * What every framework adapter shares: checking the credential the shared authenticator
 * (verify/authenticate.ts, also the server's) takes out of a request, checking scopes, and
 * answering every failure through the one error mapping (core/errors.ts). The adapters only move
 * headers in and the answer out.
 */
import { checkCsrf } from '../core/csrf.js';
import { TesseraError, toProblem, type ErrorCode, type Problem } from '../core/errors.js';
import { challengeFor, credentialOf } from '../verify/authenticate.js';
import { defaultCookieName, tesseraSessionCheck } from './session-check.js';
import type { AccessTokenClaims } from '../core/tokens/claims.js';
import type { Accept } from '../verify/authenticate.js';
import type { Verifier } from '../verify/verifier.js';
import type { SessionCheck, SessionIdentity, TesseraSessionOptions } from './session-check.js';

export type { Accept } from '../verify/authenticate.js';
export { bearerToken, cookieValue } from '../verify/authenticate.js';

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
  /**
   * How the default session check reaches Tessera; the issuer defaults to the verifier's. Given
   * a verifier that follows the revocation feed (with feed credentials, or `session.reporter`),
   * positive answers are kept on the feed's word, up to `maxCacheMs` (default 60 s) or the
   * session's idle deadline, and dropped the moment the feed ends the session; while the feed is
   * stale Tessera is asked every time. `maxCacheMs: 0` asks Tessera on every request.
   */
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
  /** Every Authorization header: one string, or each one when it was repeated. */
  authorization: string | readonly string[] | undefined;
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
  body: Problem;
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

  // One async function per request, the check's own promise inside it: each promise of the hot
  // path costs, the more so in an app whose AsyncLocalStorage turns on promise hooks.
  return async (facts) => {
    try {
      const credential = credentialOf(accept, facts, cookieName);
      let principal: Principal;
      if (credential.kind === 'bearer') {
        const claims = await (verifier as Verifier).verify(credential.token);
        const scopes = claims.scope?.split(' ').filter(Boolean) ?? [];
        principal = { via: 'bearer', subject: claims.sub, scopes, claims };
      } else {
        let session: SessionIdentity | undefined;
        try {
          session = await (sessionCheck as SessionCheck)(credential.value);
        } catch (error) {
          // A session check that breaks (its store is down) fails closed, as unavailable.
          if (error instanceof TesseraError) throw error;
          throw new TesseraError('session_unavailable', 'the session could not be checked');
        }
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
        principal = {
          via: 'session',
          subject: session.userId,
          scopes: [...(session.scopes ?? [])],
          session,
        };
      }
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
  // With a verifier that follows the feed, answers are kept on its word by default (the bearer
  // verifier serves); maxCacheMs: 0 asks Tessera every time instead. A verifier without
  // revocations, or reading Redis with no reporter to tell Tessera of the use, cannot vouch.
  const verifier = options.session?.verifier ?? vouchingVerifier(options);
  return tesseraSessionCheck({
    ...options.session,
    issuer,
    ...(verifier === undefined ? {} : { verifier }),
  });
}

function vouchingVerifier(options: AuthOptions): Verifier | undefined {
  if (options.session?.maxCacheMs === 0) return undefined;
  const revocations = options.verifier?.sessionRevocations;
  if (revocations === undefined) return undefined;
  if (options.session?.reporter === undefined && revocations.credentials === undefined)
    return undefined;
  return options.verifier;
}

/**
 * Reads the facts from Node-style headers (node:http, Express, Fastify). Node keeps only the
 * first of repeated Authorization headers in `headers`; pass `headersDistinct` to see them all.
 */
export function factsFromHeaders(
  method: string,
  headers: Record<string, string | string[] | undefined>,
  headersDistinct?: Record<string, string[] | undefined>,
): RequestFacts {
  return {
    method,
    authorization: headersDistinct?.authorization ?? single(headers.authorization),
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

/** Maps any failure to its answer; unknown errors become a bare 500, never a leak. */
export function failureOf(
  error: unknown,
  context: { accept: Accept; realm: string | undefined; required: readonly string[] },
): AuthFailure {
  const known =
    error instanceof TesseraError ? error : new TesseraError('internal', 'internal error');
  const headers: Record<string, string> = {};
  // A session-only route has no scheme to offer: a cookie cannot be asked for by a challenge.
  const challenge =
    context.accept === 'session'
      ? undefined
      : challengeFor(known, { realm: context.realm, scopes: context.required });
  if (challenge !== undefined) headers['www-authenticate'] = challenge;
  else if (known.status === 503) headers['retry-after'] = String(retryAfterSeconds);
  return { status: known.status, code: known.code, headers, body: toProblem(known) };
}
