/**
 * API.md "OAuth 2.0 endpoints": /oauth/token (refresh_token, client_credentials), /oauth/revoke
 * (RFC 7009) and /oauth/introspect (RFC 7662). Form-encoded requests, RFC 6749 errors.
 */
import formbodyPlugin from '@fastify/formbody';
import { Type } from '@sinclair/typebox';
import { checkOrigin } from '../../core/csrf.js';
import { TesseraError } from '../../core/errors.js';
import { REFRESH_TOKEN_MAX_LENGTH } from '../../core/oauth/refresh-token.js';
import { anyClient, confidentialClient, presentedClient } from '../plugins/client-auth.js';
import { csrfInput, header } from '../plugins/auth.js';
import { installOAuthErrors } from '../plugins/oauth-errors.js';
import { tokenBody } from '../token-response.js';
import type { RouteContext } from '../context.js';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';

// RFC 6749 §3.2 / §2.3: parameters are strings, sent once; a repeated one arrives as an array
// and fails the schema with invalid_request.
const param = (max = 4096) => Type.String({ maxLength: max });

const TokenForm = Type.Object({
  grant_type: param(64),
  refresh_token: Type.Optional(param(REFRESH_TOKEN_MAX_LENGTH)),
  scope: Type.Optional(param()),
  resource: Type.Optional(param(2048)),
  client_id: Type.Optional(param(256)),
  client_secret: Type.Optional(param(256)),
});
const RevokeForm = Type.Object({
  token: param(16384),
  token_type_hint: Type.Optional(param(64)),
  client_id: Type.Optional(param(256)),
  client_secret: Type.Optional(param(256)),
});
const IntrospectForm = RevokeForm;

const OAuthError = Type.Object({ error: Type.String(), error_description: Type.String() });
const form = { consumes: ['application/x-www-form-urlencoded'] };

/** Registers the OAuth endpoints in their own scope, with RFC 6749 errors. */
export async function oauthRoutes(scope: FastifyInstance, ctx: RouteContext): Promise<void> {
  const { core, refreshCookie } = ctx;
  installOAuthErrors(scope);
  // OAuth endpoints take forms only (RFC 6749 §4.1.3, RFC 7009 §2.1, RFC 7662 §2.1).
  scope.removeContentTypeParser('application/json');
  await scope.register(formbodyPlugin);

  scope.post<{ Body: Static<typeof TokenForm> }>(
    '/oauth/token',
    {
      schema: {
        tags: ['oauth'],
        summary: 'Token endpoint: refresh_token and client_credentials grants',
        ...form,
        body: TokenForm,
        response: { 200: Type.Ref('TokenResponse'), '4xx': OAuthError },
      },
    },
    async (request, reply) => {
      const body = request.body;
      void reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
      if (body.grant_type === 'client_credentials') {
        const client = await confidentialClient(core.clients, presentedClient(request, body));
        const resource = body.resource;
        const result = core.tokens.clientCredentials(client, {
          ...(body.scope === undefined ? {} : { scope: body.scope }),
          ...(resource === undefined ? {} : { resource }),
        });
        return tokenBody(result, false);
      }
      if (body.grant_type !== 'refresh_token') {
        throw new TesseraError(
          'unsupported_grant_type',
          'grant_type must be refresh_token or client_credentials',
        );
      }
      const fromCookie = body.refresh_token === undefined;
      const token = body.refresh_token ?? readRefreshCookie(request, ctx);
      const presented = presentedClient(request, body);
      if (presented?.secret !== undefined) await confidentialClient(core.clients, presented);
      const result = await core.tokens.refresh(token, presented?.id);
      if (fromCookie && result.refreshToken !== undefined) {
        refreshCookie.set(reply, result.refreshToken, result.refreshExpiresAt ?? 0);
      }
      return tokenBody(result, !fromCookie);
    },
  );

  scope.post<{ Body: Static<typeof RevokeForm> }>(
    '/oauth/revoke',
    {
      schema: {
        tags: ['oauth'],
        summary: 'RFC 7009 revocation: 200 even for unknown tokens',
        ...form,
        body: RevokeForm,
        response: { 200: Type.Null(), '4xx': OAuthError },
      },
    },
    async (request, reply) => {
      const client = await anyClient(core.clients, presentedClient(request, request.body));
      await core.tokens.revoke(client, request.body.token, request.body.token_type_hint);
      return reply.code(200).header('Cache-Control', 'no-store').send();
    },
  );

  scope.post<{ Body: Static<typeof IntrospectForm> }>(
    '/oauth/introspect',
    {
      schema: {
        tags: ['oauth'],
        summary: 'RFC 7662 introspection (client authentication required)',
        ...form,
        body: IntrospectForm,
        response: {
          200: Type.Object(
            {
              active: Type.Boolean(),
              sub: Type.Optional(Type.String()),
              client_id: Type.Optional(Type.String()),
              scope: Type.Optional(Type.String()),
              exp: Type.Optional(Type.Integer()),
              iat: Type.Optional(Type.Integer()),
              iss: Type.Optional(Type.String()),
              aud: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
              jti: Type.Optional(Type.String()),
              sid: Type.Optional(Type.String()),
              token_type: Type.Optional(Type.String()),
            },
            { additionalProperties: false },
          ),
          '4xx': OAuthError,
        },
      },
    },
    async (request, reply) => {
      await confidentialClient(core.clients, presentedClient(request, request.body));
      void reply.header('Cache-Control', 'no-store');
      return core.tokens.introspect(request.body.token);
    },
  );
}

/**
 * The refresh token from the browser's cookie. SameSite=Strict already keeps other sites from
 * sending it; the Origin must also be present and allowed (API.md), so nothing but our own pages
 * can spend it.
 */
function readRefreshCookie(
  request: FastifyRequest,
  { refreshCookie, config }: RouteContext,
): string {
  const token = refreshCookie.read(request);
  if (token === undefined) throw new TesseraError('invalid_request', 'refresh_token is missing');
  if (header(request, 'origin') === undefined) {
    throw new TesseraError('csrf', 'a refresh by cookie must carry an allowed Origin');
  }
  checkOrigin(csrfInput(request, config.allowedOrigins));
  return token;
}
