import type { RefreshFamilyRecord, RefreshFamilyStore } from '../ports.js';

/** An in-memory RefreshFamilyStore: the reference semantics every other adapter must match. */
export function createMemoryRefreshFamilyStore(): RefreshFamilyStore {
  const byId = new Map<string, RefreshFamilyRecord>();

  function anotherHoldsCurrentHash(hash: string, exceptId?: string): boolean {
    for (const family of byId.values()) {
      if (family.currentHash === hash && family.id !== exceptId) return true;
    }
    return false;
  }

  function revokeLive(family: RefreshFamilyRecord, reason: string, now: number): boolean {
    // The first revocation's reason and time are the evidence; a later one must not rewrite them.
    if (family.revokedAt !== null) return false;
    family.revokedAt = now;
    family.revokedReason = reason;
    return true;
  }

  return {
    async insert(family) {
      // SQL unique indexes refuse both; a shared hash would let one token refresh two families.
      if (byId.has(family.id)) throw new Error(`refresh family ${family.id} already exists`);
      if (anotherHoldsCurrentHash(family.currentHash)) throw new Error('refresh token hash exists');
      byId.set(family.id, { ...family });
    },

    async findById(id) {
      const family = byId.get(id);
      return family && { ...family };
    },

    async findByTokenHash(tokenHash) {
      for (const family of byId.values()) {
        if (family.currentHash === tokenHash || family.previousHash === tokenHash) {
          return { ...family };
        }
      }
      return undefined;
    },

    async rotate(id, fromGeneration, newHash, now, options = {}) {
      // Compare and set with no await in between: two refreshes of one generation cannot both win.
      const family = byId.get(id);
      if (!family || family.revokedAt !== null || family.generation !== fromGeneration) {
        return false;
      }
      if (anotherHoldsCurrentHash(newHash, id)) throw new Error('refresh token hash exists');
      family.previousHash = family.currentHash;
      family.currentHash = newHash;
      family.generation += 1;
      family.rotatedAt = now;
      family.rotatedInGrace = options.inGrace ?? false;
      if (options.familySecretHash !== undefined)
        family.familySecretHash = options.familySecretHash;
      return true;
    },

    async revoke(id, reason, now) {
      const family = byId.get(id);
      return family !== undefined && revokeLive(family, reason, now);
    },

    async revokeAllForUser(userId, reason, now) {
      const revoked: string[] = [];
      for (const family of byId.values()) {
        if (family.userId === userId && revokeLive(family, reason, now)) revoked.push(family.id);
      }
      return revoked;
    },

    async revokeAllForClient(userId, clientId, reason, now) {
      const revoked: string[] = [];
      for (const family of byId.values()) {
        if (
          family.userId === userId &&
          family.clientId === clientId &&
          revokeLive(family, reason, now)
        ) {
          revoked.push(family.id);
        }
      }
      return revoked;
    },

    async revokeAllForSession(sessionId, reason, now) {
      const revoked: string[] = [];
      for (const family of byId.values()) {
        if (family.sessionId === sessionId && revokeLive(family, reason, now)) {
          revoked.push(family.id);
        }
      }
      return revoked;
    },

    async deleteExpired(now) {
      let removed = 0;
      for (const [id, family] of byId) {
        if (family.expiresAt <= now) {
          byId.delete(id);
          removed += 1;
        }
      }
      return removed;
    },

    async deleteAllForUser(userId) {
      let removed = 0;
      for (const [id, family] of byId) {
        if (family.userId === userId) {
          byId.delete(id);
          removed += 1;
        }
      }
      return removed;
    },
  };
}
