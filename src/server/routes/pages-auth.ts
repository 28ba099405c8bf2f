/**
 * API.md "Pages": `/login`, `/signup` and `POST /logout` (`/account` is in pages-account.ts).
 * The rules (rate limits, the enumeration-safe failure, password policy) are the core's; these
 * routes put them on a page.
 */
import { checkOrigin } from '../../core/csrf.js';
import { TesseraError } from '../../core/errors.js';
import { isRegisteredRedirectUri } from '../../core/oauth/authorize/redirect-uri.js';
import { SignInPage, SignUpPage } from '../../web/pages/sign-in.js';
import { safeReturnTo } from '../return-to.js';
import { csrfInput } from '../plugins/auth.js';
import { allowFormRedirect } from '../plugins/page-headers.js';
import { sendPage, signedInOf, singleValued } from './pages.js';
import type { RouteContext } from '../context.js';
import type { PageSupport } from './pages.js';
import type { UserRecord } from '../../stores/ports.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const AUTHORIZE_PATH = '/oauth/authorize';

/** The message a person sees for a refusal of the core; the status stays the core's. */
function messageOf(error: TesseraError): string {
  switch (error.code) {
    case 'invalid_credentials':
      return 'Email or password is wrong.';
    case 'rate_limited':
      return `Too many attempts. Try again in ${error.details.retryAfterSeconds ?? 60} seconds.`;
    case 'email_taken':
      return 'An account with this email already exists. Sign in instead.';
    default:
      return `${error.message.charAt(0).toUpperCase()}${error.message.slice(1)}.`;
  }
}

/** Registers the sign-in, sign-up and sign-out pages. */
export function authPageRoutes(
  scope: FastifyInstance,
  { core, cookie, config }: RouteContext,
  support: PageSupport,
): void {
  /**
   * A page returning to an authorize request will see its form's answer redirect to the client
   * (after sign-in the authorize request may redirect at once): allow the redirect URI's origin,
   * if it is one the client registered. Returns the client's name then, to tell the person
   * which app they are signing in to.
   */
  async function allowReturnRedirect(
    reply: FastifyReply,
    returnTo: string,
  ): Promise<string | undefined> {
    const url = new URL(returnTo, 'http://return-to.invalid');
    if (url.pathname !== AUTHORIZE_PATH) return undefined;
    const clientId = url.searchParams.get('client_id');
    const redirectUri = url.searchParams.get('redirect_uri');
    if (clientId === null || redirectUri === null) return undefined;
    const client = await core.clients.find(clientId);
    if (!client || !isRegisteredRedirectUri(client.redirectUris, redirectUri)) return undefined;
    allowFormRedirect(reply, redirectUri);
    return client.name;
  }

  /** Renders the sign-in or sign-up form, fresh or after a refusal. */
  async function credentialsPage(
    request: FastifyRequest,
    reply: FastifyReply,
    page: typeof SignInPage,
    input: {
      returnTo: string;
      status?: number;
      email?: string;
      error?: TesseraError;
      notice?: string;
    },
  ) {
    const appName = await allowReturnRedirect(reply, input.returnTo);
    const retryAfter = input.error?.details.retryAfterSeconds;
    if (retryAfter !== undefined) void reply.header('Retry-After', String(retryAfter));
    return sendPage(reply, input.status ?? input.error?.status ?? 200, page, {
      returnTo: input.returnTo,
      formToken: support.formToken(request, reply),
      appName,
      email: input.email,
      error: input.error && messageOf(input.error),
      notice: input.notice,
    });
  }

  /** Starts a session for `user`, replacing the one the browser had, and goes back. */
  async function signIn(
    request: FastifyRequest,
    reply: FastifyReply,
    user: UserRecord,
    to: string,
  ) {
    const previous = await support.currentSession(request, reply);
    if (previous) {
      await core.sessions.revoke(previous.user.id, previous.session.id).catch((error: unknown) => {
        // Gone already (another tab signed out): nothing left to replace.
        if (!(error instanceof TesseraError && error.code === 'not_found')) throw error;
      });
    }
    const { secret, session } = await core.sessions.create(user.id, {
      userAgent: request.headers['user-agent'] ?? '',
      ip: request.ip,
    });
    cookie.set(reply, secret, session.absoluteExpiresAt);
    return reply.redirect(to, 303);
  }

  /** The credentials of a sign-in or sign-up form, after its CSRF check. */
  function credentialsForm(request: FastifyRequest) {
    const fields = singleValued(request.body);
    support.checkForm(request, fields.form_token);
    return {
      email: fields.email ?? '',
      password: fields.password ?? '',
      returnTo: safeReturnTo(fields.return_to),
    };
  }

  /** A refusal the form shows (bad input, wrong credentials, rate limit); others propagate. */
  const isFormError = (error: unknown): error is TesseraError =>
    error instanceof TesseraError && [400, 401, 409, 429].includes(error.status);

  scope.get('/login', { schema: { hide: true } }, async (request, reply) => {
    const { return_to: returnTo } = singleValued(request.query);
    return credentialsPage(request, reply, SignInPage, { returnTo: safeReturnTo(returnTo) });
  });

  scope.post('/login', { schema: { hide: true } }, async (request, reply) => {
    const { email, password, returnTo } = credentialsForm(request);
    let user: UserRecord;
    try {
      user = await core.accounts.authenticate({ email, password }, { ip: request.ip });
    } catch (error) {
      if (!isFormError(error)) throw error;
      return credentialsPage(request, reply, SignInPage, { returnTo, email, error });
    }
    return signIn(request, reply, user, returnTo);
  });

  scope.get('/signup', { schema: { hide: true } }, async (request, reply) => {
    const { return_to: returnTo } = singleValued(request.query);
    return credentialsPage(request, reply, SignUpPage, { returnTo: safeReturnTo(returnTo) });
  });

  scope.post('/signup', { schema: { hide: true } }, async (request, reply) => {
    const { email, password, returnTo } = credentialsForm(request);
    let user: UserRecord;
    try {
      // The same answers as POST /auth/signup: a taken email is 409 there too.
      user = await core.accounts.signup({ email, password }, { ip: request.ip });
    } catch (error) {
      if (!isFormError(error)) throw error;
      return credentialsPage(request, reply, SignUpPage, { returnTo, email, error });
    }
    return signIn(request, reply, user, returnTo);
  });

  scope.post('/logout', { schema: { hide: true } }, async (request, reply) => {
    const fields = singleValued(request.body);
    const current = await support.currentSession(request, reply);
    // Without a live session there is nothing to end: only the origin is checked then.
    if (current) {
      support.checkForm(request, fields.csrf_token, current);
      // The end-session endpoint's own ending: the session and the refresh families of its
      // sign-ins (and so their access tokens) end together.
      await core.logout.confirm({}, signedInOf(current));
    } else {
      checkOrigin(csrfInput(request, config.allowedOrigins));
    }
    cookie.clear(reply);
    return credentialsPage(request, reply, SignInPage, {
      returnTo: safeReturnTo(undefined),
      notice: 'You have signed out.',
    });
  });
}
