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
  /** `admin` may use the admin console (/admin). */
  role: UserRole;
  /** When the account was disabled (no sign-in, every credential revoked); null while enabled. */
  disabledAt: number | null;
  /** When the user proved they read mail at `email`; null until then. */
  emailVerifiedAt: number | null;
}

/** What a user may do beyond their own account. */
export type UserRole = 'user' | 'admin';

/** One page of users, ordered by email. */
export interface UserQuery {
  /** Only users whose normalized email starts with this (case-insensitive, as emails are stored). */
  emailPrefix?: string;
  /** Only users whose email sorts after this one (the last email of the previous page). */
  after?: string;
  /** At most this many (the adapter may cap it at 1000). */
  limit: number;
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
  /** Sets the role; returns false when the user does not exist. */
  setRole(id: string, role: UserRole): Promise<boolean>;
  /** Disables (`at`) or enables (null) the account; returns false when the user does not exist. */
  setDisabledAt(id: string, at: number | null): Promise<boolean>;
  /** Marks the email verified at `at` (null: unverified again, after an email change). */
  setEmailVerifiedAt(id: string, at: number | null): Promise<boolean>;
  /** Deletes the user row (the caller deletes what refers to it first); whether it existed. */
  delete(id: string): Promise<boolean>;
  /** A page of users by email, with an index behind it: fast with millions of users. */
  search(query: UserQuery): Promise<UserRecord[]>;
  /** How many users there are (for the admin console). */
  count(): Promise<number>;
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
  /** Inserts a session; rejects a reused id or secret hash. */
  insert(session: SessionRecord): Promise<void>;
  findBySecretHash(secretHash: string): Promise<SessionRecord | undefined>;
  /**
   * The session and its user together (`user` undefined when the user is gone): one round trip
   * where the adapter holds users beside sessions (SQL joins, and ignores `users`); an adapter
   * that does not (Redis) reads the session, then the user from `users`.
   */
  findBySecretHashWithUser(
    secretHash: string,
    users: Pick<UserStore, 'findById'>,
  ): Promise<{ session: SessionRecord; user: UserRecord | undefined } | undefined>;
  /**
   * Records activity of session `id` of `userId` (never moving lastSeenAt backwards); a no-op
   * when the session is gone or is not that user's. The caller holds the session, so it passes
   * the owner: an adapter that files sessions by user (Redis) needs no read to find it.
   */
  touch(userId: string, id: string, lastSeenAt: number): Promise<void>;
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
  /** Deletes counters whose window has ended (resetAt at or before `now`); returns how many. */
  deleteExpired(now: number): Promise<number>;
}

/** A JWS algorithm Tessera signs with. */
export type KeyAlgorithm = 'RS256' | 'ES256' | 'EdDSA' | 'HS256';

/**
 * Life cycle of a signing key: published first and not yet signing (`next`, a planned rotation),
 * signs (`active`), then only verifies (still in the JWKS), then retired (gone from the JWKS).
 */
export type KeyState = 'next' | 'active' | 'verify-only' | 'retired';

/** A signing key as stored. */
export interface SigningKeyRecord {
  kid: string;
  alg: KeyAlgorithm;
  /** The public JWK as JSON; null for HS256, whose key is never published. */
  publicJwk: string | null;
  /** The private key (JWK JSON), or its encrypted envelope when a secret is configured. */
  privateKey: string;
  /**
   * The stored state. A `next` key whose activatesAt has passed already signs: every instance
   * tells the signer from activatesAt and its clock, and the sweep writes the state down later.
   */
  state: KeyState;
  createdAt: number;
  /** When it starts (or started) signing. */
  activatesAt: number;
  /** When it stopped signing (became verify-only, or retired at once); null while it signs. */
  rotatedAt: number | null;
}

