/**
 * Where each record lives in Redis. The layout is what makes the adapter work on Redis Cluster:
 * every Lua script touches the keys of one hash slot only, so each key a script needs carries
 * the same hash tag (`{...}`, the only part of a name Cluster hashes).
 *
 * - A user's sessions, their per-user set and the bucket's expiry indexes share the tag
 *   `{sNN}`, NN = hash(userId) mod 64: insert, delete, log-out-everywhere and the sweep are then
 *   each one atomic script. Tagging per bucket rather than per user is what lets the sweep find
 *   expired sessions through an index kept in the same slot (64 scripts per sweep, not a SCAN).
 * - The two lookups the session port needs without a user id, secret hash → session and
 *   id → user, are single keys of their own (any slot), written before the session and
 *   deleted after it (see sessions.ts for why that order is safe).
 * - A rate-limit counter and its bucket's index share `{rNN}`, NN = hash(key) mod 64.
 */
import { createHash } from 'node:crypto';

/** Buckets per kind; fixed for good, since changing it would strand every stored key. */
const BUCKETS = 64;

/**
 * Redis gives a key no TTL shorter than this beyond the instant the caller's clock says it ends:
 * the caller's clock decides when a session or a window is over, Redis's TTL only collects the
 * garbage, so it must never fire first even when the two clocks disagree by some seconds.
 */
export const EXPIRY_MARGIN_MS = 60_000;

/** A prefix may not hold `{` or `}`: it comes first, so a brace in it would pick the slot. */
function checkKeyPrefix(prefix: string): string {
  if (/[{}]/.test(prefix)) throw new TypeError('the Redis keyPrefix may not contain { or }');
  return prefix;
}

function bucketOf(value: string): string {
  const bucket = createHash('sha1').update(value).digest().readUInt32BE(0) % BUCKETS;
  return String(bucket).padStart(2, '0');
}

/** The keys of one session bucket (one hash slot). */
export interface SessionBucket {
  /** Prefix of a session hash; the session id follows. */
  session: string;
  /** Prefix of a user's set of session ids; the user id follows. */
  user: string;
  /** Sorted set: session id by lastSeenAt. */
  idle: string;
  /** Sorted set: session id by absoluteExpiresAt. */
  ends: string;
}

/** The keys of one rate-limit bucket (one hash slot). */
export interface RateLimitBucket {
  /** Prefix of a counter hash; the caller's key follows. */
  counter: string;
  /** Sorted set: the caller's key by resetAt. */
  ends: string;
}

/** Names every key of one store instance, all starting with `prefix`. */
export class KeyLayout {
  constructor(readonly prefix: string) {
    checkKeyPrefix(prefix);
  }

  /** The session bucket a user's sessions live in. */
  sessionBucketOf(userId: string): SessionBucket {
    return this.sessionBucket(bucketOf(userId));
  }

  /** Every session bucket, for the sweep. */
  sessionBuckets(): SessionBucket[] {
    return Array.from({ length: BUCKETS }, (_, index) =>
      this.sessionBucket(String(index).padStart(2, '0')),
    );
  }

  /** secret hash → JSON [userId, id]. */
  secret(secretHash: string): string {
    return `${this.prefix}secret:${secretHash}`;
  }

  /** session id → userId. */
  sessionOwner(id: string): string {
    return `${this.prefix}owner:${id}`;
  }

  /** The rate-limit bucket `key` is counted in. */
  rateLimitBucketOf(key: string): RateLimitBucket {
    return this.rateLimitBucket(bucketOf(key));
  }

  /** Every rate-limit bucket, for the sweep. */
  rateLimitBuckets(): RateLimitBucket[] {
    return Array.from({ length: BUCKETS }, (_, index) =>
      this.rateLimitBucket(String(index).padStart(2, '0')),
    );
  }

  /** A pub/sub channel; Cluster broadcasts PUBLISH to every node, so no tag is needed. */
  channel(name: string): string {
    return `${this.prefix}bus:${name}`;
  }

  private sessionBucket(bucket: string): SessionBucket {
    const tag = `${this.prefix}{s${bucket}}`;
    return {
      session: `${tag}:session:`,
      user: `${tag}:user:`,
      idle: `${tag}:idle`,
      ends: `${tag}:ends`,
    };
  }

  private rateLimitBucket(bucket: string): RateLimitBucket {
    const tag = `${this.prefix}{r${bucket}}`;
    return { counter: `${tag}:hits:`, ends: `${tag}:ends` };
  }
}
