/** API.md: the JWKS and RFC 8414 authorization-server metadata (also at the OpenID path). */
import { Type } from '@sinclair/typebox';
import { signingAlgorithms } from '../../core/keys/algorithms.js';
import { grants, tokenEndpointAuthMethods } from '../../core/oauth/grants/registry.js';
import { jwksMaxAgeSeconds } from '../../core/keys/schedule.js';
import type { RouteContext } from '../context.js';
import type { FastifyInstance } from 'fastify';

/** Scopes every client of the authorization code flow may ask for (request.ts). */
const oidcScopes = ['openid', 'profile', 'email', 'offline_access'];

/** What an ID token (or userinfo) can say (core/tokens/id-token.ts). */
const idTokenClaims = [
  'iss',
  'sub',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'sid',
  'at_hash',
  'email',
  'email_verified',
];

/** Registers the well-known documents. */
export function discoveryRoutes(app: FastifyInstance, { core, config }: RouteContext): void {
  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        tags: ['discovery'],
        summary:
          'Public signing keys (RFC 7517): the next key before it signs, rotated-out keys until their tokens expire',
        response: {
          200: Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) }),
        },
      },
    },
    async (_request, reply) => {
      // The lifetime a planned rotation waits out before the next key signs (core/keys/schedule.ts):
      // any cache holding this document already knows the next key when it starts signing.
      void reply.header('Cache-Control', `public, max-age=${jwksMaxAgeSeconds}`);
      return core.keyRing.jwks();
    },
  );

  const idTokenAlgorithms = () => [
    ...new Set([
      ...core.keyRing.jwks().keys.map((key) => String(key.alg)),
      core.keyRing.signingKey().alg,
    ]),
  ];
  const metadata = () => {
    const base = config.issuer;
    return {
      issuer: base,
      authorization_endpoint: `${base}/oauth/authorize`,
      token_endpoint: `${base}/oauth/token`,
      userinfo_endpoint: `${base}/oauth/userinfo`,
      end_session_endpoint: `${base}/oauth/logout`,
      revocation_endpoint: `${base}/oauth/revoke`,
      introspection_endpoint: `${base}/oauth/introspect`,
      jwks_uri: `${base}/.well-known/jwks.json`,
      // From the registry the token endpoint dispatches through, so the two cannot disagree.
      grant_types_supported: grants.map((grant) => grant.type),
      // RFC 9700 §2.1.2: the code flow only, answered in the query (no implicit, no fragment).
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      code_challenge_methods_supported: ['S256'],
      subject_types_supported: ['public'],
      // The keys a relying party may meet on an ID token: every published key, and the signer.
      id_token_signing_alg_values_supported: idTokenAlgorithms(),
      claims_supported: idTokenClaims,
      // RFC 9207: every authorization response carries iss.
      authorization_response_iss_parameter_supported: true,
      // OpenID Connect Discovery §3: request_uri support defaults to true, so it is said.
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
      token_endpoint_auth_methods_supported: tokenEndpointAuthMethods(),
      revocation_endpoint_auth_methods_supported: [
        'client_secret_basic',
        'client_secret_post',
        'none',
      ],
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      // What access tokens may be signed with; the JWKS says which key uses which.
      access_token_signing_alg_values_supported: signingAlgorithms.filter(
        (alg) => alg !== 'HS256' || config.signingAlg === 'HS256',
      ),
      scopes_supported: [...new Set([...oidcScopes, ...config.firstPartyScopes])],
    };
  };
  for (const path of [
    '/.well-known/oauth-authorization-server',
    '/.well-known/openid-configuration',
  ]) {
    app.get(
      path,
      {
        schema: {
          tags: ['discovery'],
          summary: 'RFC 8414 authorization server metadata',
          response: { 200: Type.Record(Type.String(), Type.Unknown()) },
        },
      },
      async (_request, reply) => {
        void reply.header('Cache-Control', 'public, max-age=300');
        return metadata();
      },
    );
  }
}