/** Signing keys: one active key and at most one pending (`next`) key, changed atomically. */
export interface SigningKeyStore {
  /** Every key, retired ones included, oldest first. */
  list(): Promise<SigningKeyRecord[]>;
  /**
   * In one transaction: inserts `key` as active from `now` (whatever its state, activatesAt and
   * rotatedAt say) and demotes every other active or pending key to verify-only with rotatedAt =
   * `now`. Rejects a reused kid, changing nothing. Concurrent activations serialize: one key is
   * active afterwards. (The first key; planned rotations go through `schedule`.)
   */
  activate(key: SigningKeyRecord, now: number): Promise<void>;
  /**
   * A planned rotation. In one transaction: unless a key is already pending, inserts `key` as
   * `next` (from `key.activatesAt`, rotatedAt null). Returns the pending key: the one already
   * there (and `key` is not stored), or `key`. Concurrent calls leave one pending key. Rejects a
   * reused kid, changing nothing.
   */
  schedule(key: SigningKeyRecord): Promise<SigningKeyRecord>;
  /**
   * Writes down a planned switch that has happened: the newest pending key whose activatesAt is
   * at or before `now` becomes active, and every key it replaced (the active one, any older
   * pending one) becomes verify-only with rotatedAt = its activatesAt. Returns the promoted kid.
   */
  promote(now: number): Promise<string | undefined>;
  /**
   * A compromised key. In one transaction: inserts `key` as active from `now` and retires every
   * other key not yet retired (rotatedAt = `now` where it was null). Returns the kids it retired.
   * Rejects a reused kid, changing nothing.
   */
  activateAlone(key: SigningKeyRecord, now: number): Promise<string[]>;
  /** Retires verify-only keys whose rotatedAt is before `rotatedBefore`; returns their kids. */
  retire(rotatedBefore: number): Promise<string[]>;
}

/** An OAuth client (a third-party integration, a service, or the built-in first-party client). */
export interface ClientRecord {
  /** The client_id. */
  id: string;
  /** SHA-256 (hex) of the client secret (a 256-bit random value); null for a public client. */
  secretHash: string | null;
  name: string;
  /** Scopes the client may be granted. */
  scopes: string[];
  /** Audiences the client may ask tokens for. */
  audiences: string[];
  /** The grant_type values the client may use at the token endpoint (RFC 6749 §5.2). */
  grants: string[];
  /**
   * Where the authorization endpoint may send the user back (authorization code flow), compared
   * by exact string match, a loopback URI whatever its port (RFC 8252 §7.3). Empty for a client
   * that does not use the flow.
   */
  redirectUris: string[];
  /** Where RP-initiated logout may send the user afterwards, compared by exact string match. */
  postLogoutRedirectUris: string[];
  /** Tessera's own apps: the user is never asked to consent. */
  firstParty: boolean;
  createdAt: number;
}

/** OAuth clients. */
export interface ClientStore {
  /** Inserts a client; `exists` when the id is taken (atomically, no race), changing nothing. */
  insert(client: ClientRecord): Promise<'created' | 'exists'>;
  findById(id: string): Promise<ClientRecord | undefined>;
  /** Every client, oldest first. */
  list(): Promise<ClientRecord[]>;
  /** Deletes one client; returns whether it existed. */
  delete(id: string): Promise<boolean>;
  /**
   * Replaces the stored record of `client.id` (every field but id and createdAt); returns false
   * when there is no such client.
   */
  update(client: ClientRecord): Promise<boolean>;
}

/** A refresh-token family: one chain of rotated refresh tokens from one login. */
export interface RefreshFamilyRecord {
  id: string;
  userId: string;
  clientId: string;
  /**
   * The public id of the Tessera session whose sign-in the family came from (authorization code
   * flow): RP-initiated logout of that session revokes it. Null for families started otherwise.
   */
  sessionId: string | null;
  /** Space-separated scopes granted to the family. */
  scope: string;
  /**
   * SHA-256 (hex) of the secret every token of the family carries (core/oauth/refresh-token.ts):
   * it proves a token of an earlier generation genuine. Null for a family started before tokens
   * carried one, until its first rotation gives it one.
   */
  familySecretHash: string | null;
  /** SHA-256 (hex) of the live refresh token. */
  currentHash: string;
  /** Starts at 1; every rotation adds one. */
  generation: number;
  /** SHA-256 of the token rotated out last, for the concurrent-refresh grace window. */
  previousHash: string | null;
  /** When the last rotation happened. */
  rotatedAt: number | null;
  /**
   * Whether the last rotation was made with the previous token inside the grace window (a
   * concurrent refresh): the token two generations back is then a straggler of that race, not a
   * replay, until the grace window of that rotation ends.
   */
  rotatedInGrace: boolean;
  createdAt: number;
  /** The family's absolute end; no rotation extends it. */
  expiresAt: number;
  revokedAt: number | null;
  revokedReason: string | null;
}

