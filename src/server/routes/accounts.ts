/** API.md "Accounts": sign-up and password change. */
import { Type } from '@sinclair/typebox';
import { Credentials, NoContent, PasswordChange, problems } from '../schemas.js';
import { presentUser } from '../present.js';
import { sessionOf } from '../plugins/session-auth.js';
import type { RouteContext } from '../context.js';
import type { FastifyInstance } from 'fastify';

/** Registers the account routes. */
export function accountRoutes(app: FastifyInstance, { core, cookie, auth }: RouteContext): void {
  app.post<{ Body: Credentials }>(
    '/auth/signup',
    {
      preHandler: auth.requireAllowedOrigin,
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
      preHandler: auth.requireSession,
      schema: {
        tags: ['accounts'],
        summary: 'Change the password; revokes every other session and credential of the user',
        body: PasswordChange,
        response: { 204: NoContent, ...problems(400, 401, 403, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const { user } = sessionOf(request);
      await core.accounts.changePassword(user.id, request.body, { ip: request.ip });
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
