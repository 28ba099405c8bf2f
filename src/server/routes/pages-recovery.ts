/**
 * API.md "Pages": account recovery. `/forgot-password` mails a reset link (the same answer
 * whether the address has an account), `/reset-password?token=…` sets a new password with it,
 * `/verify-email?token=…` confirms an address. The rules (single use, 30 minutes, everything
 * revoked after a reset) are core/accounts/recovery.ts's. Forms use the pre-session token, as
 * sign-in does: the person here is not signed in.
 */
import { TesseraError } from '../../core/errors.js';
import {
  EmailVerifiedPage,
  ForgotPasswordPage,
  LinkInvalidPage,
  PasswordResetPage,
  ResetLinkSentPage,
  ResetPasswordPage,
} from '../../web/pages/recovery.js';
import { sendPage, singleValued } from './pages.js';
import type { RouteContext } from '../context.js';
import type { PageSupport } from './pages.js';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * The link's token is in the page's URL: no referrer at all, not even to this server's own
 * stylesheet (a log of Referer headers must not collect live links). Set from the route's own
 * onSend, which runs after the scope's page headers.
 */
async function noReferrer(_request: unknown, reply: FastifyReply, payload: unknown) {
  void reply.header('Referrer-Policy', 'no-referrer');
  return payload;
}

const isCode = (error: unknown, code: string): error is TesseraError =>
  error instanceof TesseraError && error.code === code;

/** Registers the recovery pages. */
export function recoveryPageRoutes(
  scope: FastifyInstance,
  { core }: RouteContext,
  support: PageSupport,
): void {
  scope.get('/forgot-password', { schema: { hide: true } }, async (request, reply) =>
    sendPage(reply, 200, ForgotPasswordPage, { formToken: support.formToken(request, reply) }),
  );

  scope.post('/forgot-password', { schema: { hide: true } }, async (request, reply) => {
    const fields = singleValued(request.body);
    support.checkForm(request, fields.form_token);
    // Resolves alike for a known and an unknown address; the mail goes in the background.
    await core.recovery.requestReset(fields.email ?? '');
    return sendPage(reply, 200, ResetLinkSentPage, {});
  });

  scope.get(
    '/reset-password',
    { schema: { hide: true }, onSend: noReferrer },
    async (request, reply) => {
      const { token } = singleValued(request.query);
      // The link is checked when it is used, not here: a mail scanner that opens links must not
      // spend it. Without a token there is nothing to check later either.
      if (!token) return sendPage(reply, 400, LinkInvalidPage, { purpose: 'reset' as const });
      return sendPage(reply, 200, ResetPasswordPage, {
        token,
        formToken: support.formToken(request, reply),
      });
    },
  );

  scope.post('/reset-password', { schema: { hide: true } }, async (request, reply) => {
    const fields = singleValued(request.body);
    // The page with the link was served without a referrer, so its form posts `Origin: null`.
    support.checkForm(request, fields.form_token, undefined, { referrerless: true });
    const token = fields.token ?? '';
    try {
      await core.recovery.resetPassword(token, fields.new_password ?? '');
    } catch (error) {
      if (isCode(error, 'link_invalid')) {
        return sendPage(reply, 400, LinkInvalidPage, { purpose: 'reset' as const });
      }
      // A refused password leaves the link usable: the form again, with why.
      if (isCode(error, 'weak_password') || isCode(error, 'invalid_request')) {
        return sendPage(reply, 400, ResetPasswordPage, {
          token,
          formToken: support.formToken(request, reply),
          error: `${error.message.charAt(0).toUpperCase()}${error.message.slice(1)}.`,
        });
      }
      throw error;
    }
    return sendPage(reply, 200, PasswordResetPage, {});
  });

  scope.get(
    '/verify-email',
    { schema: { hide: true }, onSend: noReferrer },
    async (request, reply) => {
      const { token } = singleValued(request.query);
      try {
        const user = await core.recovery.verifyEmail(token ?? '');
        return await sendPage(reply, 200, EmailVerifiedPage, { email: user.email });
      } catch (error) {
        if (!isCode(error, 'link_invalid')) throw error;
        return sendPage(reply, 400, LinkInvalidPage, { purpose: 'verify' as const });
      }
    },
  );
}