/** What a rotation records besides the new hash. */
export interface RotateOptions {
  /** Made with the previous token inside the grace window. */
  inGrace?: boolean;
  /** Gives a family started before family secrets its secret's hash. */
  familySecretHash?: string;
}

/** Refresh-token families, rotated by compare-and-set so concurrent refreshes cannot fork one. */
export interface RefreshFamilyStore {
  /** Inserts a family; rejects a reused id or current token hash. */
  insert(family: RefreshFamilyRecord): Promise<void>;
  findById(id: string): Promise<RefreshFamilyRecord | undefined>;
  /**
   * The family whose current or previous token hash is `tokenHash`: how tokens issued before
   * they named their family are found.
   */
  findByTokenHash(tokenHash: string): Promise<RefreshFamilyRecord | undefined>;
  /**
   * Atomically, only if the family is unrevoked and still at `fromGeneration`: sets previousHash
   * to the current hash, currentHash to `newHash`, generation + 1, rotatedAt = `now`,
   * rotatedInGrace to `options.inGrace` (false when left out), and familySecretHash to
   * `options.familySecretHash` when one is given (a family started before tokens carried a family
   * secret gets one). Returns whether it rotated.
   */
  rotate(
    id: string,
    fromGeneration: number,
    newHash: string,
    now: number,
    options?: RotateOptions,
  ): Promise<boolean>;
  /**
   * Revokes one family (idempotent: the first reason and time stay); true if it was live, that is
   * not yet revoked (an expired but unrevoked family counts as live here).
   */
  revoke(id: string, reason: string, now: number): Promise<boolean>;
  /** Revokes every unrevoked family of the user; returns the ids it revoked, in no set order. */
  revokeAllForUser(userId: string, reason: string, now: number): Promise<string[]>;
  /**
   * Revokes every unrevoked family of `userId` issued to `clientId` (a consent withdrawn);
   * returns the ids it revoked, in no set order.
   */
  revokeAllForClient(
    userId: string,
    clientId: string,
    reason: string,
    now: number,
  ): Promise<string[]>;
  /**
   * Revokes every unrevoked family started from the sign-in of session `sessionId` (its public
   * id; RP-initiated logout); returns the ids it revoked, in no set order.
   */
  revokeAllForSession(sessionId: string, reason: string, now: number): Promise<string[]>;
  /** Deletes families whose expiresAt is at or before `now`; returns how many. */
  deleteExpired(now: number): Promise<number>;
  /** Deletes every family of the user (the user is deleted); returns how many. */
  deleteAllForUser(userId: string): Promise<number>;
}

/**
 * What a revocation names: one access token, one session or refresh family, a user's cutoff, or
 * a signing key (every token it signed: a compromised key, see `tessera keys rotate --now`).
 */
export type RevocationKind = 'jti' | 'sid' | 'user' | 'kid';

/** One revocation: kept until every token it affects has expired. */
export interface RevocationRecord {
  kind: RevocationKind;
  /** The jti, the session/family id, the user id, or the key id. */
  value: string;
  /** When it was revoked; for `user`, the cutoff: tokens issued before it are revoked. */
  at: number;
  /** When the last token it affects expires; after that it can be forgotten. */
  expiresAt: number;
}

/** A revocation with its place in the feed. */
export interface RevocationEvent extends RevocationRecord {
  /** Strictly increasing position, for feed resumption (`Last-Event-ID`). */
  seq: number;
}

/** Revocations of access tokens: durable, ordered, and forgotten once harmless. */
export interface RevocationStore {
  /** Records a revocation; returns it with its seq, which is never reused, even after a sweep. */
  add(revocation: RevocationRecord): Promise<RevocationEvent>;
  /**
   * True when a live (expiresAt after `now`) revocation of kind `jti` names this jti, or one of
   * kind `sid` names this sid. Kinds never cross; `user` cutoffs and `kid` revocations are not
   * consulted here (the key ring drops a revoked key: its tokens fail the signature check).
   */
  isRevoked(query: { jti: string; sid?: string }, now: number): Promise<boolean>;
  /** Live revocations with seq after `afterSeq`, in seq order (the feed and its snapshot). */
  listSince(afterSeq: number, now: number): Promise<RevocationEvent[]>;
  /** Deletes revocations whose expiresAt is at or before `now`; returns how many. */
  deleteExpired(now: number): Promise<number>;
}

