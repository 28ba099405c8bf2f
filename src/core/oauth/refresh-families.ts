/**
 * Refresh-token families (OAuth 2.0 Security BCP, RFC 9700 §4.14.2): every use rotates the token;
 * a rotated token presented again within a short grace window (two tabs, a retried request) gets
 * a valid answer, and after it betrays theft: the whole family and every access token issued
 * from it are revoked. Any earlier token of the family betrays it too, however old: tokens name
 * their family and generation and carry the family's secret (see refresh-token.ts). Rotation is
 * a compare-and-set in the store, never a read-then-write.
 */
import { silentAudit } from '../audit/audit-log.js';
import type { Audit } from '../audit/audit.js';
import { TesseraError } from '../errors.js';
import { constantTimeEqual, randomId, randomToken, sha256Hex } from '../random.js';
import {
  formatRefreshToken,
  isLegacyRefreshToken,
  newRefreshSecret,
  parseRefreshToken,
  type RefreshTokenParts,
} from './refresh-token.js';
import type { Clock } from '../clock.js';
import type { Revocations } from '../revocation/revocations.js';
import type { RefreshFamilyRecord, Stores } from '../../stores/ports.js';

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

/**
 * Where a presented token stands in its family: the live one, the one rotated out last, an
 * older one (proved by the family secret), or not a token of the family at all.
 */
type Standing = 'current' | 'previous' | 'earlier' | 'forged';

/** A presented token with the family it names and where it stands. */
interface Presented {
  family: RefreshFamilyRecord;
  standing: Standing;
}

/** How a family starts, besides its user, client and scope. */
export interface StartOptions {
  /** Its id, chosen before (an authorization code names the family it will start). */
  id?: string;
  /** The public id of the session whose sign-in it comes from (authorization code flow). */
  sessionId?: string;
}

/** Starts, rotates and revokes refresh-token families. */
export class RefreshFamilies {
  constructor(
    private readonly stores: Pick<Stores, 'refreshFamilies' | 'users'>,
    private readonly revocations: Revocations,
    private readonly clock: Clock,
    private readonly options: RefreshOptions,
    private readonly audit: Audit = silentAudit,
  ) {}

