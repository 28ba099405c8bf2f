/**
 * API.md "Pages": the hosted pages, in their own scope with HTML errors, form bodies and the page
 * headers. The sign-in pages are in pages-auth.ts, authorize and end-session in
 * pages-authorize.ts; what both need (sessions from the cookie, form tokens) is here.
 */
import formbodyPlugin from '@fastify/formbody';
import { isSecureIssuer } from '../../config.js';
import { checkCsrf } from '../../core/csrf.js';
import { TesseraError, toProblem } from '../../core/errors.js';
import { randomToken } from '../../core/random.js';
import { STYLESHEET, STYLESHEET_PATH } from '../../web/assets/stylesheet.js';
import { ErrorPage } from '../../web/pages/error.js';
import { renderPage } from '../../web/render.js';
import { CredentialCookie } from '../plugins/cookies.js';
import { csrfInput } from '../plugins/auth.js';
import { toTesseraError } from '../plugins/errors.js';
import { installPageHeaders } from '../plugins/page-headers.js';
import { accountPageRoutes } from './pages-account.js';
import { adminPageRoutes } from './pages-admin.js';
import { authPageRoutes } from './pages-auth.js';
import { authorizePageRoutes } from './pages-authorize.js';
import { recoveryPageRoutes } from './pages-recovery.js';
import { setRequestActor } from '../plugins/request-context.js';
import type { RouteContext } from '../context.js';
import type { SignedIn } from '../../core/oauth/authorize/outcome.js';
import type { ValidSession } from '../../core/sessions/sessions.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FunctionComponent } from 'preact';

/** Sends `page` as an HTML document with `status`. */
export function sendPage<P extends object>(
  reply: FastifyReply,
  status: number,
  component: FunctionComponent<P>,
  props: P,
): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(renderPage(component, props));
}

/**
 * The single-valued fields of a form or query string. A repeated one is refused (RFC 6749 §3.1):
 * which of two values counts is exactly what a parser confusion attack plays on.
 */
export function singleValued(input: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  if (input === undefined || input === null) return fields;
  if (typeof input !== 'object') throw new TesseraError('invalid_request', 'malformed form');
  for (const [name, value] of Object.entries(input)) {
    if (typeof value !== 'string') {
      throw new TesseraError('invalid_request', `the parameter ${name} was sent more than once`);
    }
    fields[name] = value;
  }
  return fields;
}

/** Parses a form-encoded field (the params a page carries) into single-valued params. */
export function decodeParams(encoded: string | undefined): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(encoded ?? '')) {
    if (Object.hasOwn(params, name)) {
      throw new TesseraError('invalid_request', `the parameter ${name} was sent more than once`);
    }
    params[name] = value;
  }
  return params;
}

/** Who a valid session says is signed in, as the authorization core takes it. */
export function signedInOf({ user, session }: ValidSession): SignedIn {
  return { userId: user.id, sessionId: session.id, authTime: session.createdAt };
}

// A form token is 32 random bytes, base64url; a cookie of any other shape is not one of ours.
const FORM_TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const FORM_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** What the page routes share. */
export interface PageSupport {
  /** The session the browser's cookie names, if it is valid (a dead cookie is dropped). */
  currentSession(request: FastifyRequest, reply: FastifyReply): Promise<ValidSession | undefined>;
  /** The token a form served to this browser carries: the session's, or a pre-session one. */
  formToken(request: FastifyRequest, reply: FastifyReply, session?: ValidSession): string;
  /**
   * Refuses a form posted from another origin or without the token `formToken` gave. A form
   * served with `Referrer-Policy: no-referrer` (`referrerless`) posts `Origin: null` (Fetch,
   * "serializing a request origin"): for it, `null` passes only when the browser's own Fetch
   * Metadata, which no page can set, says the post came from this origin.
   */
  checkForm(
    request: FastifyRequest,
    token: string | undefined,
    session?: ValidSession,
    options?: { referrerless?: boolean },
  ): void;
}

