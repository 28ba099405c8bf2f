/** Tokens the server would never issue, signed (or not) with any header and claims. */
import { randomBytes } from 'node:crypto';
import { encodeBase64url } from '../../src/core/tokens/base64url.js';
import { signInput } from '../../src/core/tokens/signature.js';
import type { SigningKey } from '../../src/core/keys/key.js';
import type { Tessera } from './tessera.js';

/** Signs `claims` under `header` with `key`. */
export function sign(
  key: SigningKey,
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
): string {
  const input = `${encodeBase64url(JSON.stringify(header))}.${encodeBase64url(JSON.stringify(claims))}`;
  return `${input}.${signInput(key, input).toString('base64url')}`;
}

/** Valid-looking claims of a user token of `tessera`, issued now. */
export function claims(
  tessera: Tessera,
  over: Record<string, unknown> = {},
): Record<string, unknown> {
  const iat = Math.floor(Date.now() / 1000);
  return {
    iss: tessera.issuer,
    sub: 'user-1',
    aud: tessera.config.audience,
    exp: iat + 600,
    iat,
    jti: randomBytes(16).toString('base64url'),
    client_id: 'first-party',
    scope: 'account',
    sid: 'session-1',
    ...over,
  };
}

/** A token signed with the server's active key, with header and claims overridden. */
export function forge(
  tessera: Tessera,
  over: { header?: Record<string, unknown>; claims?: Record<string, unknown> } = {},
): string {
  const key = tessera.core.keyRing.signingKey();
  return sign(
    key,
    { alg: key.alg, typ: 'at+jwt', kid: key.kid, ...over.header },
    claims(tessera, over.claims),
  );
}

/** A token naming a kid nobody has, with a signature of random bytes. */
export function garbageKid(
  tessera: Tessera,
  kid = `garbage-${randomBytes(6).toString('hex')}`,
): string {
  const header = encodeBase64url(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid }));
  const payload = encodeBase64url(JSON.stringify(claims(tessera)));
  return `${header}.${payload}.${randomBytes(256).toString('base64url')}`;
}