  /** Starts a family for a login. */
  async start(
    userId: string,
    clientId: string,
    scope: string,
    options: StartOptions = {},
  ): Promise<RefreshResult> {
    const now = this.clock.now();
    const familySecret = newRefreshSecret();
    const id = options.id ?? randomId();
    const token = formatRefreshToken({
      familyId: id,
      generation: 1,
      familySecret,
      tokenSecret: newRefreshSecret(),
    });
    const family: RefreshFamilyRecord = {
      id,
      userId,
      clientId,
      sessionId: options.sessionId ?? null,
      scope,
      familySecretHash: sha256Hex(familySecret),
      currentHash: sha256Hex(token),
      generation: 1,
      previousHash: null,
      rotatedAt: null,
      rotatedInGrace: false,
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
   * forged, expired, revoked, or re-used after the grace window (which also revokes the family).
   */
  async rotate(token: string, clientId?: string): Promise<RefreshResult> {
    const parts = parseRefreshToken(token);
    if (!parts && !isLegacyRefreshToken(token)) {
      throw invalidGrant('the refresh token is malformed');
    }
    // Set once this token has been accepted: if concurrent refreshes then rotate the family
    // twice before this one's compare-and-set, the token is older than previous because of that
    // race, not because it was stolen.
    let accepted = false;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const presented = await this.present(token, parts);
      if (presented === undefined || presented.standing === 'forged') {
        throw invalidGrant('the refresh token is unknown');
      }
      const { family, standing } = presented;
      await this.checkUsable(family, clientId);
      const now = this.clock.now();
      const withinGrace =
        family.rotatedAt !== null && now - family.rotatedAt <= this.options.graceMs;
      if (standing === 'earlier' && (accepted || (withinGrace && isStraggler(family, parts)))) {
        throw invalidGrant('the refresh token is being used concurrently; try again');
      }
      if (standing === 'earlier' || (standing === 'previous' && !withinGrace)) {
        await this.revoke(family.id, 'refresh_token_reuse');
        this.audit.record('refresh.reuse_detected', {
          subjectId: family.userId,
          actorId: family.clientId,
          reason: 'refresh_token_reuse',
          details: { familyId: family.id, clientId: family.clientId },
        });
        throw invalidGrant('the refresh token was already used; its family is revoked');
      }
      accepted = true;
      const rotated = await this.next(family, parts?.familySecret, now, standing === 'previous');
      if (rotated) return rotated;
      // Another request rotated the family first: look again (this token is now the previous one).
    }
    throw invalidGrant('the refresh token is being used concurrently; try again');
  }

  /** The family a refresh token belongs to, if it is live and the token genuinely its own. */
  async find(token: string): Promise<RefreshFamilyRecord | undefined> {
    const parts = parseRefreshToken(token);
    if (!parts && !isLegacyRefreshToken(token)) return undefined;
    const presented = await this.present(token, parts);
    if (presented === undefined || presented.standing === 'forged') return undefined;
    const { family } = presented;
    if (family.revokedAt !== null || family.expiresAt <= this.clock.now()) return undefined;
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

  /**
   * Revokes every family of `userId` issued to `clientId` (a consent withdrawn) and the access
   * tokens issued from each.
   */
  async revokeAllForClient(userId: string, clientId: string, reason: string): Promise<void> {
    const store = this.stores.refreshFamilies;
    const ids = await store.revokeAllForClient(userId, clientId, reason, this.clock.now());
    for (const id of ids) await this.revocations.revokeSid(id);
  }

  /**
   * Revokes every family started from the sign-in of session `sessionId` (its public id) and the
   * access tokens issued from each: RP-initiated logout.
   */
  async revokeAllForSession(sessionId: string, reason: string): Promise<void> {
    const store = this.stores.refreshFamilies;
    const ids = await store.revokeAllForSession(sessionId, reason, this.clock.now());
    for (const id of ids) await this.revocations.revokeSid(id);
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

  /**
   * The family a token names and where the token stands in it. A token in the current format
   * names its family; one in the format before is looked up by its hash.
   */
  private async present(
    token: string,
    parts: RefreshTokenParts | undefined,
  ): Promise<Presented | undefined> {
    const store = this.stores.refreshFamilies;
    const hash = sha256Hex(token);
    const family = parts ? await store.findById(parts.familyId) : await store.findByTokenHash(hash);
    if (!family) return undefined;
    const where = parts ? standing(family, parts, hash) : legacyStanding(family, hash);
    return { family, standing: where };
  }

  /**
   * Rotates `family` from its current generation and makes the next token, or undefined when a
   * concurrent refresh rotated it first. The new token carries the family secret the presented
   * one did; a family from before family secrets gets one now, unless a concurrent refresh
   * already gave it one this request cannot know, in which case the token keeps the old format.
   */
  private async next(
    family: RefreshFamilyRecord,
    familySecret: string | undefined,
    now: number,
    inGrace: boolean,
  ): Promise<RefreshResult | undefined> {
    const upgrade = familySecret === undefined && family.familySecretHash === null;
    const secret = upgrade ? newRefreshSecret() : familySecret;
    const generation = family.generation + 1;
    const token =
      secret === undefined
        ? randomToken(32)
        : formatRefreshToken({
            familyId: family.id,
            generation,
            familySecret: secret,
            tokenSecret: newRefreshSecret(),
          });
    const familySecretHash = upgrade && secret !== undefined ? sha256Hex(secret) : undefined;
    const hash = sha256Hex(token);
    const rotated = await this.stores.refreshFamilies.rotate(
      family.id,
      family.generation,
      hash,
      now,
      { inGrace, ...(familySecretHash === undefined ? {} : { familySecretHash }) },
    );
    if (!rotated) return undefined;
    return {
      family: {
        ...family,
        ...(familySecretHash === undefined ? {} : { familySecretHash }),
        previousHash: family.currentHash,
        currentHash: hash,
        generation,
        rotatedAt: now,
        rotatedInGrace: inGrace,
      },
      token,
    };
  }
}

/**
 * Where a token in the current format stands. The family secret comes first: without it the
 * token is a forgery whatever else it says, and a forgery must never revoke the family (its id
 * is public, the `sid` of every access token it issued). The current and previous generations
 * are checked against their stored hashes; an older generation is proved by the family secret
 * alone, which only tokens of this family carry.
 */
function standing(family: RefreshFamilyRecord, parts: RefreshTokenParts, hash: string): Standing {
  if (family.familySecretHash === null) return 'forged';
  if (!constantTimeEqual(sha256Hex(parts.familySecret), family.familySecretHash)) return 'forged';
  if (parts.generation === family.generation) {
    return constantTimeEqual(hash, family.currentHash) ? 'current' : 'forged';
  }
  if (parts.generation === family.generation - 1) {
    const previous = family.previousHash;
    return previous !== null && constantTimeEqual(hash, previous) ? 'previous' : 'forged';
  }
  return parts.generation < family.generation ? 'earlier' : 'forged';
}

/**
 * Whether an earlier token is a straggler of a concurrent refresh rather than a replay: tabs that
 * all refresh with one token at once (a browser restoring its tabs) rotate the family once with
 * it as the current token and again with it as the previous one, inside the grace window; any
 * further tab then presents a token two generations back. Checked only inside that window, and
 * such a token is refused, never rotated.
 */
function isStraggler(family: RefreshFamilyRecord, parts: RefreshTokenParts | undefined): boolean {
  return family.rotatedInGrace && parts?.generation === family.generation - 2;
}

/**
 * Where a token of the format before family secrets stands: found by its hash, it is the current
 * or the previous one. (An older one is no longer found; it fails as unknown.)
 */
function legacyStanding(family: RefreshFamilyRecord, hash: string): Standing {
  return family.currentHash === hash ? 'current' : 'previous';
}

function invalidGrant(message: string): TesseraError {
  return new TesseraError('invalid_grant', message);
}
