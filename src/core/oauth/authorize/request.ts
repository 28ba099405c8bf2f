/**
 * The parameters of an authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, OpenID Connect
 * Core §3.1.2.1), checked in two steps. First where an answer may go: the client and its
 * redirect URI, which when wrong are shown on an error page and never redirected to (RFC 6749
 * §4.1.2.1). Then everything else, whose failures are thrown as TesseraErrors that the caller
 * sends back to the (now trusted) redirect URI.
 */
import { TesseraError } from '../../errors.js';
import { isRegisteredRedirectUri } from './redirect-uri.js';
import type { ClientRecord } from '../../../stores/ports.js';
import type { AuthorizeParams } from './outcome.js';

/** The grant whose clients may use the authorization endpoint. */
export const AUTHORIZATION_CODE = 'authorization_code';

/**
 * The internal parameter a `login` outcome adds: the sign-in must have happened at or after
 * this instant (ms). It is how `prompt=login` and `max_age` are satisfied once the user has
 * signed in again, without asking a second time.
 */
export const AUTH_AFTER = 'auth_after';

/** Scopes of OpenID Connect Core §5.4 / §11 every client with the flow may ask for. */
const OPENID_SCOPES = ['openid', 'profile', 'email'];

/** RFC 7636 §4.2: BASE64URL(SHA-256(verifier)) is always 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

const PROMPTS = new Set(['none', 'login', 'consent']);

/** Where the answer to a request goes: a known client and one of its registered redirect URIs. */
export interface Target {
  client: ClientRecord;
  redirectUri: string;
  state: string | undefined;
}

/** A request that passed every check. */
export interface AuthorizeRequest extends Target {
  scopes: string[];
  codeChallenge: string;
  nonce: string | undefined;
  prompt: ReadonlySet<string>;
  /** OpenID Connect `max_age`, seconds. */
  maxAge: number | undefined;
  /** The internal AUTH_AFTER marker, ms. */
  authAfter: number | undefined;
}

/**
 * The client and redirect URI of a request, or the reason they cannot be trusted (an
 * `invalid_redirect_uri` TesseraError, for the error page). The redirect URI is always required:
 * OpenID Connect Core §3.1.2.1 requires it, and it leaves nothing to guess.
 */
export function checkTarget(
  params: AuthorizeParams,
  client: ClientRecord | undefined,
): Target | TesseraError {
  if (params.client_id === undefined || params.client_id === '') {
    return new TesseraError('invalid_redirect_uri', 'the request names no client (client_id)');
  }
  if (client === undefined) {
    return new TesseraError('invalid_redirect_uri', 'the client is not registered here');
  }
  const redirectUri = params.redirect_uri;
  if (redirectUri === undefined || redirectUri === '') {
    return new TesseraError('invalid_redirect_uri', 'the request names no redirect_uri');
  }
  if (!isRegisteredRedirectUri(client.redirectUris, redirectUri)) {
    return new TesseraError(
      'invalid_redirect_uri',
      'the redirect_uri is not one registered for this client',
    );
  }
  return { client, redirectUri, state: params.state };
}

/** Checks the rest of the request; throws the TesseraError to send to the redirect URI. */
export function checkRequest(params: AuthorizeParams, target: Target): AuthorizeRequest {
  const { client } = target;
  if (params.response_type === undefined) {
    throw new TesseraError('invalid_request', 'response_type is missing');
  }
  if (params.response_type !== 'code') {
    // RFC 9700 §2.1.2: no implicit or hybrid flow; the code flow only.
    throw new TesseraError('unsupported_response_type', 'response_type must be "code"');
  }
  if (!client.grants.includes(AUTHORIZATION_CODE)) {
    throw new TesseraError(
      'unauthorized_client',
      'the client may not use the authorization code flow',
    );
  }
  const codeChallenge = checkPkce(params);
  if (params.request !== undefined) {
    throw new TesseraError('request_not_supported', 'request objects are not supported');
  }
  if (params.request_uri !== undefined) {
    throw new TesseraError('request_uri_not_supported', 'request_uri is not supported');
  }
  return {
    ...target,
    scopes: checkScopes(params.scope, client),
    codeChallenge,
    nonce: params.nonce === '' ? undefined : params.nonce,
    prompt: checkPrompt(params.prompt),
    maxAge: wholeNumber(params.max_age, 'max_age'),
    authAfter: wholeNumber(params[AUTH_AFTER], AUTH_AFTER),
  };
}

/** RFC 9700 §2.1.1: PKCE for every client, S256 only (a missing method means plain, refused). */
function checkPkce(params: AuthorizeParams): string {
  const challenge = params.code_challenge;
  if (challenge === undefined || challenge === '') {
    throw new TesseraError('invalid_request', 'code_challenge is required (PKCE, RFC 7636)');
  }
  if (params.code_challenge_method !== 'S256') {
    throw new TesseraError('invalid_request', 'code_challenge_method must be S256');
  }
  if (!S256_CHALLENGE.test(challenge)) {
    throw new TesseraError('invalid_request', 'code_challenge is not an S256 challenge');
  }
  return challenge;
}

/**
 * The scopes asked for, each one the client may have; none asked means the client's scopes.
 * `openid`, `profile` and `email` are every flow client's; `offline_access` (a refresh token) is
 * for clients that may refresh; anything else must be registered for the client.
 */
function checkScopes(scope: string | undefined, client: ClientRecord): string[] {
  const asked = [...new Set((scope ?? '').split(' ').filter((item) => item !== ''))];
  const scopes = asked.length === 0 ? client.scopes : asked;
  const refused = scopes.filter((item) => !scopeAllowed(item, client));
  if (refused.length > 0) {
    throw new TesseraError('invalid_scope', `the client may not ask for: ${refused.join(' ')}`);
  }
  return scopes;
}

function scopeAllowed(scope: string, client: ClientRecord): boolean {
  if (OPENID_SCOPES.includes(scope)) return true;
  if (scope === 'offline_access') return client.grants.includes('refresh_token');
  return client.scopes.includes(scope);
}

/** OpenID Connect Core §3.1.2.1 `prompt`: none, login, consent; none stands alone. */
function checkPrompt(prompt: string | undefined): ReadonlySet<string> {
  const values = new Set((prompt ?? '').split(' ').filter((item) => item !== ''));
  for (const value of values) {
    if (!PROMPTS.has(value)) {
      throw new TesseraError('invalid_request', `prompt "${value}" is not supported`);
    }
  }
  if (values.has('none') && values.size > 1) {
    throw new TesseraError('invalid_request', 'prompt=none cannot be combined with another value');
  }
  return values;
}

function wholeNumber(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const value = /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value)) {
    throw new TesseraError('invalid_request', `${name} must be a non-negative whole number`);
  }
  return value;
}