/**
 * The page routes' shared services. Forms of a signed-in user carry the session's CSRF token;
 * before there is a session (sign-in, sign-up) a double submit: a random value in an HttpOnly
 * cookie and in the form. SameSite=Lax rather than Strict: a foreign site cannot post with it
 * either way, and Lax lets a sign-in page reached from a client's link reuse the browser's value,
 * so two tabs signing in at once do not overwrite each other's.
 */
export function pageSupport({ core, config, cookie }: RouteContext): PageSupport {
  const secure = isSecureIssuer(config);
  const formCookie = new CredentialCookie(secure ? '__Host-tessera_form' : 'tessera_form', {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure,
  });
  const expectedToken = (request: FastifyRequest, session?: ValidSession) => {
    if (session) return session.session.csrfSecret;
    const value = formCookie.read(request);
    return value !== undefined && FORM_TOKEN_SHAPE.test(value) ? value : undefined;
  };

  return {
    async currentSession(request, reply) {
      const secret = cookie.read(request);
      if (secret === undefined) return undefined;
      try {
        const valid = await core.sessions.validate(secret);
        setRequestActor(request, valid.user.id);
        return valid;
      } catch (error) {
        if (!(error instanceof TesseraError) || error.status !== 401) throw error;
        cookie.clear(reply);
        return undefined;
      }
    },
    formToken(request, reply, session) {
      const existing = expectedToken(request, session);
      if (existing !== undefined) return existing;
      const token = randomToken(32);
      formCookie.set(reply, token, Date.now() + FORM_TOKEN_LIFETIME_MS);
      return token;
    },
    checkForm(request, token, session, options) {
      const input = csrfInput(request, config.allowedOrigins);
      const sameOriginNull =
        options?.referrerless === true &&
        input.origin === 'null' &&
        input.fetchSite === 'same-origin';
      checkCsrf({
        ...input,
        origin: sameOriginNull ? undefined : input.origin,
        token,
        expected: expectedToken(request, session),
      });
    },
  };
}

// What a person is told about refusals whose API wording is for developers.
const PAGE_MESSAGES: Partial<Record<string, string>> = {
  csrf: 'This form could not be accepted: it expired or came from another site. Go back, reload the page and try again.',
};

/** Registers the hosted pages in their own scope (form bodies, HTML errors, page headers). */
export async function pageRoutes(scope: FastifyInstance, ctx: RouteContext): Promise<void> {
  // Pages take forms only; a JSON body is not something a page sends.
  scope.removeContentTypeParser('application/json');
  await scope.register(formbodyPlugin);
  installPageHeaders(scope);
  scope.setErrorHandler((error: unknown, request, reply) => {
    const mapped = toTesseraError(error);
    if (mapped.status >= 500) request.log.error({ err: error }, 'page failed');
    const problem = toProblem(mapped);
    if (mapped.details.retryAfterSeconds !== undefined) {
      void reply.header('Retry-After', String(mapped.details.retryAfterSeconds));
    }
    const message = PAGE_MESSAGES[mapped.code] ?? problem.detail;
    return sendPage(reply, problem.status, ErrorPage, {
      title: problem.title,
      message,
      code: problem.code,
    });
  });
  const support = pageSupport(ctx);
  authPageRoutes(scope, ctx, support);
  authorizePageRoutes(scope, ctx, support);
  accountPageRoutes(scope, ctx, support);
  recoveryPageRoutes(scope, ctx, support);
  adminPageRoutes(scope, ctx, support);
}

/** Serves the stylesheet: immutable, since its path changes with its text. */
export function assetRoutes(app: FastifyInstance): void {
  app.get(STYLESHEET_PATH, { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('text/css; charset=utf-8')
      .header('Cache-Control', 'public, max-age=31536000, immutable')
      .send(STYLESHEET),
  );
}
