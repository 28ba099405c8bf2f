import type { RefreshFamilies } from '../oauth/refresh-families.js';
import type { Revocations } from './revocations.js';
import type { Sessions } from '../sessions/sessions.js';

/**
 * DESIGN.md: a password change, a reset or "log out everywhere" revokes the user's other
 * sessions, every refresh family and every outstanding access token — all three, in one place.
 */
export class UserRevoker {
  constructor(
    private readonly sessions: Sessions,
    private readonly families: RefreshFamilies,
    private readonly revocations: Revocations,
  ) {}

  /** Revokes every credential of the user except the session `keepSessionId`. */
  async revokeEverything(userId: string, reason: string, keepSessionId?: string): Promise<void> {
    // The cutoff first: from this instant no token of the user verifies, wherever it is.
    await this.revocations.revokeUser(userId);
    await this.families.revokeAllForUser(userId, reason);
    await this.sessions.revokeAll(userId, keepSessionId);
  }

  /** A user record changed without ending anything: the instances' near caches forget it. */
  forgetUser(userId: string): Promise<void> {
    return this.sessions.forgetUser(userId);
  }
}
