/** API.md "Tokens": `POST /auth/token`, first-party login for an access and a refresh token. */
import { Type } from '@sinclair/typebox';
import { problems } from '../schemas.js';
import { tokenBody } from '../token-response.js';
import type { RouteContext } from '../context.js';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

const TokenRequest = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: 4096 }),
    client_id: Type.Optional(
      Type.String({
        maxLength: 256,
        description: 'The built-in first-party client only; any other is refused (RFC 9700 §2.4)',
      }),
    ),
    refresh: Type.Optional(
      Type.Union([Type.Literal('cookie'), Type.Literal('body')], {
        description:
          'cookie (default): the refresh token goes in an HttpOnly SameSite=Strict cookie for /oauth/token; body: it is returned (native apps)',
      }),
    ),
  },
  { additionalProperties: false },
);

/** Registers `POST /auth/token`. */
export function tokenRoutes(
  app: FastifyInstance,
  { core, refreshCookie, auth }: RouteContext,
): void {
  app.post<{ Body: Static<typeof TokenRequest> }>(
    '/auth/token',
    {
      onRequest: auth.requireAllowedOrigin,
      schema: {
        tags: ['tokens'],
        summary: 'Log in for an access token and a refresh token',
        body: TokenRequest,
        response: { 200: Type.Ref('TokenResponse'), ...problems(400, 401, 403, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const { email, password, client_id: clientId, refresh = 'cookie' } = request.body;
      const result = await core.tokenService.login(
        { email, password, ...(clientId === undefined ? {} : { clientId }) },
        { ip: request.ip },
      );
      if (refresh === 'cookie' && result.refreshToken !== undefined) {
        refreshCookie.set(reply, result.refreshToken, result.refreshExpiresAt ?? 0);
      }
      // RFC 6749 §5.1: token responses are never cached.
      void reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
      return tokenBody(result, refresh === 'body');
    },
  );
}
