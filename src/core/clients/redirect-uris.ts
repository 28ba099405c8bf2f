/**
 * Which redirect URIs a client may register (RFC 9700 §2.1, RFC 8252 §7): each one is compared
 * by exact string match at the authorization endpoint, so registration is where an address
 * that could leak a code (plain http to another host, a fragment, credentials in the authority,
 * a scheme any app could claim) is refused, once, with the URI named.
 */
import { TesseraError } from '../errors.js';

/** Longer than any real callback; a bound on what is stored and compared on every request. */
const MAX_URI_LENGTH = 2000;

// RFC 8252 §7.3 (and §8.3 for localhost, tolerated for development): the only plain-http hosts.
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

// scheme ":" then, for an authority, "//" and everything up to the path, query or fragment.
const AUTHORITY = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/;

function isControl(char: string): boolean {
  const code = char.charCodeAt(0);
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

/** Why `uri` cannot be registered, or undefined when it can. */
export function redirectUriProblem(uri: string): string | undefined {
  if (uri.length > MAX_URI_LENGTH) return `is longer than ${MAX_URI_LENGTH} characters`;
  // URL() would trim or percent-encode these, and the exact-match comparison would then see a
  // different string from the one the client sends.
  if (/\s/.test(uri) || [...uri].some(isControl)) return 'contains whitespace or a control';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'is not an absolute URL';
  }
  // Checked on the string: URL() reports an empty fragment ("…#") as no fragment at all.
  if (uri.includes('#')) return 'has a fragment (RFC 6749 §3.1.2)';
  if (AUTHORITY.exec(uri)?.[1]?.includes('@') === true || url.username || url.password) {
    return 'carries user information';
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme === 'https') return undefined;
  if (scheme === 'http') {
    return LOOPBACK_HOSTS.has(url.hostname)
      ? undefined
      : 'uses http for a host that is not loopback (127.0.0.1, [::1], localhost)';
  }
  // RFC 8252 §7.1: a private-use scheme is a reversed domain name the app's owner controls;
  // a dotless one (myapp:) could be claimed by any app on the device.
  if (scheme.includes('.')) return undefined;
  return 'is neither https, loopback http, nor a private-use scheme with a dot (com.example.app:/cb)';
}

/**
 * The URIs once each, in order; `invalid_request` naming the first one that may not be
 * registered. `what` names the list in the message ("redirect URI", "post-logout redirect URI").
 */
export function checkRedirectUris(uris: readonly string[], what: string): string[] {
  for (const uri of uris) {
    const problem = redirectUriProblem(uri);
    if (problem !== undefined) {
      throw new TesseraError(
        'invalid_request',
        `the ${what} ${JSON.stringify(uri.slice(0, 200))} ${problem}`,
      );
    }
  }
  return [...new Set(uris)];
}
