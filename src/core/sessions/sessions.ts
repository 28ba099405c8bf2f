import { TesseraError } from '../errors.js';
import { randomToken, sha256Hex } from '../random.js';
import type { CoreDeps } from '../deps.js';
import type { SessionNearCache } from './near-cache.js';
import type { Revocations } from '../revocation/revocations.js';
import type { SessionRecord, UserRecord } from '../../stores/ports.js';

/** A session id is 32 random bytes, base64url: 43 characters. Anything else is not one. */
const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const MAX_USER_AGENT = 512;

/** A session just created: the secret goes into the cookie and nowhere else. */
export interface NewSession {
  secret: string;
  session: SessionRecord;
}

/** A session that passed validation, with its user. */
export interface ValidSession {
  session: SessionRecord;
  user: UserRecord;
}

/** Where a login comes from, kept with the session so its owner can recognise it. */
export interface SessionOrigin {
  userAgent: string;
  ip: string;
}

/** One session's last use, as a verifier that served it from its cache reports it. */
export interface SessionActivity {
  /** The session's public id. */
  id: string;
  /** Its user, as the session check answered it. */
  userId: string;
  lastSeenAt: number;
}

/**
 * Server-side sessions: created at login, checked on every request, listed and revoked. Every
 * revocation is published on the revocation feed (kind `sid`, the public id), so services that
 * cache session answers (middleware/session-check.ts) drop them.
 */
export class Sessions {
  constructor(
    private readonly deps: CoreDeps,
    private readonly cache?: SessionNearCache,
    private readonly revocations?: Pick<Revocations, 'revokeSession'>,
  ) {}

  /** Starts a new session with fresh random ids (never reusing one: no fixation). */
  async create(userId: string, origin: SessionOrigin): Promise<NewSession> {
    const now = this.deps.clock.now();
    const secret = randomToken(32);
    const session: SessionRecord = {
      id: randomToken(16),
      secretHash: sha256Hex(secret),
      userId,
      createdAt: now,
      lastSeenAt: now,
      absoluteExpiresAt: now + this.deps.policy.session.absoluteMs,
      userAgent: origin.userAgent.slice(0, MAX_USER_AGENT),
      ip: origin.ip,
      csrfSecret: randomToken(32),
    };
    await this.deps.stores.sessions.insert(session);
    this.deps.audit.record('session.created', {
      subjectId: userId,
      actorId: userId,
      details: { sessionId: session.id },
    });
    return { secret, session };
  }

  /**
   * Validates the secret from a cookie: it must be a live session (neither idle nor past its
   * absolute expiry, its user still there). Records activity at most once per
   * `touchMs`, so a busy session does not write on every request.
   */
  async validate(secret: string): Promise<ValidSession> {
    return this.cached(secret) ?? this.fromStore(secret);
  }

  /**
   * The near cache's answer for `secret`, at once (no store read, no promise: the hot path of a
   * session check), or `undefined` when it has none; then `fromStore` decides. The near cache
   * answers only what the store would: a live session that needs no touch yet.
   */
  cached(secret: string): ValidSession | undefined {
    if (this.cache === undefined || !SECRET_SHAPE.test(secret)) return undefined;
    const now = this.deps.clock.now();
    const cached = this.cache.get(sha256Hex(secret), now);
    if (
      cached &&
      now < this.expiresAt(cached.session) &&
      now - cached.session.lastSeenAt < this.deps.policy.session.touchMs
    ) {
      return cached;
    }
    return undefined;
  }

  /**
   * `validate` by the store, the authority (expiry, a due touch, a session the near cache does
   * not hold); the answer is then kept in the near cache.
   */
  async fromStore(secret: string): Promise<ValidSession> {
    const { stores, clock, policy } = this.deps;
    if (!SECRET_SHAPE.test(secret)) throw unauthenticated();
    const secretHash = sha256Hex(secret);
    const now = clock.now();
    // The session and its user in one round trip (SQL joins them; Redis still reads twice).
    const found = await stores.sessions.findBySecretHashWithUser(secretHash, stores.users);
    if (!found) throw unauthenticated();
    const { session, user } = found;
    if (now >= this.expiresAt(session)) {
      await stores.sessions.deleteForUser(session.userId, session.id);
      await this.cache?.invalidate({ kind: 'session', id: session.id });
      throw new TesseraError('session_expired', 'the session has expired; log in again');
    }
    // Sessions are revoked by deletion; the per-user cutoff governs tokens (see Accounts).
    if (!user) {
      if (await stores.sessions.deleteForUser(session.userId, session.id)) {
        await this.revocations?.revokeSession(session.id, session.absoluteExpiresAt);
      }
      throw unauthenticated();
    }
    if (now - session.lastSeenAt >= policy.session.touchMs) {
      session.lastSeenAt = now;
      await stores.sessions.touch(session.userId, session.id, now);
    }
    this.cache?.set({ session, user }, now);
    return { session, user };
  }

