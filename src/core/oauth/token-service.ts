/**
 * The OAuth 2.0 flows over the token pieces: first-party login for tokens, refresh, client
 * credentials, revocation (RFC 7009) and introspection (RFC 7662). No HTTP here: routes parse
 * the request and hand over plain values.
 */
import { silentAudit } from '../audit/audit-log.js';
import type { Audit } from '../audit/audit.js';
import { TesseraError } from '../errors.js';
import { FIRST_PARTY_CLIENT_ID } from '../clients/clients.js';
import type { AccessTokenClaims } from '../tokens/claims.js';
import type { Accounts, Caller } from '../accounts/accounts.js';
import type { Clients } from '../clients/clients.js';
import type { AccessTokens, IssuedToken } from './access-tokens.js';
import type { RefreshFamilies } from './refresh-families.js';
import type { ClientRecord, UserRecord } from '../../stores/ports.js';

/** A token response before it becomes JSON. */
export interface TokenResponse {
  access: IssuedToken;
  refreshToken?: string;
  /** When the refresh family ends (ms), for the cookie's lifetime. */
  refreshExpiresAt?: number;
  /** The OpenID Connect ID token, when `openid` was granted (authorization code grant). */
  idToken?: string;
  scope: string;
}

/** What introspection says about a token (RFC 7662 §2.2). */
export type Introspection =
  | ({ active: true; token_type: 'Bearer' } & Pick<
      AccessTokenClaims,
      'sub' | 'client_id' | 'exp' | 'iat' | 'iss' | 'aud' | 'jti'
    > & { scope: string; sid?: string })
  | { active: false };

/** The first-party settings of the token flows. */
export interface TokenServiceOptions {
  firstPartyScopes: string[];
  /** Whether login() may trade a password for tokens at all. */
  passwordTokens: boolean;
  audience: string;
}

/** The token flows. */
export class TokenService {
  constructor(
    private readonly accounts: Accounts,
    private readonly clients: Clients,
    private readonly accessTokens: AccessTokens,
    private readonly families: RefreshFamilies,
    private readonly options: TokenServiceOptions,
    private readonly audit: Audit = silentAudit,
  ) {}

  /**
   * `POST /auth/token`: email and password for an access token and a new refresh family. Only
   * for the built-in first-party client, and only while switched on (RFC 9700 §2.4: no password
   * grant for anyone else); checked before the password, so a refusal tells nothing about it.
   */
  async login(
    input: { email: string; password: string; clientId?: string },
    caller: Caller,
  ): Promise<TokenResponse> {
    if (!this.options.passwordTokens) {
      throw new TesseraError('password_tokens_disabled', 'tokens for a password are switched off');
    }
    if (input.clientId !== undefined && input.clientId !== FIRST_PARTY_CLIENT_ID) {
      throw new TesseraError(
        'password_tokens_disabled',
        'only the first-party client may trade a password for tokens',
      );
    }
    const user = await this.accounts.authenticate(input, caller);
    const scope = this.options.firstPartyScopes.join(' ');
    const { family, token } = await this.families.start(user.id, FIRST_PARTY_CLIENT_ID, scope);
    return {
      access: this.userToken(user, FIRST_PARTY_CLIENT_ID, scope, family.id),
      refreshToken: token,
      refreshExpiresAt: family.expiresAt,
      scope,
    };
  }

  /** `grant_type=refresh_token`: rotates the family and issues a new access token. */
  async refresh(refreshToken: string, clientId?: string): Promise<TokenResponse> {
    const { family, token } = await this.families.rotate(refreshToken, clientId);
    const user = await this.accounts.find(family.userId);
    if (!user) throw new TesseraError('invalid_grant', 'the refresh token has been revoked');
    return {
      access: this.userToken(user, family.clientId, family.scope, family.id),
      refreshToken: token,
      refreshExpiresAt: family.expiresAt,
      scope: family.scope,
    };
  }

