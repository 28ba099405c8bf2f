/**
 * The store interfaces: one small port per kind of state. Core logic depends on these and on
 * nothing else; every adapter (memory, SQL, later Redis) implements them and passes the one
 * contract suite in test/stores/contract.ts. Times are milliseconds since the epoch.
 */

/** A user account as stored. */
export interface UserRecord {
  id: string;
  /** Normalized email (see core/accounts/email.ts); unique. */
  email: string;
  /** PHC string of the argon2id hash. */
  passwordHash: string;
  createdAt: number;
  /** Per-user cutoff: credentials issued before this instant are no longer valid. */
  tokensValidAfter: number;
}

/** Users: create once, look up by id or email, change the hash and the cutoff. */
export interface UserStore {
  /** Inserts a user; `email_taken` when the normalized email exists (atomically, no race). */
  insert(user: UserRecord): Promise<'created' | 'email_taken'>;
  findById(id: string): Promise<UserRecord | undefined>;
  findByEmail(email: string): Promise<UserRecord | undefined>;
  /** Replaces the password hash; returns false when the user does not exist. */
  setPasswordHash(id: string, passwordHash: string): Promise<boolean>;
  /** Raises the per-user cutoff (never lowers it); returns false when the user does not exist. */
  setTokensValidAfter(id: string, at: number): Promise<boolean>;
}

/** A server-side session. The raw session id (the cookie value) is never stored. */
export interface SessionRecord {
  /** Public handle used in API bodies for listing and revoking; not the cookie value. */
  id: string;
  /** SHA-256 (hex) of the secret session id carried by the cookie. */
  secretHash: string;
  userId: string;
  createdAt: number;
  lastSeenAt: number;
  /** Hard end of the session whatever the activity. */
  absoluteExpiresAt: number;
  userAgent: string;
  ip: string;
  /** Synchronizer token for CSRF protection of cookie-authenticated writes. */
  csrfSecret: string;
}

/** Sessions: keyed by the hash of their secret id, listable and revocable per user. */
export interface SessionStore {
  insert(session: SessionRecord): Promise<void>;
  findBySecretHash(secretHash: string): Promise<SessionRecord | undefined>;
  /** Records activity; a no-op when the session is gone. */
  touch(id: string, lastSeenAt: number): Promise<void>;
  listByUser(userId: string): Promise<SessionRecord[]>;
  /** Deletes one session if it belongs to `userId`; returns whether one was deleted. */
  deleteForUser(userId: string, id: string): Promise<boolean>;
  /** Deletes every session of `userId` except `exceptId`; returns how many went. */
  deleteAllForUser(userId: string, exceptId?: string): Promise<number>;
  /** Deletes sessions whose absolute expiry, or idle expiry for `idleMs`, has passed. */
  deleteExpired(now: number, idleMs: number): Promise<number>;
}

/** The state of one fixed-window counter after a hit. */
export interface RateLimitHit {
  /** Hits in the current window, this one included. */
  count: number;
  /** When the current window ends (ms). */
  resetAt: number;
}

/** Rate-limit counters: fixed windows, incremented atomically. */
export interface RateLimitStore {
  /** Counts one hit against `key`, starting a new window of `windowMs` if the last one ended. */
  hit(key: string, windowMs: number, now: number): Promise<RateLimitHit>;
  /** Forgets `key` (after a successful login, say). */
  reset(key: string): Promise<void>;
}

/** Every store Tessera needs, and the life cycle of the connections behind them. */
export interface Stores {
  users: UserStore;
  sessions: SessionStore;
  rateLimits: RateLimitStore;
  /** Rejects when a backing service does not answer (used by /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
