/**
 * Authentication of requests by session cookie, and the CSRF rules that come with it. Routes ask
 * for a session with the `requireSession` pre-handler; the check itself lives in core.
 */
import { checkCsrf, checkOrigin } from '../../core/csrf.js';
import { TesseraError } from '../../core/errors.js';
import type { Core } from '../../core/tessera.js';
import type { ValidSession } from '../../core/sessions/sessions.js';
import type { SessionCookie } from './cookies.js';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The session that authenticated this request, set by `requireSession`. */
    session: ValidSession | null;
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

/** Pre-handlers that authenticate by cookie. */
export function sessionAuth(core: Core, cookie: SessionCookie, allowedOrigins: readonly string[]) {
  /** Requires a valid session cookie, and the CSRF token on unsafe methods. */
  const requireSession: preHandlerAsyncHookHandler = async (request, reply) => {
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
    request.session = valid;
  };

  /** Refuses unsafe requests from foreign origins, authenticated or not (login CSRF). */
  const requireAllowedOrigin = async (request: FastifyRequest, _reply: FastifyReply) => {
    checkOrigin(csrfInput(request, allowedOrigins));
  };

  return { requireSession, requireAllowedOrigin };
}

/** The session of a request that went through `requireSession`. */
export function sessionOf(request: FastifyRequest): ValidSession {
  if (!request.session) throw new TesseraError('unauthenticated', 'no valid session');
  return request.session;
}
