/**
 * API.md "Pages": `GET /account` and its forms. Every form carries the session's CSRF token and
 * passes the Origin check; each answers 303 back to the page with a short status, so a reload
 * repeats nothing and the change shows at once. The rules (what a revocation ends) are the core's.
 */
import { checkOrigin } from '../../core/csrf.js';
import { TesseraError } from '../../core/errors.js';
import { AccountPage } from '../../web/pages/account.js';
import { csrfInput } from '../plugins/auth.js';
import { sendPage, singleValued } from './pages.js';
import type { RouteContext } from '../context.js';
import type { PageSupport } from './pages.js';
import type { ValidSession } from '../../core/sessions/sessions.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const ACCOUNT_PATH = '/account';
const SIGN_IN = `/login?${new URLSearchParams({ return_to: ACCOUNT_PATH }).toString()}`;
/** How many security events the page shows. */
const EVENT_COUNT = 20;

// The results a 303 back to the page names; only these words are ever shown (never query text).
const NOTICES = {
  device_signed_out: 'That device is signed out.',
  others_signed_out: 'Every other device is signed out.',
  app_revoked: 'The app’s access is revoked: it is signed out and must ask again.',
  password_changed: 'Your password is changed. Every other device and app is signed out.',
  verification_sent: 'A verification link is on its way to your email address.',
} as const;
type Notice = keyof typeof NOTICES;

/** The message a refused password change shows; the status stays the core's. */
function passwordMessage(error: TesseraError): string {
  switch (error.code) {
    case 'invalid_credentials':
      return 'The current password is wrong.';
    case 'rate_limited':
      return `Too many attempts. Try again in ${error.details.retryAfterSeconds ?? 60} seconds.`;
    default:
      return `${error.message.charAt(0).toUpperCase()}${error.message.slice(1)}.`;
  }
}

/** Registers `/account` and the forms it posts. */
export function accountPageRoutes(
  scope: FastifyInstance,
  { core, cookie, config }: RouteContext,
  support: PageSupport,
): void {
  /** Renders the page for `current`, with a notice or a refused password change. */
  async function accountPage(
    request: FastifyRequest,
    reply: FastifyReply,
    current: ValidSession,
    shown: { status?: number; notice?: string; passwordError?: string } = {},
  ) {
    const { user, session } = current;
    // The session's user may come from the near cache; the verified mark is read fresh.
    const [fresh, sessions, consents, events] = await Promise.all([
      core.accounts.find(user.id),
      core.sessions.list(user.id),
      core.consents.list(user.id),
      core.audit.list({ subjectId: user.id, limit: EVENT_COUNT }),
    ]);
    return sendPage(reply, shown.status ?? 200, AccountPage, {
      email: user.email,
      emailVerified: (fresh ?? user).emailVerifiedAt !== null,
      csrfToken: support.formToken(request, reply, current),
      currentSessionId: session.id,
      sessions,
      consents,
      events,
      now: core.deps.clock.now(),
      notice: shown.notice,
      passwordError: shown.passwordError,
    });
  }

  /**
   * The session and fields of a form posted from the page, after the Origin and CSRF checks;
   * without a live session, the Origin check alone and a way to sign in again.
   */
  async function accountForm(request: FastifyRequest, reply: FastifyReply) {
    const fields = singleValued(request.body);
    const current = await support.currentSession(request, reply);
    if (!current) {
      checkOrigin(csrfInput(request, config.allowedOrigins));
      return { fields };
    }
    support.checkForm(request, fields.csrf_token, current);
    return { fields, current };
  }

  const signInAgain = (reply: FastifyReply) => reply.redirect(SIGN_IN, 303);
  const backTo = (reply: FastifyReply, notice: Notice) =>
    reply.redirect(`${ACCOUNT_PATH}?${new URLSearchParams({ done: notice }).toString()}`, 303);

  scope.get(ACCOUNT_PATH, { schema: { hide: true } }, async (request, reply) => {
    const current = await support.currentSession(request, reply);
    if (!current) return signInAgain(reply);
    const { done } = singleValued(request.query);
    const notice = done !== undefined && Object.hasOwn(NOTICES, done) ? done : undefined;
    return accountPage(request, reply, current, {
      ...(notice && { notice: NOTICES[notice as Notice] }),
    });
  });

  scope.post('/account/sessions/revoke', { schema: { hide: true } }, async (request, reply) => {
    const { fields, current } = await accountForm(request, reply);
    if (!current) return signInAgain(reply);
    const id = fields.session_id ?? '';
    try {
      await core.sessions.revoke(current.user.id, id);
    } catch (error) {
      // Gone already (another tab, its own sign-out): the page's promise holds all the same.
      if (!(error instanceof TesseraError && error.code === 'not_found')) throw error;
    }
    if (id !== current.session.id) return backTo(reply, 'device_signed_out');
    cookie.clear(reply);
    return signInAgain(reply);
  });

  scope.post(
    '/account/sessions/revoke-others',
    { schema: { hide: true } },
    async (request, reply) => {
      const { current } = await accountForm(request, reply);
      if (!current) return signInAgain(reply);
      // DESIGN.md: every other session, every refresh family and every access token of the user.
      await core.accounts.revokeEverything(current.user.id, current.session.id);
      return backTo(reply, 'others_signed_out');
    },
  );

  scope.post('/account/apps/revoke', { schema: { hide: true } }, async (request, reply) => {
    const { fields, current } = await accountForm(request, reply);
    if (!current) return signInAgain(reply);
    const clientId = fields.client_id;
    if (!clientId) throw new TesseraError('invalid_request', 'client_id is required');
    await core.consents.revoke(current.user.id, clientId);
    return backTo(reply, 'app_revoked');
  });

  scope.post('/account/verify-email', { schema: { hide: true } }, async (request, reply) => {
    const { current } = await accountForm(request, reply);
    if (!current) return signInAgain(reply);
    await core.recovery.sendVerification(current.user.id);
    return backTo(reply, 'verification_sent');
  });

  scope.post('/account/password', { schema: { hide: true } }, async (request, reply) => {
    const { fields, current } = await accountForm(request, reply);
    if (!current) return signInAgain(reply);
    const { user } = current;
    try {
      await core.accounts.changePassword(
        user.id,
        { currentPassword: fields.current_password ?? '', newPassword: fields.new_password ?? '' },
        { ip: request.ip },
      );
    } catch (error) {
      if (!(error instanceof TesseraError) || ![400, 401, 429].includes(error.status)) throw error;
      const retryAfter = error.details.retryAfterSeconds;
      if (retryAfter !== undefined) void reply.header('Retry-After', String(retryAfter));
      return accountPage(request, reply, current, {
        status: error.status,
        passwordError: passwordMessage(error),
      });
    }
    // The old session went with the others; this browser goes on with a new id, as the API's
    // cookie callers do (routes/accounts.ts): no fixation of the id that was live before.
    const fresh = await core.sessions.create(user.id, {
      userAgent: request.headers['user-agent'] ?? '',
      ip: request.ip,
    });
    cookie.set(reply, fresh.secret, fresh.session.absoluteExpiresAt);
    return backTo(reply, 'password_changed');
  });
}