  /** When the session ends if it stays unused: the earlier of idle and absolute expiry. */
  expiresAt(session: SessionRecord): number {
    return Math.min(
      session.absoluteExpiresAt,
      session.lastSeenAt + this.deps.policy.session.idleMs,
    );
  }

  /** The user's live sessions, newest first. */
  async list(userId: string): Promise<SessionRecord[]> {
    const now = this.deps.clock.now();
    const sessions = await this.deps.stores.sessions.listByUser(userId);
    return sessions
      .filter((session) => now < this.expiresAt(session))
      .sort((a, b) => b.createdAt - a.createdAt);
  }

  /** Revokes one of the user's sessions; `not_found` for an id that is not theirs. */
  async revoke(userId: string, id: string): Promise<void> {
    if (!(await this.deps.stores.sessions.deleteForUser(userId, id))) {
      throw new TesseraError('not_found', 'no such session');
    }
    this.deps.audit.record('session.revoked', { subjectId: userId, details: { sessionId: id } });
    await this.cache?.invalidate({ kind: 'session', id });
    // No session outlives now + absoluteMs: a bound that needs no read of the deleted record.
    await this.revocations?.revokeSession(
      id,
      this.deps.clock.now() + this.deps.policy.session.absoluteMs,
    );
  }

  /**
   * Tells every instance that a user record changed (role, enabled, email verified), so no near
   * cache serves the old one: the user's sessions and record are read again on their next use.
   */
  forgetUser(userId: string): Promise<void> {
    return this.cache?.invalidate({ kind: 'user', userId }) ?? Promise.resolve();
  }

  /** Revokes every session of the user except `exceptId` (all of them when it is absent). */
  async revokeAll(userId: string, exceptId?: string): Promise<number> {
    // Read first, to publish each one; one made meanwhile is covered by the user's cutoff
    // (UserRevoker raises it before calling this).
    const doomed = this.revocations
      ? (await this.deps.stores.sessions.listByUser(userId)).filter((s) => s.id !== exceptId)
      : [];
    const count = await this.deps.stores.sessions.deleteAllForUser(userId, exceptId);
    if (count > 0)
      this.deps.audit.record('session.revoked', {
        subjectId: userId,
        details: { count: String(count) },
      });
    await this.cache?.invalidate({ kind: 'user', userId });
    for (const session of doomed) {
      await this.revocations?.revokeSession(session.id, session.absoluteExpiresAt);
    }
    return count;
  }

  /**
   * Records activity that verifiers saw on sessions served from their caches, so idle expiry
   * counts it. Only a live session of the named user is touched (a report never revives an
   * expired one), never past now; unknown ids are ignored. Returns how many were touched.
   */
  async recordActivity(reports: readonly SessionActivity[]): Promise<number> {
    const { stores, clock } = this.deps;
    const now = clock.now();
    const byUser = new Map<string, SessionActivity[]>();
    for (const report of reports) {
      byUser.set(report.userId, [...(byUser.get(report.userId) ?? []), report]);
    }
    let touched = 0;
    for (const [userId, mine] of byUser) {
      const live = new Map((await stores.sessions.listByUser(userId)).map((s) => [s.id, s]));
      for (const report of mine) {
        const session = live.get(report.id);
        if (session === undefined || now >= this.expiresAt(session)) continue;
        const at = Math.min(report.lastSeenAt, now);
        if (at <= session.lastSeenAt) continue;
        await stores.sessions.touch(userId, session.id, at);
        session.lastSeenAt = at;
        touched += 1;
      }
    }
    return touched;
  }

  /** Deletes expired sessions; run periodically by the server. */
  async sweep(): Promise<number> {
    return this.deps.stores.sessions.deleteExpired(
      this.deps.clock.now(),
      this.deps.policy.session.idleMs,
    );
  }
}

function unauthenticated(): TesseraError {
  return new TesseraError('unauthenticated', 'no valid session');
}
