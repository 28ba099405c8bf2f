import type { ConsentRecord, ConsentStore } from '../ports.js';

function copy(consent: ConsentRecord): ConsentRecord {
  return { ...consent, scopes: [...consent.scopes] };
}

// A key no user or client id can forge into another pair: ids never hold a NUL.
const keyOf = (userId: string, clientId: string) => `${userId}\u0000${clientId}`;

/** An in-memory ConsentStore: the reference semantics every other adapter must match. */
export function createMemoryConsentStore(): ConsentStore {
  const byKey = new Map<string, ConsentRecord>();

  return {
    async grant(userId, clientId, scopes, now) {
      // Read and write with no await in between: concurrent grants cannot drop a scope.
      const key = keyOf(userId, clientId);
      const current = byKey.get(key);
      if (current === undefined) {
        const created: ConsentRecord = {
          userId,
          clientId,
          scopes: [...new Set(scopes)],
          createdAt: now,
          updatedAt: now,
        };
        byKey.set(key, created);
        return copy(created);
      }
      const merged = [...new Set([...current.scopes, ...scopes])];
      if (merged.length > current.scopes.length) {
        current.scopes = merged;
        current.updatedAt = Math.max(current.updatedAt, now);
      }
      return copy(current);
    },

    async find(userId, clientId) {
      const consent = byKey.get(keyOf(userId, clientId));
      return consent && copy(consent);
    },

    async listByUser(userId) {
      return [...byKey.values()]
        .filter((consent) => consent.userId === userId)
        .sort(
          (a, b) =>
            b.updatedAt - a.updatedAt ||
            (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : 0),
        )
        .map(copy);
    },

    async revoke(userId, clientId) {
      return byKey.delete(keyOf(userId, clientId));
    },

    async revokeAllForClient(clientId) {
      let removed = 0;
      for (const [key, consent] of byKey) {
        if (consent.clientId === clientId) {
          byKey.delete(key);
          removed += 1;
        }
      }
      return removed;
    },

    async deleteAllForUser(userId) {
      let removed = 0;
      for (const [key, consent] of byKey) {
        if (consent.userId === userId) {
          byKey.delete(key);
          removed += 1;
        }
      }
      return removed;
    },
  };
}
