/**
 * Every error code Tessera can answer with, and everything the HTTP layer and the docs need to
 * know about it, in one table: core/errors.ts derives statuses and answers from it, and
 * docs/errors.md is generated from it (`npm run docs:errors`; test/docs.test.ts keeps them equal).
 * Like Fastify's error registry: a code that is not here cannot be thrown.
 */

/** The `error` values of RFC 6749 §5.2 (and RFC 7009, RFC 8707, RFC 8628) that we answer. */
export const oauthErrorStatus = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  invalid_target: 400,
  // The authorization endpoint's errors (RFC 6749 §4.1.2.1, OpenID Connect Core §3.1.2.6): they
  // travel in a redirect, so the status is the one an error page would have.
  access_denied: 403,
  unsupported_response_type: 400,
  login_required: 400,
  consent_required: 400,
  request_not_supported: 400,
  request_uri_not_supported: 400,
  slow_down: 429,
  server_error: 500,
  temporarily_unavailable: 503,
} as const;

/** An RFC 6749 `error` value. */
export type OAuthErrorName = keyof typeof oauthErrorStatus;

/** The RFC 6750 §3.1 `error` of a `WWW-Authenticate: Bearer` challenge. */
export type ChallengeError = 'invalid_token' | 'insufficient_scope';

/** What the registry says about one code. */
export interface ErrorEntry {
  /** The HTTP status of the problem+json answer. */
  status: number;
  /** The problem's `title`. */
  title: string;
  /** The RFC 6749 `error` when this failure answers an /oauth/* request. */
  oauth: OAuthErrorName;
  /** The status of that /oauth/* answer, when it is not the RFC's status for `oauth`. */
  oauthStatus?: number;
  /** The RFC 6750 challenge error when this failure answers a bearer-protected request. */
  challenge?: ChallengeError;
  /** What it means, in one line. */
  description: string;
  /** Where it can occur. */
  where: string;
}

const bearerRoutes = '`GET /auth/me`, `POST /auth/password`; the verifier and the middleware';

// Every access-token failure is RFC 6750's invalid_token; only the code says which check failed.
const tokenFailure = (title: string, description: string, where = bearerRoutes) =>
  ({
    status: 401,
    title,
    oauth: 'invalid_request',
    challenge: 'invalid_token',
    description,
    where,
  }) as const;

// Failures of the verifier toolkit that fail closed: never an /oauth/* answer of the server.
const unavailable = (description: string, where: string) =>
  ({
    status: 503,
    title: 'Service unavailable',
    oauth: 'server_error',
    description,
    where,
  }) as const;

