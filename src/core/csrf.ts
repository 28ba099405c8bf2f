import { TesseraError } from './errors.js';
import { constantTimeEqual } from './random.js';

/** What a CSRF decision looks at, taken from the request by the HTTP layer. */
export interface CsrfInput {
  method: string;
  origin: string | undefined;
  /** The Fetch Metadata `Sec-Fetch-Site` header, when the browser sent one. */
  fetchSite: string | undefined;
  allowedOrigins: readonly string[];
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** True for methods that change state and so need CSRF protection. */
export function isUnsafeMethod(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/**
 * Refuses an unsafe request sent from a foreign origin: an `Origin` header, when present, must be
 * allowed, and a browser that says the request is cross-site (Fetch Metadata) is refused even
 * when it sends no Origin. Guards login and sign-up too, against login CSRF.
 */
export function checkOrigin(input: CsrfInput): void {
  if (!isUnsafeMethod(input.method)) return;
  if (input.origin !== undefined && !input.allowedOrigins.includes(input.origin)) {
    throw new TesseraError('csrf', `origin ${JSON.stringify(input.origin)} is not allowed`);
  }
  if (input.origin === undefined && input.fetchSite === 'cross-site') {
    throw new TesseraError('csrf', 'cross-site request refused');
  }
}

/**
 * The synchronizer-token check for cookie-authenticated unsafe requests: the allowed-origin check
 * above plus an `X-CSRF-Token` equal, in constant time, to the session's token.
 */
export function checkCsrf(
  input: CsrfInput & { token: string | undefined; expected: string | undefined },
): void {
  if (!isUnsafeMethod(input.method)) return;
  checkOrigin(input);
  // A session without a token cannot tell a forged request from its own: refuse, and never let
  // an empty header match an empty expectation.
  if (!input.expected) {
    throw new TesseraError('csrf', 'the session has no CSRF token to check this request with');
  }
  if (input.token === undefined || !constantTimeEqual(input.token, input.expected)) {
    throw new TesseraError('csrf', 'missing or wrong X-CSRF-Token');
  }
}
