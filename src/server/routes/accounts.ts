/** API.md "Accounts": sign-up and password change. */
import { Type } from '@sinclair/typebox';
import { Credentials, NoContent, PasswordChange, problems } from '../schemas.js';
import { presentUser } from '../present.js';
import { authenticatedUserOf } from '../plugins/auth.js';
import type { RouteContext } from '../context.js';
import type { FastifyInstance } from 'fastify';

/** Registers the account routes. */
export function accountRoutes(app: FastifyInstance, { core, cookie, auth }: RouteContext): void {
  app.post<{ Body: Credentials }>(
    '/auth/signup',
    {
      onRequest: auth.requireAllowedOrigin,
      schema: {
        tags: ['accounts'],
        summary: 'Create an account',
        body: Credentials,
        response: {
          201: Type.Object({ user: Type.Ref('User') }),
          ...problems(400, 403, 409, 413, 415, 429),
        },
      },
    },
    async (request, reply) => {
      const user = await core.accounts.signup(request.body, { ip: request.ip });
      return reply.code(201).send({ user: presentUser(user) });
    },
  );

  app.post<{ Body: PasswordChange }>(
    '/auth/password',
    {
      onRequest: auth.requireUser,
      schema: {
        tags: ['accounts'],
        summary: 'Change the password; revokes every other session and credential of the user',
        description:
          'Session cookie (with X-CSRF-Token) or bearer token. A cookie caller continues on a new session id; its new CSRF token is in the X-CSRF-Token response header.',
        body: PasswordChange,
        response: { 204: NoContent, ...problems(400, 401, 403, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const { user, via } = authenticatedUserOf(request);
      await core.accounts.changePassword(user.id, request.body, { ip: request.ip });
      if (via === 'bearer') return reply.code(204).send();
      // The old session went with the others; the caller continues on a new id (no fixation).
      const fresh = await core.sessions.create(user.id, {
        userAgent: request.headers['user-agent'] ?? '',
        ip: request.ip,
      });
      cookie.set(reply, fresh.secret, fresh.session.absoluteExpiresAt);
      return reply.header('X-CSRF-Token', fresh.session.csrfSecret).code(204).send();
    },
  );
}
