/**
 * Authentication of requests: by session cookie (with the CSRF rules that come with it), by
 * bearer access token (RFC 6750), or either. Routes ask with pre-handlers; the checks themselves
 * live in core.
 */
import { checkCsrf, checkOrigin } from '../../core/csrf.js';
import { TesseraError } from '../../core/errors.js';
import type { Core } from '../../core/tessera.js';
import type { ValidSession } from '../../core/sessions/sessions.js';
import type { UserRecord } from '../../stores/ports.js';
import type { CredentialCookie } from './cookies.js';
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';

/** Who is calling, and how they proved it. */
export interface Principal {
  user: UserRecord;
  via: 'session' | 'bearer';
  scopes: string[];
  /** The session, when the caller came with a cookie. */
  session?: ValidSession['session'];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller, set by `requireSession` or `requireUser`. */
    principal: Principal | null;
  }
}

/** Reads a single-valued header (a repeated one counts as absent). */
export function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** The CSRF-relevant facts of a request. */
export function csrfInput(request: FastifyRequest, allowedOrigins: readonly string[]) {
  return {
    method: request.method,
    origin: header(request, 'origin'),
    fetchSite: header(request, 'sec-fetch-site'),
    allowedOrigins,
  };
}

/** RFC 6750 §2.1: `Authorization: Bearer <token>`; undefined when there is no such header. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const value = request.headers.authorization;
  if (value === undefined) return undefined;
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(value);
  if (!match?.[1])
    throw new TesseraError('token_malformed', 'the Authorization header is not "Bearer <token>"');
  return match[1];
}

/** Pre-handlers that authenticate requests. */
export function authenticators(
  core: Core,
  cookie: CredentialCookie,
  allowedOrigins: readonly string[],
  audience: string,
) {
  async function bySession(request: FastifyRequest, reply: FastifyReply): Promise<Principal> {
    const secret = cookie.read(request);
    if (secret === undefined) throw new TesseraError('unauthenticated', 'no session cookie');
    let valid: ValidSession;
    try {
      valid = await core.sessions.validate(secret);
    } catch (error) {
      // A dead cookie is useless to the browser: drop it along with the 401.
      if (error instanceof TesseraError && error.status === 401) cookie.clear(reply);
      throw error;
    }
    checkCsrf({
      ...csrfInput(request, allowedOrigins),
      token: header(request, 'x-csrf-token'),
      expected: valid.session.csrfSecret,
    });
    return { user: valid.user, via: 'session', scopes: [], session: valid.session };
  }

  async function byBearer(token: string): Promise<Principal> {
    const { claims, user } = await core.accessTokens.verify(token);
    const audiences = typeof claims.aud === 'string' ? [claims.aud] : claims.aud;
    if (!audiences.includes(audience)) {
      throw new TesseraError('token_claim_invalid', 'the token is not meant for this server (aud)');
    }
    // Only user tokens come back with a user; a client-credentials token names none.
    if (!user) throw new TesseraError('token_claim_invalid', 'the token does not name a user');
    return { user, via: 'bearer', scopes: claims.scope?.split(' ').filter(Boolean) ?? [] };
  }

  /** Requires a valid session cookie, and the CSRF token on unsafe methods. */
  const requireSession: onRequestAsyncHookHandler = async (request, reply) => {
    request.principal = await bySession(request, reply);
  };

  /**
   * Requires a user, by bearer token when an Authorization header is present (no CSRF check:
   * a bearer token is never sent by the browser on its own), otherwise by session cookie.
   */
  const requireUser: onRequestAsyncHookHandler = async (request, reply) => {
    try {
      const token = bearerToken(request);
      request.principal =
        token === undefined ? await bySession(request, reply) : await byBearer(token);
    } catch (error) {
      if (error instanceof TesseraError && error.status === 401) {
        // RFC 6750 §3 (and API.md): every 401 here tells the client a bearer token would do.
        const description = error.message.replaceAll('"', "'");
        void reply.header(
          'WWW-Authenticate',
          `Bearer error="invalid_token", error_description="${description}"`,
        );
      }
      throw error;
    }
  };

  /** Refuses unsafe requests from foreign origins, authenticated or not (login CSRF). */
  const requireAllowedOrigin = async (request: FastifyRequest, _reply: FastifyReply) => {
    checkOrigin(csrfInput(request, allowedOrigins));
  };

  return { requireSession, requireUser, requireAllowedOrigin };
}

/** The caller of a request that went through `requireSession` or `requireUser`. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new TesseraError('unauthenticated', 'not authenticated');
  return request.principal;
}

/** The session of a request that went through `requireSession`. */
export function sessionOf(request: FastifyRequest): ValidSession {
  const principal = principalOf(request);
  if (!principal.session) throw new TesseraError('unauthenticated', 'no valid session');
  return { user: principal.user, session: principal.session };
}
