/**
 * The session near cache: validated sessions kept in this process for a bounded time and
 * number, so a session check on the hot path costs a map lookup instead of a store round trip
 * (DESIGN.md: sessions as fast as JWTs). Every revocation invalidates it — here at once, and on
 * every other instance through the invalidation channel; while that channel is down the cache
 * is not trusted at all (fail closed) and is emptied, since messages may have been missed.
 * It also keeps user records for the bearer path (whose revocations are checked in memory, so
 * the record is all it would read), under the same bound and the same `user` invalidations,
 * which every change of a user record sends (Sessions.forgetUser).
 */
import type { UserRecord } from '../../stores/ports.js';
import type { ValidSession } from './sessions.js';

/** What instances tell each other when sessions end. */
export type SessionInvalidation =
  { kind: 'session'; id: string } | { kind: 'user'; userId: string };

/** How invalidations reach the other instances (Redis pub/sub; in-process when alone). */
export interface InvalidationChannel {
  /** False while messages from other instances could be missed. */
  readonly connected: boolean;
  publish(message: SessionInvalidation): Promise<void>;
  subscribe(handler: (message: SessionInvalidation) => void): void;
  /** Called with every change of `connected`. */
  onStatus(listener: (connected: boolean) => void): void;
}

/** A channel for a single instance: nothing to miss, nobody to tell. */
export const soloChannel: InvalidationChannel = {
  connected: true,
  publish: async () => {},
  subscribe: () => {},
  onStatus: () => {},
};

interface Entry {
  valid: ValidSession;
  cachedAt: number;
}

interface UserEntry {
  user: UserRecord;
  cachedAt: number;
}

/** A bounded LRU of validated sessions keyed by secret hash, invalidated by id and by user. */
export class SessionNearCache {
  private readonly entries = new Map<string, Entry>();
  private readonly users = new Map<string, UserEntry>();
  private hits = 0;
  private misses = 0;

  constructor(
    private readonly channel: InvalidationChannel,
    /** The longest an entry is served without going back to the store. */
    private readonly maxAgeMs: number,
    private readonly maxEntries = 10_000,
  ) {
    channel.subscribe((message) => this.drop(message));
    channel.onStatus(() => this.clear());
  }

  /** A cached validation still young enough at `now`, if the channel can be trusted. */
  get(secretHash: string, now: number): ValidSession | undefined {
    const entry = this.young(this.entries, secretHash, now);
    if (entry === undefined) {
      this.misses += 1;
      return undefined;
    }
    // Re-insert: the first key of the map is then always the least recently used.
    this.entries.delete(secretHash);
    this.entries.set(secretHash, entry);
    this.hits += 1;
    return { session: { ...entry.valid.session }, user: entry.valid.user };
  }

  /** Remembers a validation made against the store at `now`. */
  set(valid: ValidSession, now: number): void {
    this.put(this.entries, valid.session.secretHash, {
      valid: { session: { ...valid.session }, user: valid.user },
      cachedAt: now,
    });
  }

  /** A user record kept at most the cache's bound ago, if the channel can be trusted. */
  user(userId: string, now: number): UserRecord | undefined {
    const entry = this.young(this.users, userId, now);
    return entry === undefined ? undefined : { ...entry.user };
  }

  /** Remembers a user record read from the store at `now`. */
  keepUser(user: UserRecord, now: number): void {
    this.put(this.users, user.id, { user: { ...user }, cachedAt: now });
  }

  /** Invalidates here and on every other instance. */
  async invalidate(message: SessionInvalidation): Promise<void> {
    this.drop(message);
    await this.channel.publish(message);
  }

  /** Hit and miss counts, for metrics. */
  stats(): { hits: number; misses: number; size: number } {
    return { hits: this.hits, misses: this.misses, size: this.entries.size };
  }

  /** The entry of `key` if the channel can be trusted and it is younger than the bound. */
  private young<T extends { cachedAt: number }>(
    map: Map<string, T>,
    key: string,
    now: number,
  ): T | undefined {
    if (!this.channel.connected) {
      this.clear();
      return undefined;
    }
    const entry = map.get(key);
    if (entry !== undefined && (now - entry.cachedAt >= this.maxAgeMs || now < entry.cachedAt)) {
      map.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Stores `entry` under `key` as the most recent, the oldest going past the size bound. */
  private put<T>(map: Map<string, T>, key: string, entry: T): void {
    if (!this.channel.connected) return;
    map.delete(key);
    while (map.size >= this.maxEntries) {
      const oldest = map.keys().next();
      if (oldest.done === true) break;
      map.delete(oldest.value);
    }
    map.set(key, entry);
  }

  private clear(): void {
    this.entries.clear();
    this.users.clear();
  }

  private drop(message: SessionInvalidation): void {
    if (message.kind === 'user') this.users.delete(message.userId);
    for (const [key, entry] of this.entries) {
      const { session } = entry.valid;
      if (
        message.kind === 'session' ? session.id === message.id : session.userId === message.userId
      ) {
        this.entries.delete(key);
      }
    }
  }
}
