/**
 * Access tokens inside the server: issued with the key ring's active key, verified with the
 * strict verifier over every live key, then checked against revocations on every request
 * (the verifier's cache skips the signature, never the revocation check), in memory while the
 * live revocation state is trusted (revocation/live-state.ts).
 */
import { TesseraError } from '../errors.js';
import { createAccessTokenVerifier } from '../tokens/verify.js';
import { signAccessToken } from '../tokens/sign.js';
import type { AccessTokenClaims } from '../tokens/claims.js';
import type { AccessTokenVerifier } from '../tokens/verify.js';
import type { Clock } from '../clock.js';
import type { KeyRing } from '../keys/keyring.js';
import type { KeySet } from '../keys/key.js';
import type { Revocations } from '../revocation/revocations.js';
import type { UserRecord } from '../../stores/ports.js';

/** How tokens are issued and checked. */
export interface AccessTokenOptions {
  issuer: string;
  ttlSeconds: number;
  clockSkewSeconds: number;
}

/** What a token is issued for. */
export interface TokenGrant {
  subject: string;
  clientId: string;
  scope: string;
  audience: string | string[];
  /** The refresh family or session of a user token. */
  sessionId?: string;
  /** The user's revocation cutoff (ms): a new token is never dated before it. */
  notBefore?: number;
}

/** A token that passed every check; `user` for user tokens. */
export interface VerifiedToken {
  claims: AccessTokenClaims;
  user?: UserRecord;
}

/** An issued token, as the token endpoint returns it. */
export interface IssuedToken {
  token: string;
  claims: AccessTokenClaims;
  expiresIn: number;
}

/** Issues and verifies access tokens. */
export class AccessTokens {
  private verifier: AccessTokenVerifier | undefined;
  private verifierKeys: KeySet | undefined;
  private lastReload = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly keyring: KeyRing,
    private readonly revocations: Revocations,
    private readonly clock: Clock,
    private readonly options: AccessTokenOptions,
  ) {}

  /** Signs a new access token with the active key. */
  issue(grant: TokenGrant): IssuedToken {
    let now = this.clock.now();
    // iat has whole seconds; dated inside the cutoff's second it would count as revoked.
    if (grant.notBefore !== undefined && Math.floor(now / 1000) * 1000 < grant.notBefore) {
      now = Math.ceil(grant.notBefore / 1000) * 1000;
    }
    const { token, claims } = signAccessToken(
      this.keyring.signingKey(),
      {
        issuer: this.options.issuer,
        subject: grant.subject,
        audience: grant.audience,
        clientId: grant.clientId,
        scope: grant.scope,
        ...(grant.sessionId === undefined ? {} : { sessionId: grant.sessionId }),
        ttlSeconds: this.options.ttlSeconds,
      },
      now,
    );
    return { token, claims, expiresIn: this.options.ttlSeconds };
  }

  /** Verifies signature and claims only (no revocation check): for revocation requests. */
  verifySignature(token: string): AccessTokenClaims {
    return this.currentVerifier().verify(token);
  }

  /** Denylists a token until it expires. */
  revoke(claims: AccessTokenClaims): Promise<void> {
    return this.revocations.revokeToken(claims.jti, claims.exp);
  }

  /**
   * Verifies a token fully: signature, claims, and every kind of revocation (in memory while the
   * live state is trusted, else from the store). A user token comes back with its user (one
   * read) unless `withUser` is false, when a trusted live state means no store read at all.
   */
  async verify(token: string, options: { withUser?: boolean } = {}): Promise<VerifiedToken> {
    const claims = await this.verifyWithReload(token);
    const user = await this.revocations.check(claims, options);
    return user === undefined ? { claims } : { claims, user };
  }

  /**
   * Verifies the signature; on an unknown kid, reloads the keys from the store once (at most
   * once a second), since another instance may have made a key this one has not heard of.
   */
  private async verifyWithReload(token: string): Promise<AccessTokenClaims> {
    try {
      return this.currentVerifier().verify(token);
    } catch (error) {
      const now = this.clock.now();
      if (
        !(error instanceof TesseraError) ||
        error.code !== 'token_unknown_key' ||
        now - this.lastReload < 1000
      ) {
        throw error;
      }
      this.lastReload = now;
      await this.keyring.load();
      return this.currentVerifier().verify(token);
    }
  }

  // A new key set (after a rotation) means a new verifier, and so a fresh cache.
  private currentVerifier(): AccessTokenVerifier {
    const keys = this.keyring.keySet();
    if (this.verifier === undefined || this.verifierKeys !== keys) {
      this.verifier = createAccessTokenVerifier(keys, {
        issuer: this.options.issuer,
        clock: this.clock,
        clockSkewSeconds: this.options.clockSkewSeconds,
      });
      this.verifierKeys = keys;
    }
    return this.verifier;
  }
}
