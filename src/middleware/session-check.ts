/**
 * The session side of the middleware: a session cookie is only meaningful to the Tessera server
 * that issued it, so it is checked there (`GET ${issuer}/auth/session` with the cookie
 * forwarded). The answer may be cached for a very short time — off by default, since the point
 * of a session is that revoking it takes effect at once. Anything but a clear yes or no fails
 * closed with `session_unavailable`.
 */
import { TesseraError } from '../core/errors.js';
import { sha256Hex } from '../core/random.js';
import { errorSummary, type Fetch } from '../verify/http.js';

/** Who a valid session cookie belongs to. */
export interface SessionIdentity {
  /** The user id. */
  userId: string;
  /** Scopes the session grants. A first-party Tessera session grants none. */
  scopes?: readonly string[];
  /** The session's CSRF token: when set, unsafe requests must echo it in `X-CSRF-Token`. */
  csrfToken?: string;
  /** Whatever else the check returned (from Tessera: `{ user, session }`). */
  details?: unknown;
}

/** Resolves with the identity of a valid session cookie, `undefined` for an invalid one. */
export type SessionCheck = (cookieValue: string) => Promise<SessionIdentity | undefined>;

/** How sessions are checked against Tessera. */
export interface TesseraSessionOptions {
  /** The Tessera server. */
  issuer: string;
  /** The cookie name; defaults to `__Host-tessera_session` for an https issuer, else `tessera_session`. */
  cookieName?: string;
  /** How long an answer is reused, 0–5000 ms; 0 (the default) asks every time. */
  cacheMs?: number;
  fetch?: Fetch;
  /** Deadline of one check; defaults to 5 s. */
  timeoutMs?: number;
}

/** The session cookie's name for a Tessera at `issuer` (as src/server/plugins/cookies.ts names it). */
export function defaultCookieName(issuer: string): string {
  return new URL(issuer).protocol === 'https:' ? '__Host-tessera_session' : 'tessera_session';
}

// Answers kept at most; a bounded map, emptied when full.
const maxCached = 10_000;

/** A SessionCheck that asks Tessera. */
export function tesseraSessionCheck(options: TesseraSessionOptions): SessionCheck {
  const url = `${options.issuer.replace(/\/+$/, '')}/auth/session`;
  const name = options.cookieName ?? defaultCookieName(options.issuer);
  const cacheMs = options.cacheMs ?? 0;
  if (!(cacheMs >= 0 && cacheMs <= 5_000)) throw new RangeError('cacheMs must be from 0 to 5000');
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const cache = new Map<string, { until: number; identity: SessionIdentity | undefined }>();

  const ask = async (value: string): Promise<SessionIdentity | undefined> => {
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method: 'GET',
        headers: { accept: 'application/json', cookie: `${name}=${value}` },
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new TesseraError(
        'session_unavailable',
        `the session could not be checked (${errorSummary(error)})`,
      );
    }
    if (response.status === 401) {
      await response.body?.cancel().catch(() => undefined);
      return undefined;
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      throw new TesseraError(
        'session_unavailable',
        `the session check answered ${response.status}`,
      );
    }
    const body = (await response.json().catch(() => undefined)) as
      { user?: { id?: unknown }; session?: unknown; csrfToken?: unknown } | undefined;
    const userId = body?.user?.id;
    const csrfToken = body?.csrfToken;
    if (typeof userId !== 'string' || userId === '' || typeof csrfToken !== 'string') {
      throw new TesseraError(
        'session_unavailable',
        'the session check answered in an unexpected shape',
      );
    }
    return { userId, scopes: [], csrfToken, details: { user: body?.user, session: body?.session } };
  };

  if (cacheMs === 0) return ask;
  return async (value) => {
    // Keyed by a hash: the map never holds a usable credential.
    const key = sha256Hex(value);
    const now = performance.now();
    const hit = cache.get(key);
    if (hit !== undefined && hit.until > now) return hit.identity;
    const identity = await ask(value);
    if (cache.size >= maxCached) cache.clear();
    cache.set(key, { until: now + cacheMs, identity });
    return identity;
  };
}
