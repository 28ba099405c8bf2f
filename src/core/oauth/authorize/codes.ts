/**
 * Authorization codes (RFC 6749 §4.1.2, RFC 9700 §4.5): 256 random bits, stored only as their
 * SHA-256, alive 60 s at most, spent once. Each is bound to its client, redirect URI, PKCE
 * challenge, nonce and sign-in, and names up front the refresh family its exchange will start,
 * so that a replayed code can revoke everything the first exchange issued.
 */
import { randomId, randomToken, sha256Hex } from '../../random.js';
import type { Clock } from '../../clock.js';
import type { AuthorizationCodeRecord, AuthorizationCodeStore } from '../../../stores/ports.js';

/** A code lives this long (RFC 6749 §4.1.2: "a maximum lifetime of 10 minutes is RECOMMENDED"; shorter is better). */
export const CODE_TTL_MS = 60_000;

/**
 * Spent and expired codes are kept this much longer before the sweep deletes them, so a replay
 * arriving late is still recognised as one (and revokes what the code issued).
 */
export const CODE_RETENTION_MS = 10 * 60_000;

/** What a code is issued for. */
export interface CodeGrant {
  clientId: string;
  userId: string;
  redirectUri: string;
  scope: string;
  codeChallenge: string;
  nonce: string | undefined;
  sessionId: string;
  authTime: number;
}

/** Issues and spends authorization codes. */
export class AuthorizationCodes {
  constructor(
    private readonly store: AuthorizationCodeStore,
    private readonly clock: Clock,
  ) {}

  /** Issues a code; returns the code itself (shown to the client once). */
  async issue(grant: CodeGrant): Promise<string> {
    const now = this.clock.now();
    const code = randomToken(32);
    const record: AuthorizationCodeRecord = {
      hash: sha256Hex(code),
      clientId: grant.clientId,
      userId: grant.userId,
      redirectUri: grant.redirectUri,
      scope: grant.scope,
      codeChallenge: grant.codeChallenge,
      nonce: grant.nonce ?? null,
      sessionId: grant.sessionId,
      authTime: grant.authTime,
      familyId: randomId(),
      createdAt: now,
      expiresAt: now + CODE_TTL_MS,
      spentAt: null,
    };
    await this.store.insert(record);
    return code;
  }

  /**
   * Spends a code: returns its record as it was before (spentAt set means it had been spent
   * already: a replay), or undefined for a code never issued (or long swept).
   */
  spend(code: string): Promise<AuthorizationCodeRecord | undefined> {
    // A code is 43 base64url characters; hashing anything longer is wasted work.
    if (code.length > 256) return Promise.resolve(undefined);
    return this.store.spend(sha256Hex(code), this.clock.now());
  }

  /** Deletes codes that expired longer than the retention ago. */
  sweep(): Promise<number> {
    return this.store.deleteExpired(this.clock.now() - CODE_RETENTION_MS);
  }
}
