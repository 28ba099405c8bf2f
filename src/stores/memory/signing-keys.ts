import type { SigningKeyRecord, SigningKeyStore } from '../ports.js';

function oldestFirst(a: SigningKeyRecord, b: SigningKeyRecord): number {
  return a.createdAt - b.createdAt || (a.kid < b.kid ? -1 : a.kid > b.kid ? 1 : 0);
}

/** An in-memory SigningKeyStore: the reference semantics every other adapter must match. */
export function createMemorySigningKeyStore(): SigningKeyStore {
  const byKid = new Map<string, SigningKeyRecord>();

  return {
    async list() {
      return [...byKid.values()].sort(oldestFirst).map((key) => ({ ...key }));
    },

    async activate(key, now) {
      // Checked before any change, as the SQL transaction rolls back on the primary key.
      if (byKid.has(key.kid)) throw new Error(`signing key ${key.kid} already exists`);
      for (const other of byKid.values()) {
        if (other.state === 'active') {
          other.state = 'verify-only';
          other.rotatedAt = now;
        }
      }
      byKid.set(key.kid, { ...key, state: 'active', rotatedAt: null });
    },

    async retire(rotatedBefore) {
      const retired: string[] = [];
      for (const key of byKid.values()) {
        if (
          key.state === 'verify-only' &&
          key.rotatedAt !== null &&
          key.rotatedAt < rotatedBefore
        ) {
          key.state = 'retired';
          retired.push(key.kid);
        }
      }
      return retired;
    },
  };
}
