/**
 * API.md "OAuth 2.0 endpoints": /oauth/token (every grant of core/oauth/grants/registry.ts),
 * /oauth/revoke (RFC 7009) and /oauth/introspect (RFC 7662). Form-encoded requests, RFC 6749
 * errors.
 */
import formbodyPlugin from '@fastify/formbody';
import { Type } from '@sinclair/typebox';
import { checkOrigin } from '../../core/csrf.js';
import { TesseraError } from '../../core/errors.js';
import { assertGrantAllowed, findGrant, grants } from '../../core/oauth/grants/registry.js';
import { anyClient, confidentialClient, presentedClient } from '../plugins/client-auth.js';
import { csrfInput, header } from '../plugins/auth.js';
import { installOAuthErrors } from '../plugins/oauth-errors.js';
import { tokenBody } from '../token-response.js';
import type { Clients } from '../../core/clients/clients.js';
import type { Grant } from '../../core/oauth/grants/registry.js';
import type { ClientRecord } from '../../stores/ports.js';
import type { PresentedClient } from '../plugins/client-auth.js';
import type { RouteContext } from '../context.js';
import type { Static, TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';

// RFC 6749 §3.2 / §2.3: parameters are strings, sent once; a repeated one arrives as an array
// and fails the schema with invalid_request.
const param = (max = 4096) => Type.String({ maxLength: max });

/** Every grant's parameters, each at the longest length any grant allows it. */
function grantParameters(): Record<string, TSchema> {
  const longest = new Map<string, number>();
  for (const grant of grants) {
    for (const [name, max] of Object.entries(grant.parameters)) {
      longest.set(name, Math.max(max, longest.get(name) ?? 0));
    }
  }
  return Object.fromEntries([...longest].map(([name, max]) => [name, Type.Optional(param(max))]));
}

const TokenForm = Type.Object({
  grant_type: param(64),
  ...grantParameters(),
  client_id: Type.Optional(param(256)),
  client_secret: Type.Optional(param(256)),
});
/** The token form as the handler reads it: the grant's parameters are known at run time. */
type TokenFormBody = { grant_type: string; client_id?: string; client_secret?: string } & Record<
  string,
  string | undefined
>;
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

  scope.post<{ Body: TokenFormBody }>(
    '/oauth/token',
    {
      schema: {
        tags: ['oauth'],
        summary: `Token endpoint: ${grants.map((grant) => grant.type).join(', ')} grants`,
        ...form,
        body: TokenForm,
        response: { 200: Type.Ref('TokenResponse'), '4xx': OAuthError },
      },
    },
    async (request, reply) => {
      const body = request.body;
      void reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
      const grant = findGrant(body.grant_type);
      if (grant === undefined) {
        throw new TesseraError(
          'unsupported_grant_type',
          `grant_type must be one of: ${grants.map((known) => known.type).join(', ')}`,
        );
      }
      const params: Record<string, string | undefined> = {};
      for (const name of Object.keys(grant.parameters)) params[name] = body[name];
      const cookie = grant.cookieParameter;
      const fromCookie = cookie !== undefined && params[cookie] === undefined;
      if (fromCookie) params[cookie] = readRefreshCookie(request, ctx);
      const client = await tokenClient(grant, presentedClient(request, body), core.clients);
      if (client !== undefined) assertGrantAllowed(grant, client);
      const result = await grant.handle({ params, client }, core);
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
      await core.tokenService.revoke(client, request.body.token, request.body.token_type_hint);
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
      return core.tokenService.introspect(request.body.token);
    },
  );
}

/**
 * The client of a token request: authenticated by its secret whenever one is sent or the grant
 * requires it; else a public client naming itself by client_id (RFC 6749 §2.3: a confidential
 * client must authenticate); else none, where the grant allows that.
 */
async function tokenClient(
  grant: Grant,
  presented: PresentedClient | undefined,
  clients: Clients,
): Promise<ClientRecord | undefined> {
  if (presented?.secret !== undefined || grant.clientAuthentication === 'required') {
    return confidentialClient(clients, presented);
  }
  if (presented === undefined) return undefined;
  const client = await clients.find(presented.id);
  if (client === undefined || client.secretHash !== null) {
    throw new TesseraError('invalid_client', 'client authentication is required');
  }
  return client;
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