/** A user's consent to a client: the scopes they allowed it (OAuth consent page). */
export interface ConsentRecord {
  userId: string;
  clientId: string;
  /** Every scope the user allowed this client, in the order first allowed. */
  scopes: string[];
  /** When consent was first given. */
  createdAt: number;
  /** When scopes were last added. */
  updatedAt: number;
}

/** Consents, one per user and client. */
export interface ConsentStore {
  /**
   * Records that `userId` allowed `clientId` the `scopes`, adding them to what was allowed before
   * (atomically: concurrent grants lose no scope). Returns the record as it now is.
   */
  grant(userId: string, clientId: string, scopes: string[], now: number): Promise<ConsentRecord>;
  find(userId: string, clientId: string): Promise<ConsentRecord | undefined>;
  /** The user's consents, most recently changed first. */
  listByUser(userId: string): Promise<ConsentRecord[]>;
  /** Deletes one consent; returns whether it existed. */
  revoke(userId: string, clientId: string): Promise<boolean>;
  /** Deletes every consent given to `clientId` (the client is deleted); returns how many. */
  revokeAllForClient(clientId: string): Promise<number>;
  /** Deletes every consent the user gave (the user is deleted); returns how many. */
  deleteAllForUser(userId: string): Promise<number>;
}

/** An authorization code (RFC 6749 §4.1.2): issued by the authorize endpoint, spent once. */
export interface AuthorizationCodeRecord {
  /** SHA-256 (hex) of the code; the code itself is never stored. */
  hash: string;
  clientId: string;
  userId: string;
  /** The redirect_uri of the authorization request, as sent: the token request must repeat it. */
  redirectUri: string;
  /** Space-separated granted scopes. */
  scope: string;
  /** The PKCE S256 challenge (RFC 7636 §4.2). */
  codeChallenge: string;
  /** The OpenID Connect nonce of the request, for the ID token. */
  nonce: string | null;
  /** The public id of the session the user was signed in with (the ID token's `sid`). */
  sessionId: string;
  /** When the user signed in for that session (the ID token's `auth_time`), ms. */
  authTime: number;
  /**
   * The id the refresh family of this grant gets when the code is exchanged, chosen when the
   * code is issued: a replayed code revokes it, and with it every token the first use issued.
   */
  familyId: string;
  createdAt: number;
  /** The code is refused from this instant on (60 s at most after createdAt). */
  expiresAt: number;
  /** When it was exchanged; null until then. */
  spentAt: number | null;
}

/** Authorization codes: spent exactly once, even by concurrent requests on many instances. */
export interface AuthorizationCodeStore {
  /** Inserts a code; rejects a reused hash. */
  insert(code: AuthorizationCodeRecord): Promise<void>;
  /**
   * Atomically marks the code with `hash` spent at `now` if it was not spent yet. Returns the
   * record as it was before this call (so `spentAt` not null means it had been spent: a replay),
   * or undefined for an unknown hash. Of concurrent calls for one code, exactly one sees it
   * unspent. Expiry is the caller's to check.
   */
  spend(hash: string, now: number): Promise<AuthorizationCodeRecord | undefined>;
  /** Deletes codes whose expiresAt is at or before `before`; returns how many. */
  deleteExpired(before: number): Promise<number>;
}

/** One security event (the audit log). Never holds a secret: no password, token or code. */
export interface AuditEvent {
  /** Unique, and increasing with `at` within one process (a time-ordered random id). */
  id: string;
  at: number;
  /** What happened: see core/audit/kinds.ts (e.g. `login.failed`, `user.disabled`). */
  kind: string;
  /** Who did it: a user id (the user themself, or an admin), a client id, or null (the system). */
  actorId: string | null;
  /** Whose account it concerns: a user id, or null (a client or a key event). */
  subjectId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  /** The machine-readable reason or outcome code (e.g. `invalid_credentials`), when there is one. */
  reason: string | null;
  /** Further facts, as short strings (a session id, a client id, a family id, a kid). */
  details: Record<string, string>;
}

