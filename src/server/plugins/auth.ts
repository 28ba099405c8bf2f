/**
 * Authentication of requests: by session cookie (with the CSRF rules that come with it), by
 * bearer access token (RFC 6750), or either. Routes ask with pre-handlers; which credential a
 * request presents and the challenge of a refusal come from the authenticator the toolkit's
 * middleware uses too (verify/authenticate.ts); the checks themselves live in core.
 */
import { checkCsrf, checkOrigin } from '../../core/csrf.js';
import { TesseraError } from '../../core/errors.js';
import { authorizationHeaders, challengeFor, credentialOf } from '../../verify/authenticate.js';
import { setRequestActor } from './request-context.js';
import type { Accept, Credential } from '../../verify/authenticate.js';
import type { Core } from '../../core/tessera.js';
import type { ValidSession } from '../../core/sessions/sessions.js';
import type { UserRecord } from '../../stores/ports.js';
import type { CredentialCookie } from './cookies.js';
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';

/** Who is calling, and how they proved it. */
export interface AuthenticatedUser {
  user: UserRecord;
  via: 'session' | 'bearer';
  scopes: string[];
  /** The session, when the caller came with a cookie. */
  session?: ValidSession['session'];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller, set by `requireSession` or `requireUser`. */
    authenticatedUser: AuthenticatedUser | null;
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

/** The credential `request` presents for a route that takes `accept`. */
function credential(request: FastifyRequest, accept: Accept, cookieName: string): Credential {
  // Node keeps only the first of repeated Authorization headers in `headers`; the authenticator
  // refuses two, so it is shown them all.
  return credentialOf(
    accept,
    {
      authorization: authorizationHeaders(request.raw.rawHeaders) ?? request.headers.authorization,
      cookie: request.headers.cookie,
    },
    cookieName,
  );
}

/** Pre-handlers that authenticate requests. */
export function authenticators(
  core: Core,
  cookie: CredentialCookie,
  allowedOrigins: readonly string[],
  audience: string,
) {
  /** The caller of a valid session, once its CSRF rules are met. */
  function sessionCaller(request: FastifyRequest, valid: ValidSession): AuthenticatedUser {
    checkCsrf({
      ...csrfInput(request, allowedOrigins),
      token: header(request, 'x-csrf-token'),
      expected: valid.session.csrfSecret,
    });
    return { user: valid.user, via: 'session', scopes: [], session: valid.session };
  }

  async function bySession(
    request: FastifyRequest,
    reply: FastifyReply,
    secret: string,
  ): Promise<AuthenticatedUser> {
    let valid: ValidSession;
    try {
      valid = await core.sessions.fromStore(secret);
    } catch (error) {
      // A dead cookie is useless to the browser: drop it along with the 401.
      if (error instanceof TesseraError && error.status === 401) cookie.clear(reply);
      throw error;
    }
    return sessionCaller(request, valid);
  }

  async function byBearer(token: string): Promise<AuthenticatedUser> {
    const { claims, user } = await core.accessTokens.verify(token);
    const audiences = typeof claims.aud === 'string' ? [claims.aud] : claims.aud;
    if (!audiences.includes(audience)) {
      throw new TesseraError('token_claim_invalid', 'the token is not meant for this server (aud)');
    }
    // Only user tokens come back with a user; a client-credentials token names none.
    if (!user) throw new TesseraError('token_claim_invalid', 'the token does not name a user');
    return { user, via: 'bearer', scopes: claims.scope?.split(' ').filter(Boolean) ?? [] };
  }

  async function byCredential(
    request: FastifyRequest,
    reply: FastifyReply,
    presented: Credential,
  ): Promise<AuthenticatedUser> {
    return presented.kind === 'bearer'
      ? byBearer(presented.token)
      : bySession(request, reply, presented.value);
  }

  /**
   * Authenticates `request` for a route that takes `accept`, then calls `done`. A session the
   * near cache holds is answered at once, without a promise: on the server, whose request
   * context turns on promise hooks, every promise of the hot path costs (bench/results/profile.md).
   */
  function authenticate(
    request: FastifyRequest,
    reply: FastifyReply,
    accept: Accept,
    done: (error?: Error) => void,
  ): void {
    const admit = (caller: AuthenticatedUser) => {
      setRequestActor(request, caller.user.id);
      request.authenticatedUser = caller;
      done();
    };
    let presented: Credential;
    try {
      presented = credential(request, accept, cookie.name);
      const kept = presented.kind === 'session' ? core.sessions.cached(presented.value) : undefined;
      if (kept !== undefined) {
        admit(sessionCaller(request, kept));
        return;
      }
    } catch (error) {
      done(error as Error);
      return;
    }
    byCredential(request, reply, presented).then(admit, done);
  }

  /** Requires a valid session cookie, and the CSRF token on unsafe methods. */
  const requireSession: onRequestHookHandler = (request, reply, done) => {
    authenticate(request, reply, 'session', done);
  };

  /**
   * Requires a user, by bearer token when an Authorization header is present (no CSRF check:
   * a bearer token is never sent by the browser on its own), otherwise by session cookie.
   */
  const requireUser: onRequestHookHandler = (request, reply, done) => {
    authenticate(request, reply, 'either', (error) => {
      // RFC 6750 §3 (and API.md): every 401 here tells the client a bearer token would do.
      const challenge = error instanceof TesseraError ? challengeFor(error) : undefined;
      if (challenge !== undefined) void reply.header('WWW-Authenticate', challenge);
      done(error);
    });
  };

  /** Refuses unsafe requests from foreign origins, authenticated or not (login CSRF). */
  const requireAllowedOrigin = async (request: FastifyRequest, _reply: FastifyReply) => {
    checkOrigin(csrfInput(request, allowedOrigins));
  };

  return { requireSession, requireUser, requireAllowedOrigin };
}

/** The caller of a request that went through `requireSession` or `requireUser`. */
export function authenticatedUserOf(request: FastifyRequest): AuthenticatedUser {
  if (!request.authenticatedUser) throw new TesseraError('unauthenticated', 'not authenticated');
  return request.authenticatedUser;
}

/** The session of a request that went through `requireSession`. */
export function sessionOf(request: FastifyRequest): ValidSession {
  const caller = authenticatedUserOf(request);
  if (!caller.session) throw new TesseraError('unauthenticated', 'no valid session');
  return { user: caller.user, session: caller.session };
}
