/**
 * Revocation of access tokens. A JWT stays valid until it expires unless something remembers
 * that it should not: this records each revocation durably (and, in later steps, publishes it to
 * every verifier) for exactly as long as a token it affects could still be presented.
 */
import { TesseraError } from '../errors.js';
import type { Clock } from '../clock.js';
import type { LiveRevocations } from './live-state.js';
import type { RevocableClaims } from '../tokens/claims.js';
import type { RevocationEvent, Stores, UserRecord } from '../../stores/ports.js';

/**
 * Listens to every revocation recorded here (the feed and the cache invalidation hook in). A
 * listener that returns a promise (the announcement to other instances) is waited for before the
 * revocation call resolves, so others hold it by the time this instance answers.
 */
export type RevocationListener = (event: RevocationEvent) => unknown;

/** Where user records read on the bearer path are kept (the session near cache). */
export interface UserRecordCache {
  user(userId: string, now: number): UserRecord | undefined;
  keepUser(user: UserRecord, now: number): void;
}

/** Records and checks revocations. */
export class Revocations {
  private readonly listeners = new Set<RevocationListener>();
  private live: LiveRevocations | undefined;

  constructor(
    private readonly stores: Pick<Stores, 'revocations' | 'users'>,
    private readonly clock: Clock,
    /** How long after now an access token issued now can still be accepted (lifetime + skew). */
    private readonly horizonMs: number,
    /** The clock skew verifiers grant on exp: a revoked token must stay denied through it. */
    private readonly skewMs: number,
    /** Keeps the records a trusted live state lets the bearer path skip reading. */
    private readonly userCache?: UserRecordCache,
  ) {}

  /** Denylists one access token until it can no longer verify (`exp` in seconds, plus skew). */
  async revokeToken(jti: string, exp: number): Promise<void> {
    const now = this.clock.now();
    const acceptedUntil = exp * 1000 + this.skewMs;
    if (acceptedUntil <= now) return; // already harmless
    await this.record({ kind: 'jti', value: jti, at: now, expiresAt: acceptedUntil });
  }

  /** Revokes every access token issued from one session or refresh family. */
  async revokeSid(sid: string): Promise<void> {
    const now = this.clock.now();
    await this.record({ kind: 'sid', value: sid, at: now, expiresAt: now + this.horizonMs });
  }

  /** True when a live revocation names the session or refresh family `sid`. */
  isSidRevoked(sid: string): Promise<boolean> {
    // No access token has an empty jti, so the query asks about the sid alone.
    return this.stores.revocations.isRevoked({ jti: '', sid }, this.clock.now());
  }

  /**
   * Revokes every token signed by one key (a compromised key, retired from the key ring). Kept
   * for one token lifetime plus skew, and at least `keepAtLeastMs`: a verifier must refuse the
   * key until its cached JWKS, which may still list the key, has been refetched.
   */
  async revokeKey(kid: string, keepAtLeastMs: number): Promise<void> {
    const now = this.clock.now();
    const keepMs = Math.max(this.horizonMs, keepAtLeastMs);
    await this.record({ kind: 'kid', value: kid, at: now, expiresAt: now + keepMs });
  }

  /**
   * Revokes every access token of a user issued until now, by raising the per-user cutoff that
   * checks compare `iat` against, and publishes the cutoff.
   */
  async revokeUser(userId: string): Promise<void> {
    const now = this.clock.now();
    await this.stores.users.setTokensValidAfter(userId, now);
    await this.record({ kind: 'user', value: userId, at: now, expiresAt: now + this.horizonMs });
  }

  /**
   * Checks in memory, with `live`, while it holds every revocation (live-state.ts), and tells it
   * of this instance's revocations as soon as they are recorded.
   */
  follow(live: LiveRevocations): void {
    this.live = live;
  }

  /**
   * Throws `token_revoked` when the token, its session/family or its user's cutoff says so.
   * `iat` has whole seconds: a token issued in the same second as a cutoff counts as before it
   * (fail closed); the issuer avoids that case by never dating a token before the cutoff.
   * Returns the user of a user token (read once here, so callers need not read it again); with
   * `withUser: false` and the live state trusted, no store is read at all.
   */
  async check(
    claims: RevocableClaims,
    { withUser = true }: { withUser?: boolean } = {},
  ): Promise<UserRecord | undefined> {
    const live = this.live;
    if (live?.live) {
      live.state.check(claims); // jti, sid and the user's cutoff, from the feed
      if (claims.sid === undefined || !withUser) return undefined;
      // The caller needs the record: kept, or one read (its cutoff is checked again for free).
      const now = this.clock.now();
      const kept = this.userCache?.user(claims.sub, now);
      if (kept !== undefined && claims.iat * 1000 >= kept.tokensValidAfter) return kept;
      const user = await this.userOf(claims);
      this.userCache?.keepUser(user, now);
      return user;
    }
    live?.retry();
    const now = this.clock.now();
    if (
      await this.stores.revocations.isRevoked(
        { jti: claims.jti, ...(claims.sid === undefined ? {} : { sid: claims.sid }) },
        now,
      )
    ) {
      throw new TesseraError('token_revoked', 'the access token has been revoked');
    }
    if (claims.sid === undefined) return undefined; // a client-credentials token has no user
    return this.userOf(claims);
  }

  /** Calls `listener` with every revocation recorded by this process. */
  subscribe(listener: RevocationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Deletes revocations that can no longer affect any token (in memory too). */
  sweep(): Promise<number> {
    this.live?.state.prune();
    return this.stores.revocations.deleteExpired(this.clock.now());
  }

  private async userOf(claims: RevocableClaims): Promise<UserRecord> {
    const user = await this.stores.users.findById(claims.sub);
    if (user === undefined || claims.iat * 1000 < user.tokensValidAfter) {
      throw new TesseraError('token_revoked', 'the access token has been revoked');
    }
    return user;
  }

  private async record(revocation: Parameters<Stores['revocations']['add']>[0]): Promise<void> {
    const event = await this.stores.revocations.add(revocation);
    // Effective on this instance at once, before any listener or the feed's read.
    this.live?.record(event);
    const waits: Promise<unknown>[] = [];
    for (const listener of this.listeners) {
      const wait = listener(event);
      if (wait instanceof Promise) waits.push(wait);
    }
    await Promise.allSettled(waits);
  }

  /**
   * Publishes the end of one browser session (its public id, as kind `sid`) so verifiers that
   * cache session answers drop it; kept until `expiresAt`, the session's absolute expiry.
   */
  async revokeSession(id: string, expiresAt: number): Promise<void> {
    const now = this.clock.now();
    if (expiresAt <= now) return; // the session could not be used anyway
    await this.record({ kind: 'sid', value: id, at: now, expiresAt });
  }
}