/** Which events to list, newest first. */
export interface AuditQuery {
  subjectId?: string;
  actorId?: string;
  /** Only these kinds. */
  kinds?: string[];
  /** Only events at or after this instant. */
  since?: number;
  /** Only events before this (at, id) position: the last event of the previous page. */
  before?: { at: number; id: string };
  /** At most this many (the adapter may cap it at 1000). */
  limit: number;
}

/** The audit log: appended to in batches, read newest first, forgotten after the retention. */
export interface AuditStore {
  /** Appends events (one batch, one round trip where the store allows). */
  append(events: AuditEvent[]): Promise<void>;
  /** Events matching the query, newest first (at descending, then id descending). */
  list(query: AuditQuery): Promise<AuditEvent[]>;
  /** Deletes events older than `before`; returns how many. */
  deleteBefore(before: number): Promise<number>;
  /**
   * The user is deleted: clears the personal data (IP, user agent) of every event whose subject
   * or actor is `userId`; the events stay, naming the user by id only. Returns how many changed.
   */
  forgetPersonalData(userId: string): Promise<number>;
}

/** What a one-time link is for. */
export type OneTimePurpose = 'password_reset' | 'email_verification';

/** A single-use link's token (password reset, email verification), stored as a hash. */
export interface OneTimeTokenRecord {
  /** SHA-256 (hex) of the token in the link. */
  hash: string;
  userId: string;
  purpose: OneTimePurpose;
  createdAt: number;
  expiresAt: number;
}

/** One-time tokens: at most one live token per user and purpose, spent once. */
export interface OneTimeTokenStore {
  /** Stores `token`, replacing (invalidating) any earlier token of that user and purpose. */
  issue(token: OneTimeTokenRecord): Promise<void>;
  /**
   * Atomically deletes and returns the token with `hash` and `purpose` if it has not expired at
   * `now`; undefined otherwise (unknown, spent, expired, or for another purpose). Of concurrent
   * calls exactly one gets it.
   */
  consume(
    hash: string,
    purpose: OneTimePurpose,
    now: number,
  ): Promise<OneTimeTokenRecord | undefined>;
  /** Deletes every token of the user (the user is deleted, or their password changed). */
  deleteAllForUser(userId: string): Promise<number>;
  /** Deletes tokens whose expiresAt is at or before `now`; returns how many. */
  deleteExpired(now: number): Promise<number>;
}

/** Every store Tessera needs, and the life cycle of the connections behind them. */
export interface Stores {
  users: UserStore;
  sessions: SessionStore;
  rateLimits: RateLimitStore;
  signingKeys: SigningKeyStore;
  clients: ClientStore;
  refreshFamilies: RefreshFamilyStore;
  revocations: RevocationStore;
  consents: ConsentStore;
  authorizationCodes: AuthorizationCodeStore;
  audit: AuditStore;
  oneTimeTokens: OneTimeTokenStore;
  /** Rejects when a backing service does not answer (used by /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Event bus: messages between the processes of one deployment (instances and the CLI).

/** Whether messages from other processes can currently arrive. */
export type BusStatus = 'up' | 'down';

/** Receives one message: parsed JSON from another process, so the handler checks its shape. */
export type BusHandler = (message: unknown) => void;

/**
 * Messages between the processes of one deployment (cache invalidations, revocations, key
 * rotations), carried by Redis pub/sub, PostgreSQL LISTEN/NOTIFY or a SQLite table, whichever
 * the deployment has. While it is down, messages can be missed, so callers stop trusting what
 * those messages keep fresh (fail closed) and look again once it is back up.
 */
export interface EventBus {
  /** Sends `message` as JSON to every process subscribed to `channel`, this one included. */
  publish(channel: string, message: object): Promise<void>;
  /**
   * Calls `handler` with every message on `channel`. Resolves once the subscription is in
   * place, or at once while the bus is down (it subscribes again when it comes back, and
   * reports 'up' only then). Resolves to a function that ends this subscription.
   */
  subscribe(channel: string, handler: BusHandler): Promise<() => Promise<void>>;
  /** Calls `listener` on every change of status; returns a function that stops the calls. */
  onStatus(listener: (status: BusStatus) => void): () => void;
  /** True while subscribed: no message sent to a subscribed channel can be missed. */
  readonly connected: boolean;
  /** Stops listening and reports 'down'; connections the bus does not own stay open. */
  close(): Promise<void>;
}
