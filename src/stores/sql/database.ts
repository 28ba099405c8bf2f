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

/** The whole schema, for `Kysely<Database>`. */
export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  rate_limits: RateLimitsTable;
}
