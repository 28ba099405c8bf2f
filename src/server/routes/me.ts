/** API.md `GET /auth/me`: the hybrid endpoint (session cookie now; bearer tokens in Step 2). */
import { Type } from '@sinclair/typebox';
import { presentUser } from '../present.js';
import { problems } from '../schemas.js';
import { sessionOf } from '../plugins/session-auth.js';
import type { RouteContext } from '../context.js';
import type { FastifyInstance } from 'fastify';

/** Registers `GET /auth/me`. */
export function meRoutes(app: FastifyInstance, { auth }: RouteContext): void {
  app.get(
    '/auth/me',
    {
      preHandler: auth.requireSession,
      schema: {
        tags: ['tokens'],
        summary: 'Who is calling, and with which credential',
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
    async (request) => ({
      user: presentUser(sessionOf(request).user),
      via: 'session' as const,
      scopes: [],
    }),
  );
}
