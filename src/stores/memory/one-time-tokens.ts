import type { OneTimeTokenRecord, OneTimeTokenStore } from '../ports.js';

/** An in-memory OneTimeTokenStore: the reference semantics every other adapter must match. */
export function createMemoryOneTimeTokenStore(): OneTimeTokenStore {
  const byHash = new Map<string, OneTimeTokenRecord>();

  function removeWhere(predicate: (token: OneTimeTokenRecord) => boolean): number {
    let removed = 0;
    for (const [hash, token] of byHash) {
      if (predicate(token)) {
        byHash.delete(hash);
        removed += 1;
      }
    }
    return removed;
  }

  return {
    async issue(token) {
      // One live link per user and purpose: a new reset email voids the one sent before.
      removeWhere((other) => other.userId === token.userId && other.purpose === token.purpose);
      byHash.set(token.hash, { ...token });
    },

    async consume(hash, purpose, now) {
      // Read and delete with no await in between: of concurrent consumes exactly one gets it.
      const token = byHash.get(hash);
      if (token === undefined || token.purpose !== purpose || token.expiresAt <= now) {
        return undefined;
      }
      byHash.delete(hash);
      return { ...token };
    },

    async deleteAllForUser(userId) {
      return removeWhere((token) => token.userId === userId);
    },

    async deleteExpired(now) {
      return removeWhere((token) => token.expiresAt <= now);
    },
  };
}
