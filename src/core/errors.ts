/**
 * One error hierarchy for the whole product. Every failure a caller can see has a stable `code`
 * that tests and users match on; the HTTP layer maps it to problem+json (or an OAuth error) in
 * one place and never shows a message that came from a store or a stack.
 */

/** Every code a Tessera error can carry, with the HTTP status it maps to by default. */
export const errorStatus = {
  invalid_request: 400,
  malformed_json: 400,
  invalid_email: 400,
  weak_password: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  session_expired: 401,
  // Access-token verification failures (RFC 6750 invalid_token); see core/tokens/verify.ts.
  token_malformed: 401,
  token_too_large: 401,
  token_unsupported: 401,
  token_unknown_key: 401,
  token_signature_invalid: 401,
  token_expired: 401,
  token_not_yet_valid: 401,
  token_claim_invalid: 401,
  token_revoked: 401,
  // OAuth 2.0 errors (RFC 6749 §5.2, RFC 6750 §3.1); /oauth/* answers them in RFC 6749's shape.
  invalid_grant: 400,
  invalid_client: 401,
  invalid_scope: 400,
  invalid_target: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  unsupported_token_type: 400,
  insufficient_scope: 403,
  csrf: 403,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  email_taken: 409,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  rate_limited: 429,
  headers_too_large: 431,
  internal: 500,
  // Start-up problems: bad options, undecryptable keys. Never an HTTP answer; the CLI exits 2.
  invalid_config: 500,
  store_unavailable: 503,
  // The verifier toolkit (src/verify): it fails closed when it cannot check what it must.
  revocation_unavailable: 503,
  jwks_unavailable: 503,
  session_unavailable: 503,
} as const;

/** A stable, machine-readable error code. */
export type ErrorCode = keyof typeof errorStatus;

/** Extra facts an error can carry to the HTTP layer. */
export interface ErrorDetails {
  /** Seconds until a rate-limited caller may try again (becomes `Retry-After`). */
  retryAfterSeconds?: number;
  /** Which input field was wrong, for validation errors. */
  field?: string;
}

// The brand every TesseraError carries, registered globally: the server (tessera-auth) and the
// toolkit (tessera-verify) each ship their own compiled copy of this class, and an app that runs
// both in one process must still recognise the other copy's errors.
const brand = Symbol.for('tessera.error');

/** The one error class of Tessera: a code, a human message safe to show, and a status. */
export class TesseraError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
    this.name = 'TesseraError';
    this.status = errorStatus[code];
  }

  /**
   * `error instanceof TesseraError` is true for an error of any copy of this class (by its
   * brand); for subclasses it stays the ordinary prototype check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this === TesseraError) return isTesseraError(value);
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }
}
Object.defineProperty(TesseraError.prototype, brand, { value: true });

/** True when `value` is a TesseraError of any copy of this module (it checks the brand). */
export function isTesseraError(value: unknown): value is TesseraError {
  return (
    typeof value === 'object' && value !== null && (value as { [brand]?: unknown })[brand] === true
  );
}
