/**
 * The session side of the middleware: a session cookie is only meaningful to the Tessera server
 * that issued it, so it is checked there (`GET ${issuer}/auth/session` with the cookie
 * forwarded). The answer may be cached for a very short time — off by default, since the point
 * of a session is that revoking it takes effect at once. Given a verifier that follows the
 * revocation feed, a positive answer is kept much longer instead, since the feed says when the
 * session ends (session-cache.ts). Anything but a clear yes or no fails closed with
 * `session_unavailable`.
 */
import { TesseraError } from '../core/errors.js';
import { sha256Hex } from '../core/random.js';
import { errorSummary, type ClientCredentials, type Fetch } from '../verify/http.js';
import { SessionCache } from './session-cache.js';
import type { Verifier } from '../verify/verifier.js';

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

/** The check `tesseraSessionCheck` builds; `close` stops its activity reports. */
export type TesseraSessionCheck = SessionCheck & { close(): Promise<void> };

/** Default bound on keeping a session answer (the session's idle deadline may come first). */
export const defaultMaxSessionCacheMs = 60_000;
/** Default period of activity reports: Tessera's default session touch interval. */
export const defaultReportEveryMs = 60_000;

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
  /**
   * A verifier following Tessera's revocations: positive answers are then kept until the feed
   * ends the session, its idle deadline, or `maxCacheMs`; while the feed is stale Tessera is
   * asked every time. Its revocations must not be 'off'.
   */
  verifier?: Pick<Verifier, 'sessionRevocations'>;
  /** With a verifier: how long an answer is kept at most; defaults to 60 s. */
  maxCacheMs?: number;
  /**
   * With a verifier: the client (scope `tessera:revocations`) that reports the use of kept
   * sessions to Tessera; defaults to the verifier's feed client.
   */
  reporter?: ClientCredentials;
  /** With a verifier: how often use is reported; defaults to 60 s (Tessera's touch interval). */
  reportEveryMs?: number;
}

/** The session cookie's name for a Tessera at `issuer` (as src/server/plugins/cookies.ts names it). */
export function defaultCookieName(issuer: string): string {
  return new URL(issuer).protocol === 'https:' ? '__Host-tessera_session' : 'tessera_session';
}

// Answers kept at most; a bounded map, emptied when full.
const maxCached = 10_000;

/** A SessionCheck that asks Tessera (and, given a verifier, keeps answers the feed vouches for). */
export function tesseraSessionCheck(options: TesseraSessionOptions): TesseraSessionCheck {
  const base = options.issuer.replace(/\/+$/, '');
  const url = `${base}/auth/session`;
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

  if (options.verifier !== undefined) {
    const cached = feedCache(options, `${base}/auth/sessions/activity`, fetchImpl, timeoutMs);
    const check: SessionCheck = async (value) => {
      if (!cached.usable) return ask(value);
      const key = sha256Hex(value);
      const hit = cached.get(key);
      if (hit !== undefined) return hit;
      const identity = await ask(value);
      if (identity !== undefined) cached.set(key, identity);
      return identity;
    };
    return Object.assign(check, { close: () => cached.close() });
  }
  const close = async () => {};
  if (cacheMs === 0) return Object.assign(ask, { close });
  const check: SessionCheck = async (value) => {
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
  return Object.assign(check, { close });
}

function feedCache(
  options: TesseraSessionOptions,
  activityUrl: string,
  fetchImpl: Fetch,
  timeoutMs: number,
): SessionCache {
  const revocations = options.verifier?.sessionRevocations;
  if (revocations === undefined) {
    throw new TypeError('the session check needs a verifier whose revocations are not off');
  }
  const reporter = options.reporter ?? revocations.credentials;
  if (reporter === undefined) {
    // Uses served locally must reach Tessera, or its idle expiry would end active sessions.
    throw new TypeError('the session check needs a reporter: the verifier reads no feed');
  }
  const maxCacheMs = options.maxCacheMs ?? defaultMaxSessionCacheMs;
  const reportEveryMs = options.reportEveryMs ?? defaultReportEveryMs;
  if (!(maxCacheMs > 0 && Number.isFinite(maxCacheMs)))
    throw new RangeError('maxCacheMs must be a positive number');
  if (!(reportEveryMs > 0 && Number.isFinite(reportEveryMs)))
    throw new RangeError('reportEveryMs must be a positive number');
  return new SessionCache({
    revocations,
    maxCacheMs,
    activityUrl,
    reporter,
    reportEveryMs,
    fetch: fetchImpl,
    timeoutMs,
  });
}
