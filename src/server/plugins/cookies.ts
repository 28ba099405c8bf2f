import { isSecureIssuer } from '../../config.js';
import type { Config } from '../../config.js';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The session cookie: its name and attributes follow from whether the issuer is https. */
export class SessionCookie {
  readonly name: string;
  private readonly secure: boolean;

  constructor(config: Pick<Config, 'issuer'>) {
    this.secure = isSecureIssuer(config);
    // The __Host- prefix pins the cookie to this exact host, path / and Secure (RFC 6265bis §4.1.3.2).
    this.name = this.secure ? '__Host-tessera_session' : 'tessera_session';
  }

  /** The session id sent by the browser, if any. */
  read(request: FastifyRequest): string | undefined {
    return request.cookies[this.name];
  }

  /** Sets the cookie to `secret` until the session's absolute expiry. */
  set(reply: FastifyReply, secret: string, expiresAt: number): void {
    void reply.setCookie(this.name, secret, { ...this.attributes(), expires: new Date(expiresAt) });
  }

  /** Tells the browser to drop the cookie. */
  clear(reply: FastifyReply): void {
    void reply.clearCookie(this.name, this.attributes());
  }

  private attributes(): CookieSerializeOptions {
    return { path: '/', httpOnly: true, sameSite: 'lax', secure: this.secure };
  }
}

/**
 * The refresh-token cookie of browser apps: `HttpOnly; SameSite=Strict`, sent only to the token
 * endpoint (API.md). `__Host-` needs Path=/, so over https it takes the `__Secure-` prefix.
 */
export class RefreshCookie {
  readonly name: string;
  static readonly path = '/oauth/token';
  private readonly secure: boolean;

  constructor(config: Pick<Config, 'issuer'>) {
    this.secure = isSecureIssuer(config);
    this.name = this.secure ? '__Secure-tessera_refresh' : 'tessera_refresh';
  }

  /** The refresh token sent by the browser, if any. */
  read(request: FastifyRequest): string | undefined {
    return request.cookies[this.name];
  }

  /** Sets the cookie until the family's absolute end. */
  set(reply: FastifyReply, token: string, expiresAt: number): void {
    void reply.setCookie(this.name, token, { ...this.attributes(), expires: new Date(expiresAt) });
  }

  /** Tells the browser to drop the cookie. */
  clear(reply: FastifyReply): void {
    void reply.clearCookie(this.name, this.attributes());
  }

  private attributes(): CookieSerializeOptions {
    return { path: RefreshCookie.path, httpOnly: true, sameSite: 'strict', secure: this.secure };
  }
}
