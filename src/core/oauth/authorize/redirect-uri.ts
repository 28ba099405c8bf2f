/**
 * Redirect URI matching (RFC 9700 §4.1.3, RFC 6749 §3.1.2.3): the presented URI must equal a
 * registered one character for character. The one exception is RFC 8252 §7.3: a native app
 * listening on a loopback IP literal picks its port when it starts, so a loopback URI matches
 * a registered one whatever the port, and nothing else may differ: no prefix, no case folding,
 * no trailing-slash leniency, no `localhost` (RFC 8252 §8.3 recommends the IP literals).
 */

// `http://127.0.0.1` or `http://[::1]`, an optional port, then the path and query (or nothing).
const loopback = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?(?=[/?]|$)/;

/** True when `presented` may be used where `registered` is the registered redirect URI. */
export function redirectUriMatches(registered: string, presented: string): boolean {
  if (registered === presented) return true;
  const want = loopbackParts(registered);
  const got = loopbackParts(presented);
  return (
    want !== undefined && got !== undefined && want.host === got.host && want.rest === got.rest
  );
}

/** True when `presented` matches one of the client's registered redirect URIs. */
export function isRegisteredRedirectUri(registered: readonly string[], presented: string): boolean {
  return registered.some((uri) => redirectUriMatches(uri, presented));
}

function loopbackParts(uri: string): { host: string; rest: string } | undefined {
  const match = loopback.exec(uri);
  if (match === null) return undefined;
  const port = match[2];
  if (port !== undefined && (Number(port) > 65_535 || port.startsWith('0'))) return undefined;
  return { host: match[1] as string, rest: uri.slice(match[0].length) };
}
