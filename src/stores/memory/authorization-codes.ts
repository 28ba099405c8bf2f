import type { AuthorizationCodeRecord, AuthorizationCodeStore } from '../ports.js';

/** An in-memory AuthorizationCodeStore: the reference semantics every other adapter must match. */
export function createMemoryAuthorizationCodeStore(): AuthorizationCodeStore {
  const byHash = new Map<string, AuthorizationCodeRecord>();

  return {
    async insert(code) {
      // A SQL primary key refuses it; overwriting would hand one user's code to another.
      if (byHash.has(code.hash)) throw new Error('authorization code hash exists');
      byHash.set(code.hash, { ...code });
    },

    async spend(hash, now) {
      // Test and set with no await in between: of concurrent spends exactly one sees it unspent.
      const code = byHash.get(hash);
      if (code === undefined) return undefined;
      const before = { ...code };
      if (code.spentAt === null) code.spentAt = now;
      return before;
    },

    async deleteExpired(before) {
      let removed = 0;
      for (const [hash, code] of byHash) {
        if (code.expiresAt <= before) {
          byHash.delete(hash);
          removed += 1;
        }
      }
      return removed;
    },
  };
}
