/**
 * Refresh-token families (OAuth 2.0 Security BCP, RFC 9700 §4.14.2): every use rotates the token;
 * a rotated token presented again within a short grace window (two tabs, a retried request) gets
 * a valid answer, and after it betrays theft: the whole family and every access token issued
 * from it are revoked. Rotation is a compare-and-set in the store, never a read-then-write.
 */
import { TesseraError } from '../errors.js';
import { randomToken, randomId, sha256Hex } from '../random.js';
import type { Clock } from '../clock.js';
import type { Revocations } from '../revocation/revocations.js';
import type { RefreshFamilyRecord, Stores } from '../../stores/ports.js';

/** A refresh token is 32 random bytes, base64url: 43 characters. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
/** Rotations retried when concurrent refreshes race for one family. */
const MAX_ATTEMPTS = 8;

/** How families live. */
export interface RefreshOptions {
  lifetimeMs: number;
  graceMs: number;
}

/** A family with the raw token that now refreshes it (shown to the client once). */
export interface RefreshResult {
  family: RefreshFamilyRecord;
  token: string;
}

/** Starts, rotates and revokes refresh-token families. */
export class RefreshFamilies {
  constructor(
    private readonly stores: Pick<Stores, 'refreshFamilies' | 'users'>,
    private readonly revocations: Revocations,
    private readonly clock: Clock,
    private readonly options: RefreshOptions,
  ) {}

  /** Starts a family for a login. */
  async start(userId: string, clientId: string, scope: string): Promise<RefreshResult> {
    const now = this.clock.now();
    const token = randomToken(32);
    const family: RefreshFamilyRecord = {
      id: randomId(),
      userId,
      clientId,
      scope,
      currentHash: sha256Hex(token),
      generation: 1,
      previousHash: null,
      rotatedAt: null,
      createdAt: now,
      expiresAt: now + this.options.lifetimeMs,
      revokedAt: null,
      revokedReason: null,
    };
    await this.stores.refreshFamilies.insert(family);
    return { family, token };
  }

  /**
   * Exchanges a refresh token for a new one. Throws `invalid_grant` for anything unknown,
   * expired, revoked, or re-used after the grace window (which also revokes the family).
   */
  async rotate(token: string, clientId?: string): Promise<RefreshResult> {
    if (!TOKEN_SHAPE.test(token)) throw invalidGrant('the refresh token is malformed');
    const hash = sha256Hex(token);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const family = await this.stores.refreshFamilies.findByTokenHash(hash);
      if (!family) throw invalidGrant('the refresh token is unknown');
      await this.checkUsable(family, clientId);
      const now = this.clock.now();
      if (family.currentHash !== hash) {
        const withinGrace =
          family.rotatedAt !== null && now - family.rotatedAt <= this.options.graceMs;
        if (!withinGrace) {
          await this.revoke(family.id, 'refresh_token_reuse');
          throw invalidGrant('the refresh token was already used; its family is revoked');
        }
      }
      const next = randomToken(32);
      if (
        await this.stores.refreshFamilies.rotate(family.id, family.generation, sha256Hex(next), now)
      ) {
        const rotated: RefreshFamilyRecord = {
          ...family,
          previousHash: family.currentHash,
          currentHash: sha256Hex(next),
          generation: family.generation + 1,
          rotatedAt: now,
        };
        return { family: rotated, token: next };
      }
      // Another request rotated the family first: look again (this token is now the previous one).
    }
    throw invalidGrant('the refresh token is being used concurrently; try again');
  }

  /** The family a refresh token belongs to, if it is live. */
  async find(token: string): Promise<RefreshFamilyRecord | undefined> {
    if (!TOKEN_SHAPE.test(token)) return undefined;
    const family = await this.stores.refreshFamilies.findByTokenHash(sha256Hex(token));
    if (!family || family.revokedAt !== null || family.expiresAt <= this.clock.now())
      return undefined;
    return family;
  }

  /** Revokes a family and every access token issued from it. */
  async revoke(familyId: string, reason: string): Promise<void> {
    await this.stores.refreshFamilies.revoke(familyId, reason, this.clock.now());
    await this.revocations.revokeSid(familyId);
  }

  /** Revokes every family of a user (their access tokens go with the user's cutoff). */
  async revokeAllForUser(userId: string, reason: string): Promise<void> {
    await this.stores.refreshFamilies.revokeAllForUser(userId, reason, this.clock.now());
  }

  /** Deletes expired families. */
  sweep(): Promise<number> {
    return this.stores.refreshFamilies.deleteExpired(this.clock.now());
  }

  private async checkUsable(
    family: RefreshFamilyRecord,
    clientId: string | undefined,
  ): Promise<void> {
    if (family.revokedAt !== null) throw invalidGrant('the refresh token has been revoked');
    if (family.expiresAt <= this.clock.now()) throw invalidGrant('the refresh token has expired');
    if (clientId !== undefined && clientId !== family.clientId) {
      throw invalidGrant('the refresh token was issued to another client');
    }
    const user = await this.stores.users.findById(family.userId);
    if (!user || family.createdAt < user.tokensValidAfter) {
      throw invalidGrant('the refresh token has been revoked');
    }
  }
}

function invalidGrant(message: string): TesseraError {
  return new TesseraError('invalid_grant', message);
}