  /**
   * `grant_type=client_credentials`: a token for the client itself. The scope defaults to every
   * scope the client is allowed, also when `scope` is sent empty or blank (RFC 6749 §3.2: a
   * parameter without a value is treated as omitted); asking for one it is not allowed is
   * `invalid_scope` (RFC 6749 §5.2). The audience is the `resource` (RFC 8707) asked for, which
   * must be allowed.
   */
  clientCredentials(
    client: ClientRecord,
    requested: { scope?: string; resource?: string },
  ): TokenResponse {
    if (client.secretHash === null) {
      throw new TesseraError(
        'unauthorized_client',
        'a public client cannot use client credentials',
      );
    }
    const asked = requested.scope?.split(' ').filter((scope) => scope.trim() !== '') ?? [];
    const scopes = asked.length === 0 ? client.scopes : asked;
    const refused = scopes.filter((scope) => !client.scopes.includes(scope));
    if (refused.length > 0) {
      throw new TesseraError('invalid_scope', `the client may not ask for: ${refused.join(' ')}`);
    }
    const audience = this.audienceFor(client, requested.resource);
    const scope = scopes.join(' ');
    const access = this.accessTokens.issue({
      subject: client.id,
      clientId: client.id,
      scope,
      audience,
    });
    return { access, scope };
  }

  /**
   * RFC 7009 revocation by `client`. Unknown or foreign tokens are ignored (the caller still
   * answers 200): a client revokes only what was issued to it.
   */
  async revoke(client: ClientRecord, token: string, hint?: string): Promise<void> {
    const looksLikeJwt = token.split('.').length === 3;
    const tryAccess = hint === 'access_token' || (hint !== 'refresh_token' && looksLikeJwt);
    if (tryAccess && (await this.revokeAccessToken(client, token))) return;
    const family = await this.families.find(token);
    if (family && family.clientId === client.id) {
      await this.families.revoke(family.id, 'revoked_by_client');
      this.audit.record('token.revoked', {
        subjectId: family.userId,
        actorId: client.id,
        details: { kind: 'refresh_token', clientId: client.id },
      });
      return;
    }
    if (!tryAccess) await this.revokeAccessToken(client, token);
  }

  /** RFC 7662 introspection: active only for a valid, unexpired, unrevoked access token. */
  async introspect(token: string): Promise<Introspection> {
    try {
      const { claims } = await this.accessTokens.verify(token);
      return {
        active: true,
        // RFC 7662 §2.2: the RFC 6749 §7.1 type of the token, not a token_type_hint value.
        token_type: 'Bearer',
        sub: claims.sub,
        client_id: claims.client_id,
        scope: claims.scope ?? '',
        exp: claims.exp,
        iat: claims.iat,
        iss: claims.iss,
        aud: claims.aud,
        jti: claims.jti,
        ...(claims.sid === undefined ? {} : { sid: claims.sid }),
      };
    } catch (error) {
      if (error instanceof TesseraError && error.code.startsWith('token_'))
        return { active: false };
      throw error;
    }
  }

  private async revokeAccessToken(client: ClientRecord, token: string): Promise<boolean> {
    let claims: AccessTokenClaims;
    try {
      claims = this.accessTokens.verifySignature(token);
    } catch {
      return false;
    }
    if (claims.client_id !== client.id) return false;
    await this.accessTokens.revoke(claims);
    this.audit.record('token.revoked', {
      subjectId: claims.sub,
      actorId: client.id,
      details: { kind: 'access_token', clientId: client.id },
    });
    // RFC 7009 §2.1 lets revoking an access token end its grant too: an app's logout, sending
    // the access token it holds in memory, also ends the refresh family it cannot read.
    if (claims.sid !== undefined) await this.families.revoke(claims.sid, 'revoked_by_client');
    return true;
  }

  private userToken(user: UserRecord, clientId: string, scope: string, sid: string): IssuedToken {
    return this.accessTokens.issue({
      subject: user.id,
      clientId,
      scope,
      audience: this.options.audience,
      sessionId: sid,
      notBefore: user.tokensValidAfter,
    });
  }

  private audienceFor(client: ClientRecord, resource: string | undefined): string | string[] {
    if (resource !== undefined) {
      if (!client.audiences.includes(resource)) {
        throw new TesseraError('invalid_target', 'the client may not ask for this resource');
      }
      return resource;
    }
    if (client.audiences.length === 0) return this.options.audience;
    return client.audiences.length === 1 ? (client.audiences[0] as string) : client.audiences;
  }
}
