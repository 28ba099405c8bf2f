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

/**
 * RP-initiated logout's parameters (OpenID Connect RP-Initiated Logout 1.0 §2): `id_token_hint`,
 * `post_logout_redirect_uri`, `state`, `client_id`, single-valued, as received.
 */
export type LogoutParams = Readonly<Record<string, string>>;

/**
 * What the end-session endpoint decides:
 * - `error-page`: a hint or a post-logout URI that cannot be trusted; shown, never redirected to.
 * - `confirm`: nothing proves the client speaks for this session (no valid hint naming it), so the
 *   user is asked (a form that posts `params` back with the CSRF token); `clientName` when known.
 * - `done`: the session (if any) has ended and the refresh families of its sign-ins are revoked;
 *   the server clears the cookie, then redirects to `redirectTo` (with `state`), or shows the
 *   signed-out page when it is undefined.
 */
export type LogoutOutcome =
  | { kind: 'error-page'; error: string; description: string }
  | { kind: 'confirm'; params: LogoutParams; clientName: string | undefined }
  | { kind: 'done'; redirectTo: string | undefined };
