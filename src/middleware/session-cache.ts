/**
 * Session answers kept while the revocation feed vouches for them. A positive answer of
 * `GET /auth/session` is kept (keyed by the cookie's SHA-256, never the cookie) until the
 * session's idle deadline or `maxCacheMs`, whichever comes first, and dropped as soon as the
 * feed names the session (`sid`, its public id) or raises its user's cutoff past its creation.
 * While the feed is stale nothing is answered from here (fail closed: Tessera is asked each
 * time, as `verify` refuses tokens). Uses served from here are reported to Tessera in batches,
 * off the request's path, so the server's idle expiry still sees them.
 */
import { basicAuthorization, type ClientCredentials, type Fetch } from '../verify/http.js';
import type { SessionFacts, SessionRevocations } from '../verify/session-revocations.js';
import type { SessionIdentity } from './session-check.js';

/** Entries kept at most; a full cache is emptied (then refilled by asking Tessera). */
const maxEntries = 10_000;
/** Sessions one report names at most (the server's cap, MAX_ACTIVITY_BATCH). */
const maxBatch = 100;

interface Entry {
  identity: SessionIdentity;
  facts: SessionFacts;
  /** Epoch ms (verifier clock) after which Tessera is asked again. */
  until: number;
}

/** The options the cache needs, already checked. */
export interface SessionCacheOptions {
  revocations: SessionRevocations;
  maxCacheMs: number;
  /** `${issuer}/auth/sessions/activity`. */
  activityUrl: string;
  reporter: ClientCredentials;
  reportEveryMs: number;
  fetch: Fetch;
  timeoutMs: number;
}

/** A cache of session answers tied to one verifier's revocation state. */
export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly keyBySid = new Map<string, string>();
  /** Sessions served from here since the last report: public id → user and last use. */
  private activity = new Map<string, { userId: string; lastSeenAt: number }>();
  private readonly timer: NodeJS.Timeout;
  private readonly unsubscribe: () => void;

  constructor(private readonly options: SessionCacheOptions) {
    this.unsubscribe = options.revocations.subscribe((revocation) => {
      if (revocation.kind === 'sid') {
        const key = this.keyBySid.get(revocation.value);
        if (key !== undefined) this.drop(key);
      } else if (revocation.kind === 'user') {
        for (const [key, entry] of this.entries) {
          if (entry.facts.userId === revocation.value && entry.facts.createdAt <= revocation.at)
            this.drop(key);
        }
      }
    });
    this.timer = setInterval(() => void this.report(), options.reportEveryMs);
    this.timer.unref();
  }

  /** True while answers may be served from here. */
  get usable(): boolean {
    if (this.options.revocations.isLive()) return true;
    // Events may be missed while stale: nothing kept from before can be trusted afterwards.
    if (this.entries.size > 0) this.clear();
    return false;
  }

  /** The kept answer for the cookie hash `key`, if it still stands; records the use. */
  get(key: string): SessionIdentity | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    const now = this.options.revocations.clock.now();
    if (now >= entry.until || this.options.revocations.revokes(entry.facts)) {
      this.drop(key);
      return undefined;
    }
    if (this.activity.size < maxEntries || this.activity.has(entry.facts.id)) {
      this.activity.set(entry.facts.id, { userId: entry.facts.userId, lastSeenAt: now });
    }
    return entry.identity;
  }

  /** Keeps a positive answer that Tessera just gave, unless the feed already ended it. */
  set(key: string, identity: SessionIdentity): void {
    const facts = factsOf(identity);
    if (facts === undefined) return; // an answer without session times is never kept
    const { revocations, maxCacheMs } = this.options;
    if (!revocations.isLive() || revocations.revokes(facts)) return;
    const until = Math.min(facts.idleDeadline, revocations.clock.now() + maxCacheMs);
    if (this.entries.size >= maxEntries) this.clear();
    this.drop(key);
    this.entries.set(key, { identity, facts, until });
    this.keyBySid.set(facts.id, key);
  }

  /** Stops the reports (after sending what is pending). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.unsubscribe();
    this.clear();
    await this.report();
  }

  /** Sends the pending activity; a failed batch is kept for the next round. */
  async report(): Promise<void> {
    if (this.activity.size === 0) return;
    const pending = this.activity;
    this.activity = new Map();
    const all = [...pending];
    for (let i = 0; i < all.length; i += maxBatch) {
      const batch = all.slice(i, i + maxBatch);
      if (!(await this.send(batch))) {
        for (const [id, seen] of batch) {
          const newer = this.activity.get(id);
          if (newer === undefined || newer.lastSeenAt < seen.lastSeenAt)
            this.activity.set(id, seen);
        }
      }
    }
  }

  private async send(
    batch: Array<[string, { userId: string; lastSeenAt: number }]>,
  ): Promise<boolean> {
    const { fetch, activityUrl, reporter, timeoutMs } = this.options;
    try {
      const response = await fetch(activityUrl, {
        method: 'POST',
        headers: {
          authorization: basicAuthorization(reporter),
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: JSON.stringify({
          sessions: batch.map(([id, seen]) => ({
            id,
            userId: seen.userId,
            lastSeenAt: new Date(seen.lastSeenAt).toISOString(),
          })),
        }),
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel().catch(() => undefined);
      // A refused report (400, 403) would be refused again: only a 5xx is retried.
      return response.status < 500;
    } catch {
      return false;
    }
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    if (this.keyBySid.get(entry.facts.id) === key) this.keyBySid.delete(entry.facts.id);
  }

  private clear(): void {
    this.entries.clear();
    this.keyBySid.clear();
  }
}

/** The session's public id, creation and idle deadline from Tessera's answer. */
function factsOf(identity: SessionIdentity): (SessionFacts & { idleDeadline: number }) | undefined {
  const session = (identity.details as { session?: Record<string, unknown> } | undefined)?.session;
  const id = session?.id;
  const createdAt = Date.parse(String(session?.createdAt));
  const idleDeadline = Date.parse(String(session?.expiresAt));
  if (typeof id !== 'string' || id === '' || !Number.isFinite(createdAt)) return undefined;
  if (!Number.isFinite(idleDeadline)) return undefined;
  return { id, userId: identity.userId, createdAt, idleDeadline };
}
