/**
 * API.md "Authorization code flow and OpenID Connect": the browser's side of `GET
 * /oauth/authorize` (with its consent form) and of `GET /oauth/logout` (with its confirm form).
 * The core decides every outcome; these routes turn outcomes into pages and redirects.
 */
import { TesseraError } from '../../core/errors.js';
import { ConsentPage } from '../../web/pages/consent.js';
import { ErrorPage } from '../../web/pages/error.js';
import { LogoutConfirmPage, SignedOutPage } from '../../web/pages/logout.js';
import { allowFormRedirect } from '../plugins/page-headers.js';
import { decodeParams, sendPage, signedInOf, singleValued } from './pages.js';
import type { RouteContext } from '../context.js';
import type { PageSupport } from './pages.js';
import type {
  AuthorizeOutcome,
  AuthorizeParams,
  LogoutOutcome,
} from '../../core/oauth/authorize/outcome.js';
import type { ValidSession } from '../../core/sessions/sessions.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where the sign-in page sends the browser back to: this same authorize request. */
export function loginAddress(params: AuthorizeParams): string {
  const returnTo = `/oauth/authorize?${new URLSearchParams(params).toString()}`;
  return `/login?${new URLSearchParams({ return_to: returnTo }).toString()}`;
}

/** An error the core decided must be shown, never sent: status 400, never a redirect. */
function errorPage(reply: FastifyReply, outcome: { error: string; description: string }) {
  return sendPage(reply, 400, ErrorPage, {
    title: 'This sign-in request cannot continue',
    message: outcome.description,
    code: outcome.error,
  });
}

/** Registers the authorization and end-session endpoints' pages. */
export function authorizePageRoutes(
  scope: FastifyInstance,
  { core, cookie }: RouteContext,
  support: PageSupport,
): void {
  async function authorizeAnswer(
    request: FastifyRequest,
    reply: FastifyReply,
    outcome: AuthorizeOutcome,
    current: ValidSession | undefined,
  ) {
    switch (outcome.kind) {
      case 'error-page':
        return errorPage(reply, outcome);
      case 'redirect':
        return reply.redirect(outcome.to, 303);
      case 'login':
        return reply.redirect(loginAddress(outcome.params), 303);
      case 'consent': {
        if (!current) throw new TesseraError('internal', 'consent asked without a session');
        // Allow and Deny both answer with a redirect to the client (Chromium checks form-action).
        const redirectUri = outcome.params.redirect_uri;
        if (redirectUri !== undefined) allowFormRedirect(reply, redirectUri);
        return sendPage(reply, 200, ConsentPage, {
          clientName: outcome.client.name,
          scopes: outcome.scopes,
          request: new URLSearchParams(outcome.params).toString(),
          csrfToken: support.formToken(request, reply, current),
          email: current.user.email,
        });
      }
    }
  }

  /** An authorization request, from the query (GET) or the form (POST). */
  async function authorizeRequest(request: FastifyRequest, reply: FastifyReply, input: unknown) {
    let params: AuthorizeParams;
    try {
      params = singleValued(input);
    } catch (error) {
      // RFC 6749 §3.1: a repeated parameter is invalid_request; which client or redirect URI
      // was meant is unknown, so it is shown rather than sent anywhere.
      if (!(error instanceof TesseraError)) throw error;
      return errorPage(reply, { error: 'invalid_request', description: error.message });
    }
    const current = await support.currentSession(request, reply);
    const outcome = await core.authorization.authorize(params, current && signedInOf(current));
    return authorizeAnswer(request, reply, outcome, current);
  }

  scope.get('/oauth/authorize', { schema: { hide: true } }, async (request, reply) =>
    authorizeRequest(request, reply, request.query),
  );
  // OpenID Connect Core §3.1.2.1: the endpoint takes POST too. It changes nothing (a consent is
  // still asked for), so it needs no CSRF token; a cross-site POST carries no Lax cookie anyway.
  scope.post('/oauth/authorize', { schema: { hide: true } }, async (request, reply) =>
    authorizeRequest(request, reply, request.body),
  );

  scope.post('/oauth/authorize/decision', { schema: { hide: true } }, async (request, reply) => {
    const fields = singleValued(request.body);
    const current = await support.currentSession(request, reply);
    support.checkForm(request, fields.csrf_token, current);
    const params = decodeParams(fields.request);
    if (!current) {
      // The session ended while the consent page was open: the request starts over.
      const outcome = await core.authorization.authorize(params, undefined);
      return authorizeAnswer(request, reply, outcome, current);
    }
    if (fields.decision !== 'allow' && fields.decision !== 'deny') {
      throw new TesseraError('invalid_request', 'the decision must be allow or deny');
    }
    const outcome = await core.authorization.decide(
      params,
      signedInOf(current),
      fields.decision === 'allow',
    );
    return authorizeAnswer(request, reply, outcome, current);
  });

  function logoutAnswer(
    request: FastifyRequest,
    reply: FastifyReply,
    outcome: LogoutOutcome,
    current: ValidSession | undefined,
  ) {
    switch (outcome.kind) {
      case 'error-page':
        return errorPage(reply, outcome);
      case 'confirm': {
        const after = outcome.params.post_logout_redirect_uri;
        if (after !== undefined) allowFormRedirect(reply, after);
        return sendPage(reply, 200, LogoutConfirmPage, {
          clientName: outcome.clientName,
          request: new URLSearchParams(outcome.params).toString(),
          csrfToken: support.formToken(request, reply, current),
        });
      }
      case 'done':
        // The core ended the session and its sign-ins' families; the browser forgets the cookie.
        cookie.clear(reply);
        if (outcome.redirectTo !== undefined) return reply.redirect(outcome.redirectTo, 303);
        return sendPage(reply, 200, SignedOutPage, {});
    }
  }

  scope.get('/oauth/logout', { schema: { hide: true } }, async (request, reply) => {
    let params: Record<string, string>;
    try {
      params = singleValued(request.query);
    } catch (error) {
      if (!(error instanceof TesseraError)) throw error;
      return errorPage(reply, { error: 'invalid_request', description: error.message });
    }
    const current = await support.currentSession(request, reply);
    const outcome = await core.logout.request(params, current && signedInOf(current));
    return logoutAnswer(request, reply, outcome, current);
  });

  scope.post('/oauth/logout', { schema: { hide: true } }, async (request, reply) => {
    const fields = singleValued(request.body);
    const current = await support.currentSession(request, reply);
    if (fields.request === undefined) {
      // RP-Initiated Logout §2: a relying party may POST its request like a GET (no form of ours).
      const outcome = await core.logout.request(fields, current && signedInOf(current));
      return logoutAnswer(request, reply, outcome, current);
    }
    support.checkForm(request, fields.csrf_token, current);
    const params = decodeParams(fields.request);
    const outcome = await core.logout.confirm(params, current && signedInOf(current));
    return logoutAnswer(request, reply, outcome, current);
  });
}
