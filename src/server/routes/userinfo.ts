/**
 * OpenID Connect Core §5.3 UserInfo: `GET` and `POST /oauth/userinfo` with a bearer access token
 * that was granted `openid`. Refusals are RFC 6750 §3: 401 `invalid_token` for a bad token, 403
 * `insufficient_scope` without `openid`, each with its `WWW-Authenticate: Bearer` challenge.
 */
import formbodyPlugin from '@fastify/formbody';
import { Type } from '@sinclair/typebox';
import { TesseraError } from '../../core/errors.js';
import { authorizationHeaders, bearerToken, challengeFor } from '../../verify/authenticate.js';
import { problems } from '../schemas.js';
import type { RouteContext } from '../context.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const UserInfo = Type.Object(
  {
    sub: Type.String(),
    email: Type.String(),
    email_verified: Type.Boolean(),
  },
  { additionalProperties: false },
);

/** The scope a token needs here. */
const OPENID = 'openid';

/** Registers the UserInfo endpoint in its own scope (it takes an empty or form POST body). */
export async function userinfoRoutes(
  scope: FastifyInstance,
  { core }: RouteContext,
): Promise<void> {
  await scope.register(formbodyPlugin);

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    // Personal data: never cached (API.md conventions).
    void reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
    try {
      // Node keeps the first of repeated Authorization headers; two are refused as ambiguous.
      const token = bearerToken(
        authorizationHeaders(request.raw.rawHeaders) ?? request.headers.authorization,
      );
      const { claims, user } = await core.accessTokens.verify(token);
      if (!user) throw new TesseraError('token_claim_invalid', 'the token does not name a user');
      const scopes = claims.scope?.split(' ') ?? [];
      if (!scopes.includes(OPENID)) {
        throw new TesseraError('insufficient_scope', 'the token was not granted "openid"');
      }
      // API.md fixes the answer as {sub, email, email_verified} for any token with openid: an
      // account is an email address, so the email is the least a relying party signs a user in
      // with. (ID tokens, which travel further, carry email only with the `email` scope.)
      // email_verified: the user followed a verification or reset link sent to this address.
      return { sub: user.id, email: user.email, email_verified: user.emailVerifiedAt !== null };
    } catch (error) {
      const challenge =
        error instanceof TesseraError ? challengeFor(error, { scopes: [OPENID] }) : undefined;
      if (challenge !== undefined) void reply.header('WWW-Authenticate', challenge);
      throw error;
    }
  };

  const schema = {
    tags: ['oauth'],
    summary: 'OpenID Connect UserInfo: the signed-in user, for a bearer token with openid',
    security: [{ bearer: [] }],
    response: { 200: UserInfo, ...problems(401, 403) },
  };
  scope.get('/oauth/userinfo', { schema }, handler);
  scope.post('/oauth/userinfo', { schema }, handler);
}
