/**
 * What the authorization endpoint (RFC 6749 §3.1, OpenID Connect Core §3.1.2) decides, before it
 * becomes HTTP: the core decides, the server turns each outcome into a page or a redirect.
 */
import type { ClientRecord } from '../../../stores/ports.js';

/**
 * The request's parameters, single-valued (a repeated parameter is refused before this, RFC 6749
 * §3.1), exactly as received.
 */
export type AuthorizeParams = Readonly<Record<string, string>>;

/** Who is signed in at the browser making the request, if anyone. */
export interface SignedIn {
  userId: string;
  /** The session's public id (the ID token's `sid`). */
  sessionId: string;
  /** When the user signed in for this session (ms): the ID token's `auth_time`. */
  authTime: number;
}

/**
 * One outcome:
 * - `error-page`: the client or the redirect URI could not be trusted, so the error is shown to
 *   the user (status 400) and never sent anywhere (RFC 6749 §4.1.2.1).
 * - `redirect`: back to the client, with `code`, `state` and `iss`, or with `error`,
 *   `error_description`, `state` and `iss` (RFC 9207). `to` is the full URL.
 * - `login`: the user must sign in first (no session, `prompt=login`, or `max_age` passed); after
 *   signing in, the browser comes back to the authorization endpoint with `params`.
 * - `consent`: the user must allow the client the scopes first; the consent form sends `params`
 *   back with the user's decision.
 */
export type AuthorizeOutcome =
  | { kind: 'error-page'; error: string; description: string }
  | { kind: 'redirect'; to: string }
  | { kind: 'login'; params: AuthorizeParams }
  | { kind: 'consent'; client: ClientRecord; scopes: string[]; params: AuthorizeParams };
