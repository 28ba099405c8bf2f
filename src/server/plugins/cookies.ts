import { isSecureIssuer } from '../../config.js';
import type { Config } from '../../config.js';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** A credential cookie: always HttpOnly; Secure and a name prefix when the issuer is https. */
export class CredentialCookie {
  constructor(
    readonly name: string,
    private readonly attributes: CookieSerializeOptions,
  ) {}

  /** The value sent by the browser, if any. */
  read(request: FastifyRequest): string | undefined {
    return request.cookies[this.name];
  }

  /** Sets the cookie to `value` until `expiresAt` (ms). */
  set(reply: FastifyReply, value: string, expiresAt: number): void {
    void reply.setCookie(this.name, value, { ...this.attributes, expires: new Date(expiresAt) });
  }

  /** Tells the browser to drop the cookie. */
  clear(reply: FastifyReply): void {
    void reply.clearCookie(this.name, this.attributes);
  }
}

/**
 * The session cookie: `HttpOnly; SameSite=Lax; Path=/`; over https also `Secure` and the
 * `__Host-` prefix, which pins it to this exact host, path / and Secure (RFC 6265bis §4.1.3.2).
 */
export function sessionCookie(config: Pick<Config, 'issuer'>): CredentialCookie {
  const secure = isSecureIssuer(config);
  return new CredentialCookie(secure ? '__Host-tessera_session' : 'tessera_session', {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure,
  });
}

/** Where browsers send the refresh cookie: the token endpoint only (API.md). */
export const REFRESH_COOKIE_PATH = '/oauth/token';

/**
 * The refresh-token cookie of browser apps: `HttpOnly; SameSite=Strict`, sent only to the token
 * endpoint. `__Host-` needs Path=/, so over https it takes the `__Secure-` prefix.
 */
export function refreshCookie(config: Pick<Config, 'issuer'>): CredentialCookie {
  const secure = isSecureIssuer(config);
  return new CredentialCookie(secure ? '__Secure-tessera_refresh' : 'tessera_refresh', {
    path: REFRESH_COOKIE_PATH,
    httpOnly: true,
    sameSite: 'strict',
    secure,
  });
}
