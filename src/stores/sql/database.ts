import type { Generated } from 'kysely';
import type { KeyAlgorithm, KeyState, OneTimePurpose, RevocationKind, UserRole } from '../ports.js';

/**
 * The tables as Kysely sees them. Times are BIGINT milliseconds in both dialects; the PostgreSQL
 * pool parses int8 as a JS number (see connect.ts), which is exact for every Date-sized value.
 */

/** One row of `users`. */
export interface UsersTable {
  id: string;
  email: string;
  password_hash: string;
  created_at: number;
  tokens_valid_after: number;
  /** 'user' or 'admin'; 'user' for every user from before 0008. */
  role: UserRole;
  disabled_at: number | null;
  email_verified_at: number | null;
}

/** One row of `sessions`; the raw session id never reaches this table, only its hash. */
export interface SessionsTable {
  id: string;
  secret_hash: string;
  user_id: string;
  created_at: number;
  last_seen_at: number;
  absolute_expires_at: number;
  user_agent: string;
  ip: string;
  csrf_secret: string;
}

/** One fixed-window counter of `rate_limits`. */
export interface RateLimitsTable {
  key: string;
  count: number;
  reset_at: number;
}

/** One row of `signing_keys`; partial unique indexes allow one `active` row and one `next` row. */
export interface SigningKeysTable {
  kid: string;
  alg: KeyAlgorithm;
  public_jwk: string | null;
  private_key: string;
  state: KeyState;
  created_at: number;
  activates_at: number;
  rotated_at: number | null;
}

/**
 * One row of `clients`; scopes, audiences and grants are JSON arrays of strings, first_party 0
 * or 1.
 */
export interface ClientsTable {
  id: string;
  secret_hash: string | null;
  name: string;
  scopes: string;
  audiences: string;
  grants: string;
  /** JSON array; '[]' for clients registered before 0007. */
  redirect_uris: string;
  /** JSON array; '[]' for clients registered before 0007. */
  post_logout_redirect_uris: string;
  first_party: number;
  created_at: number;
}

/** One row of `refresh_families`: hashes only, never a refresh token. */
export interface RefreshFamiliesTable {
  id: string;
  user_id: string;
  client_id: string;
  /** Null for families not started by the authorization code flow (and every one before 0007). */
  session_id: string | null;
  scope: string;
  /** Null for families started before 0003_refresh_family_secret. */
  family_secret_hash: string | null;
  current_hash: string;
  generation: number;
  previous_hash: string | null;
  rotated_at: number | null;
  /** 0 or 1 (SQLite has no boolean); see RefreshFamilyRecord.rotatedInGrace. */
  rotated_in_grace: number;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  revoked_reason: string | null;
}

/** One row of `consents`: one per user and client; scopes a JSON array in the order allowed. */
export interface ConsentsTable {
  user_id: string;
  client_id: string;
  scopes: string;
  created_at: number;
  updated_at: number;
}

/** One row of `authorization_codes`: the hash of a code, never the code. */
export interface AuthorizationCodesTable {
  hash: string;
  client_id: string;
  user_id: string;
  redirect_uri: string;
  scope: string;
  code_challenge: string;
  nonce: string | null;
  session_id: string;
  auth_time: number;
  family_id: string;
  created_at: number;
  expires_at: number;
  spent_at: number | null;
}

/** One row of `revocations`; `seq` is assigned by the database and never reused. */
export interface RevocationsTable {
  seq: Generated<number>;
  kind: RevocationKind;
  value: string;
  at: number;
  expires_at: number;
}

/** One row of `audit_events`; details a JSON object of strings. */
export interface AuditEventsTable {
  id: string;
  at: number;
  kind: string;
  actor_id: string | null;
  subject_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  reason: string | null;
  details: string;
}

/** One row of `one_time_tokens`: the hash of a link's token, never the token. */
export interface OneTimeTokensTable {
  hash: string;
  user_id: string;
  purpose: OneTimePurpose;
  created_at: number;
  expires_at: number;
}

/** The whole schema, for `Kysely<Database>`. */
export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  rate_limits: RateLimitsTable;
  signing_keys: SigningKeysTable;
  clients: ClientsTable;
  refresh_families: RefreshFamiliesTable;
  revocations: RevocationsTable;
  consents: ConsentsTable;
  authorization_codes: AuthorizationCodesTable;
  audit_events: AuditEventsTable;
  one_time_tokens: OneTimeTokensTable;
}
