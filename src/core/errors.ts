/**
 * One error hierarchy for the whole product. Every failure a caller can see has a stable `code`
 * that tests and users match on; core/error-registry.ts says what each code means over HTTP, and
 * `toProblem` / `toOAuthError` below are the one mapping every HTTP answer goes through (the
 * server's plugins and the toolkit's middleware alike). Nothing from a store or a stack reaches a
 * client.
 */
import { entryOf, errorCodes, errorRegistry, oauthErrorStatus } from './error-registry.js';
import type { ErrorCode, OAuthErrorName } from './error-registry.js';

export type { ErrorCode, OAuthErrorName } from './error-registry.js';

/** Every code with the HTTP status it maps to (derived from the registry). */
export const errorStatus = Object.fromEntries(
  errorCodes.map((code) => [code, errorRegistry[code].status]),
) as { readonly [Code in ErrorCode]: (typeof errorRegistry)[Code]['status'] };

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
    this.status = errorRegistry[code].status;
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

/** An RFC 9457 problem details body, with our stable `code`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  field?: string;
}

/** An RFC 6749 §5.2 error answer: its status and its body. */
export interface OAuthErrorAnswer {
  status: number;
  body: { error: OAuthErrorName; error_description: string };
}

// A 5xx that is not "come back later" is a bug: its message may name internals, so it is not shown.
function safeDetail(error: TesseraError, status: number): string {
  return status >= 500 && status !== 503 ? 'internal error' : error.message;
}

/** The problem+json body of `error` (API.md: every /auth/* error, and the middleware's). */
export function toProblem(error: TesseraError): Problem {
  const entry = entryOf(error.code);
  const problem: Problem = {
    type: `urn:tessera:error:${error.code}`,
    title: entry.title,
    status: entry.status,
    detail: safeDetail(error, entry.status),
    code: error.code,
  };
  if (error.details.field !== undefined) problem.field = error.details.field;
  return problem;
}

/** The RFC 6749 answer of `error` (API.md: every /oauth/* error). */
export function toOAuthError(error: TesseraError): OAuthErrorAnswer {
  const entry = entryOf(error.code);
  const status = entry.oauthStatus ?? oauthErrorStatus[entry.oauth];
  return {
    status,
    body: { error: entry.oauth, error_description: safeDetail(error, status) },
  };
}