/** The registry, in the order of docs/errors.md. */
export const errorRegistry = {
  invalid_request: {
    status: 400,
    title: 'Invalid request',
    oauth: 'invalid_request',
    description:
      'A parameter is missing, repeated, of the wrong type or shape, or the URL or HTTP framing is malformed.',
    where: 'any endpoint',
  },
  malformed_json: {
    status: 400,
    title: 'Malformed JSON',
    oauth: 'invalid_request',
    description: 'The body is not valid JSON, or is empty where JSON is expected.',
    where: '`/auth/*` endpoints that take a body',
  },
  invalid_email: {
    status: 400,
    title: 'Invalid email',
    oauth: 'invalid_request',
    description: 'The email is not an address like name@example.com.',
    where: '`POST /auth/signup`',
  },
  weak_password: {
    status: 400,
    title: 'Weak password',
    oauth: 'invalid_request',
    description: 'The new password is too short, too common or too easy to guess.',
    where: '`POST /auth/signup`, `POST /auth/password`',
  },
  unauthenticated: {
    status: 401,
    title: 'Authentication required',
    oauth: 'invalid_request',
    challenge: 'invalid_token',
    description: 'No credential was sent, or the session cookie names no live session.',
    where: `routes that need a session or a bearer token (${bearerRoutes}), \`GET /auth/revocations\``,
  },
  invalid_credentials: {
    status: 401,
    title: 'Invalid credentials',
    oauth: 'invalid_grant',
    description: 'Unknown email or wrong password (the answer never says which).',
    where: '`POST /auth/session`, `POST /auth/token`, `POST /auth/password` (the current password)',
  },
  account_disabled: {
    status: 403,
    title: 'Account disabled',
    oauth: 'invalid_grant',
    description:
      'The password was right but an administrator disabled the account (said only after the password checked out, so it reveals nothing to a guesser).',
    where: '`POST /auth/session`, `POST /auth/token`, the sign-in page',
  },
  email_unverified: {
    status: 403,
    title: 'Email not verified',
    oauth: 'invalid_grant',
    description:
      'The password was right but TESSERA_REQUIRE_VERIFIED_EMAIL is on and the email was never verified: follow the link of the verification mail.',
    where: '`POST /auth/session`, `POST /auth/token`, the sign-in page',
  },
  link_invalid: {
    status: 400,
    title: 'Link invalid',
    oauth: 'invalid_request',
    description:
      'A password reset or email verification link that is unknown, already used, replaced by a newer one or expired (one code for all four).',
    where: 'the reset-password and verify-email pages',
  },
  session_expired: {
    status: 401,
    title: 'Session expired',
    oauth: 'invalid_request',
    challenge: 'invalid_token',
    description: 'The session reached its idle or absolute expiry, or (middleware) is not valid.',
    where: 'routes that take a session cookie; the middleware with `accept: session | either`',
  },
  token_malformed: tokenFailure(
    'Token malformed',
    'The Authorization header is not exactly one `Bearer <token>`, or the token is not a compact JWS.',
  ),
  token_too_large: tokenFailure('Token too large', 'The token is longer than allowed.'),
  token_unsupported: tokenFailure(
    'Token unsupported',
    'The token uses something verification refuses: `alg` none or not the key’s, `crit`, `jku`, `x5u`, `jwk`, `b64`, a `typ` other than `at+jwt`.',
  ),
  token_unknown_key: tokenFailure(
    'Token unknown key',
    'No signing key with the token’s `kid` is known (after one JWKS refresh).',
  ),
  token_signature_invalid: tokenFailure(
    'Token signature invalid',
    'The signature does not verify.',
  ),
  token_expired: tokenFailure(
    'Token expired',
    'The token’s `exp` has passed, beyond the clock skew.',
  ),
  token_not_yet_valid: tokenFailure(
    'Token not yet valid',
    'The token’s `nbf` or `iat` is in the future, beyond the clock skew.',
  ),
  token_claim_invalid: tokenFailure(
    'Token claim invalid',
    'A required claim is missing or wrong: `iss`, `aud`, `sub`, `exp`, or the token names no user where one is needed.',
  ),
  token_revoked: tokenFailure(
    'Token revoked',
    'The token, its session or refresh family, or every token of its user was revoked.',
  ),
  invalid_grant: {
    status: 400,
    title: 'Invalid grant',
    oauth: 'invalid_grant',
    description:
      'The refresh token or authorization code is unknown, expired, spent or re-used (a re-used refresh token revokes its family).',
    where: '`POST /oauth/token`',
  },
  invalid_client: {
    status: 401,
    title: 'Invalid client',
    oauth: 'invalid_client',
    description: 'Client authentication is missing or failed (answered with a `Basic` challenge).',
    where: '`POST /oauth/token`, `/oauth/revoke`, `/oauth/introspect`, `GET /auth/revocations`',
  },
  invalid_scope: {
    status: 400,
    title: 'Invalid scope',
    oauth: 'invalid_scope',
    description: 'The client asked for a scope it may not have.',
    where: '`POST /oauth/token`, `GET /oauth/authorize` (a redirect to the client)',
  },
  invalid_target: {
    status: 400,
    title: 'Invalid target',
    oauth: 'invalid_target',
    description: 'The client asked for a resource (audience) it may not have (RFC 8707).',
    where: '`POST /oauth/token`',
  },
  unauthorized_client: {
    status: 400,
    title: 'Unauthorized client',
    oauth: 'unauthorized_client',
    description: 'The client may not use this grant type.',
    where: '`POST /oauth/token`',
  },
  unsupported_grant_type: {
    status: 400,
    title: 'Unsupported grant type',
    oauth: 'unsupported_grant_type',
    description: 'The `grant_type` is not one the server supports.',
    where: '`POST /oauth/token`',
  },
  unsupported_response_type: {
    status: 400,
    title: 'Unsupported response type',
    oauth: 'unsupported_response_type',
    description: 'The authorization request asks for a `response_type` other than `code`.',
    where: '`GET /oauth/authorize` (a redirect to the client)',
  },
  login_required: {
    status: 400,
    title: 'Login required',
    oauth: 'login_required',
    description:
      '`prompt=none` was sent but the user must sign in first (no session, or `max_age` passed).',
    where: '`GET /oauth/authorize` (a redirect to the client)',
  },
  consent_required: {
    status: 400,
    title: 'Consent required',
    oauth: 'consent_required',
    description: '`prompt=none` was sent but the user has not allowed the client these scopes.',
    where: '`GET /oauth/authorize` (a redirect to the client)',
  },
  access_denied: {
    status: 403,
    title: 'Access denied',
    oauth: 'access_denied',
    description: 'The user chose **Deny** on the consent page.',
    where: '`POST /oauth/authorize` (a redirect to the client)',
  },
  request_not_supported: {
    status: 400,
    title: 'Request object not supported',
    oauth: 'request_not_supported',
    description: 'The authorization request carries a `request` object (OpenID Connect Core §6).',
    where: '`GET /oauth/authorize` (a redirect to the client)',
  },
  request_uri_not_supported: {
    status: 400,
    title: 'Request URI not supported',
    oauth: 'request_uri_not_supported',
    description: 'The authorization request carries a `request_uri` (OpenID Connect Core §6).',
    where: '`GET /oauth/authorize` (a redirect to the client)',
  },
  invalid_redirect_uri: {
    status: 400,
    title: 'Invalid redirect URI',
    oauth: 'invalid_request',
    description:
      'The authorization or logout request names a client that is unknown, or a redirect URI not registered for it: shown on an error page, never redirected to.',
    where: '`GET /oauth/authorize`, `GET /oauth/logout` (an error page)',
  },
  password_tokens_disabled: {
    status: 403,
    title: 'Password tokens disabled',
    oauth: 'unauthorized_client',
    oauthStatus: 400,
    description:
      '`POST /auth/token` with a password is switched off (`TESSERA_PASSWORD_TOKENS=off`), or the request names a client other than the built-in first-party one (RFC 9700 §2.4).',
    where: '`POST /auth/token`',
  },
  insufficient_scope: {
    status: 403,
    title: 'Insufficient scope',
    oauth: 'invalid_request',
    challenge: 'insufficient_scope',
    description: 'The credential is valid but lacks a scope the route requires.',
    where: 'the middleware with `scopes`, `GET /auth/revocations`',
  },
  admin_required: {
    status: 403,
    title: 'Administrators only',
    oauth: 'access_denied',
    oauthStatus: 403,
    description: 'The signed-in user does not have the admin role the admin console requires.',
    where: '`/admin` pages',
  },
  csrf: {
    status: 403,
    title: 'Cross-site request refused',
    oauth: 'invalid_request',
    oauthStatus: 403,
    description:
      'A cookie-authenticated unsafe request lacks the CSRF token, or comes from an origin that is not allowed.',
    where:
      'cookie-authenticated `POST`/`PUT`/`PATCH`/`DELETE`; `POST /oauth/token` with the refresh cookie; the middleware',
  },
  not_found: {
    status: 404,
    title: 'Not found',
    oauth: 'invalid_request',
    description: 'No such route, or no such session or client of the caller.',
    where: 'any path; `DELETE /auth/sessions/{id}`; `tessera clients delete`',
  },
  request_timeout: {
    status: 408,
    title: 'Request timeout',
    oauth: 'invalid_request',
    description: 'The request was not received in time.',
    where: 'any endpoint (HTTP parser)',
  },
  email_taken: {
    status: 409,
    title: 'Email taken',
    oauth: 'invalid_request',
    description: 'An account with this email already exists.',
    where: '`POST /auth/signup`',
  },
  payload_too_large: {
    status: 413,
    title: 'Payload too large',
    oauth: 'invalid_request',
    oauthStatus: 413,
    description: 'The body is larger than allowed.',
    where: 'any endpoint that takes a body',
  },
  uri_too_long: {
    status: 414,
    title: 'URI too long',
    oauth: 'invalid_request',
    description: 'A path segment is longer than allowed.',
    where: 'any endpoint (router)',
  },
  unsupported_media_type: {
    status: 415,
    title: 'Unsupported media type',
    oauth: 'invalid_request',
    oauthStatus: 415,
    description: 'The body’s content type is not the one the endpoint takes.',
    where: 'any endpoint that takes a body',
  },
  rate_limited: {
    status: 429,
    title: 'Too many requests',
    oauth: 'slow_down',
    description: 'Too many attempts; `Retry-After` says when to try again.',
    where: '`POST /auth/signup`, `POST /auth/session`, `POST /auth/token`',
  },
  busy: {
    status: 503,
    title: 'Busy',
    oauth: 'temporarily_unavailable',
    description:
      'Too many password hashes are running or waiting; nothing was done. `Retry-After` says when to try again.',
    where:
      '`POST /auth/signup`, `POST /auth/session`, `POST /auth/token`, `POST /auth/password`, password reset, the sign-in and sign-up pages',
  },
  headers_too_large: {
    status: 431,
    title: 'Request header fields too large',
    oauth: 'invalid_request',
    description: 'The request headers are larger than allowed.',
    where: 'any endpoint (HTTP parser)',
  },
  internal: {
    status: 500,
    title: 'Internal error',
    oauth: 'server_error',
    description: 'An unexpected failure; it is logged, and the answer says nothing more.',
    where: 'anywhere',
  },
  invalid_config: {
    status: 500,
    title: 'Invalid configuration',
    oauth: 'server_error',
    description:
      'Bad options or undecryptable keys at start-up; never an HTTP answer (the CLI exits 2).',
    where: '`tessera serve` and the other commands, `createVerifier`, key import and decryption',
  },
  store_unavailable: {
    status: 503,
    title: 'Service unavailable',
    oauth: 'temporarily_unavailable',
    description: 'A store (SQL, Redis) cannot be reached; nothing was written.',
    where: 'any endpoint that needs a store; `GET /readyz`',
  },
  audit_unavailable: {
    status: 503,
    title: 'Audit log unavailable',
    oauth: 'temporarily_unavailable',
    description:
      'The audit store refuses writes (events wait in memory and are retried) or the queue is full (new events are dropped and counted); requests still answer normally.',
    where: '`GET /readyz` only',
  },
  revocation_unavailable: unavailable(
    'The verifier’s revocation state is stale or the feed is down: it refuses rather than trust it.',
    '`verifier.verify`, the middleware (with `Retry-After`)',
  ),
  jwks_unavailable: unavailable(
    'The JWKS or the issuer’s metadata cannot be fetched.',
    '`createVerifier`, `verifier.verify`, the middleware (with `Retry-After`)',
  ),
  session_unavailable: unavailable(
    'The session check against Tessera could not be made or answered unexpectedly.',
    'the middleware with `accept: session | either` (with `Retry-After`)',
  ),
} as const satisfies Record<string, ErrorEntry>;

/** A stable, machine-readable error code. */
export type ErrorCode = keyof typeof errorRegistry;

/** Every code, in registry order. */
export const errorCodes = Object.keys(errorRegistry) as ErrorCode[];

/** The registry entry of `code`. */
export function entryOf(code: ErrorCode): ErrorEntry {
  return errorRegistry[code];
}
