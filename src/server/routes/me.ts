/** API.md `GET /auth/me`: the hybrid endpoint, by session cookie or bearer access token. */
import { Type } from '@sinclair/typebox';
import { presentUser } from '../present.js';
import { problems } from '../schemas.js';
import { authenticatedUserOf } from '../plugins/auth.js';
import type { RouteContext } from '../context.js';
import type { FastifyInstance } from 'fastify';

/** Registers `GET /auth/me`. */
export function meRoutes(app: FastifyInstance, { auth }: RouteContext): void {
  app.get(
    '/auth/me',
    {
      onRequest: auth.requireUser,
      schema: {
        tags: ['tokens'],
        summary: 'Who is calling, and with which credential (session cookie or bearer token)',
        security: [{ bearer: [] }, { session: [] }],
        response: {
          200: Type.Object({
            user: Type.Ref('User'),
            via: Type.Union([Type.Literal('session'), Type.Literal('bearer')]),
            // A first-party session is not limited by scopes, so it carries none.
            scopes: Type.Array(Type.String()),
          }),
          ...problems(401),
        },
      },
    },
    async (request) => {
      const { user, via, scopes } = authenticatedUserOf(request);
      return { user: presentUser(user), via, scopes };
    },
  );
}
