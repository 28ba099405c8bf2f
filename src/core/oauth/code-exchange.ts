/**
 * `grant_type=authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.6, OpenID Connect Core §3.1.3):
 * spends the code once, checks its client, redirect URI and PKCE verifier, then starts the refresh
 * family the code named when it was issued and issues the tokens. A code presented a second time
 * is refused and revokes that family with every access token it issued (RFC 6749 §4.1.2).
 */
import { createHash } from 'node:crypto';
import { TesseraError } from '../errors.js';
import { constantTimeEqual } from '../random.js';
import { signIdToken } from '../tokens/id-token.js';
import type { Accounts } from '../accounts/accounts.js';
import type { Clock } from '../clock.js';
import type { KeyRing } from '../keys/keyring.js';
import type { Revocations } from '../revocation/revocations.js';
import type { AuthorizationCodes } from './authorize/codes.js';
import type { AccessTokens } from './access-tokens.js';
import type { RefreshFamilies } from './refresh-families.js';
import type { TokenResponse } from './token-service.js';
import type { AuthorizationCodeRecord, ClientRecord, UserRecord } from '../../stores/ports.js';

/** RFC 7636 §4.1: code-verifier = 43*128unreserved. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/** What the exchange is built from. */
export interface CodeExchangeDeps {
  codes: AuthorizationCodes;
  accounts: Pick<Accounts, 'find'>;
  accessTokens: AccessTokens;
  families: RefreshFamilies;
  revocations: Revocations;
  keyRing: KeyRing;
  clock: Clock;
  issuer: string;
  /** The audience of access tokens for a client that registered none. */
  audience: string;
  /** ID tokens live as long as access tokens. */
  idTokenTtlSeconds: number;
}

/** The token request's parameters of this grant. */
export interface CodeRequest {
  code: string | undefined;
  redirectUri: string | undefined;
  codeVerifier: string | undefined;
}

/** Exchanges authorization codes for tokens. */
export class CodeExchange {
  constructor(private readonly deps: CodeExchangeDeps) {}

  /** Exchanges `request.code` for tokens for `client`; `invalid_grant` for any bad code. */
  async exchange(client: ClientRecord, request: CodeRequest): Promise<TokenResponse> {
    const { code, redirectUri, codeVerifier } = request;
    if (code === undefined || code === '') throw invalidRequest('code is missing');
    if (redirectUri === undefined) throw invalidRequest('redirect_uri is missing');
    if (codeVerifier === undefined) throw invalidRequest('code_verifier is missing (PKCE)');
    if (!VERIFIER.test(codeVerifier)) {
      throw invalidRequest('code_verifier is not 43 to 128 unreserved characters (RFC 7636 §4.1)');
    }
    const record = await this.deps.codes.spend(code);
    if (record === undefined) throw invalidGrant('the authorization code is unknown');
    if (record.spentAt !== null) {
      await this.revokeIssued(record.familyId);
      throw invalidGrant('the authorization code was already used; what it issued is revoked');
    }
    // The code is spent from here on, whatever follows: a refused code is not tried again.
    const now = this.deps.clock.now();
    if (now >= record.expiresAt) throw invalidGrant('the authorization code has expired');
    if (record.clientId !== client.id) {
      throw invalidGrant('the authorization code was issued to another client');
    }
    if (record.redirectUri !== redirectUri) {
      throw invalidGrant('redirect_uri is not the one of the authorization request');
    }
    const challenge = createHash('sha256').update(codeVerifier, 'ascii').digest('base64url');
    if (!constantTimeEqual(challenge, record.codeChallenge)) {
      throw invalidGrant('code_verifier does not match the code_challenge');
    }
    const user = await this.deps.accounts.find(record.userId);
    // A password change or "log out everywhere" after the sign-in revokes what it authorized.
    if (!user || record.createdAt < user.tokensValidAfter) {
      throw invalidGrant('the authorization code has been revoked');
    }
    return this.issue(client, record, user);
  }

  private async issue(
    client: ClientRecord,
    record: AuthorizationCodeRecord,
    user: UserRecord,
  ): Promise<TokenResponse> {
    const { families, accessTokens, revocations, clock } = this.deps;
    const scopes = record.scope.split(' ').filter((scope) => scope !== '');
    const { family, token } = await families.start(user.id, client.id, record.scope, {
      id: record.familyId,
      sessionId: record.sessionId,
    });
    // A replay racing this exchange revokes the sid before the family (revokeIssued): if it came
    // before the family existed, the family is revoked here, so nothing it issues outlives it.
    if (await revocations.isSidRevoked(family.id)) {
      await families.revoke(family.id, 'authorization_code_reuse');
      throw invalidGrant('the authorization code was already used; what it issued is revoked');
    }
    const access = accessTokens.issue({
      subject: user.id,
      clientId: client.id,
      scope: record.scope,
      audience: this.audienceFor(client),
      sessionId: family.id,
      notBefore: user.tokensValidAfter,
    });
    // The family always exists (consent revocation and logout revoke through it); its refresh
    // token is handed out only for offline_access to a client that may refresh (OpenID Connect
    // Core §11), so a sign-in-only client holds no long-lived credential.
    const refresh = scopes.includes('offline_access') && client.grants.includes('refresh_token');
    const idToken = scopes.includes('openid')
      ? signIdToken(
          this.deps.keyRing.signingKey(),
          {
            issuer: this.deps.issuer,
            subject: user.id,
            clientId: client.id,
            authTime: record.authTime,
            sessionId: record.sessionId,
            ...(record.nonce === null ? {} : { nonce: record.nonce }),
            accessToken: access.token,
            ...(scopes.includes('email')
              ? { email: { address: user.email, verified: user.emailVerifiedAt !== null } }
              : {}),
            ttlSeconds: this.deps.idTokenTtlSeconds,
          },
          clock.now(),
        )
      : undefined;
    return {
      access,
      ...(refresh ? { refreshToken: token, refreshExpiresAt: family.expiresAt } : {}),
      ...(idToken === undefined ? {} : { idToken }),
      scope: record.scope,
    };
  }

  /**
   * Revokes what a code issued: the sid first (every access token of the family), then the
   * family itself. This order leaves no gap with an exchange still in flight (see issue()).
   */
  private async revokeIssued(familyId: string): Promise<void> {
    await this.deps.revocations.revokeSid(familyId);
    await this.deps.families.revoke(familyId, 'authorization_code_reuse');
  }

  private audienceFor(client: ClientRecord): string | string[] {
    if (client.audiences.length === 0) return this.deps.audience;
    return client.audiences.length === 1 ? (client.audiences[0] as string) : client.audiences;
  }
}

function invalidGrant(message: string): TesseraError {
  return new TesseraError('invalid_grant', message);
}

function invalidRequest(message: string): TesseraError {
  return new TesseraError('invalid_request', message);
}
