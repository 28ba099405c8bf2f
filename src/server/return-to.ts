/**
 * Where the browser may be sent after signing in: this server's own paths, nothing else. The
 * value comes from the query string, so anyone can write a link with one; an address that could
 * leave this origin would make the sign-in page an open redirect (RFC 9700 §4.11).
 */

/** Where a browser goes when it brought no usable return address. */
export const DEFAULT_RETURN_TO = '/account';

// Longer than any authorize request we accept: an address past this is refused, not cut.
const MAX_LENGTH = 8192;

/**
 * `value` when it is a path on this server, otherwise the default. A path starts with one `/`,
 * not `//` or `/\` (both are network-path references to browsers, WHATWG URL treats `\` as `/`),
 * and has no control characters, no backslash and no scheme, before or after percent-decoding
 * its path.
 */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LENGTH) {
    return DEFAULT_RETURN_TO;
  }
  // The path is checked once more decoded, for whatever decodes it again (a proxy, a framework);
  // the query is the authorize request's, whose values (a state) may hold any character.
  const path = value.split(/[?#]/, 1)[0] ?? '';
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return DEFAULT_RETURN_TO;
  }
  return isOwnPath(value) && isOwnPath(decoded) ? value : DEFAULT_RETURN_TO;
}

function isOwnPath(path: string): boolean {
  if (!path.startsWith('/') || path.startsWith('//')) return false;
  // A backslash is a slash to a browser; control characters (tab, newline) are dropped by URL
  // parsers, so `/\t/evil.example` would become `//evil.example`.
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]/.test(path)) return false;
  // The last word: resolved against a placeholder origin, it stays there.
  try {
    return new URL(path, 'http://return-to.invalid').origin === 'http://return-to.invalid';
  } catch {
    return false;
  }
}
