import type { SigningKeyRecord, SigningKeyStore } from '../ports.js';

function oldestFirst(a: SigningKeyRecord, b: SigningKeyRecord): number {
  return a.createdAt - b.createdAt || (a.kid < b.kid ? -1 : a.kid > b.kid ? 1 : 0);
}

/** An in-memory SigningKeyStore: the reference semantics every other adapter must match. */
export function createMemorySigningKeyStore(): SigningKeyStore {
  const byKid = new Map<string, SigningKeyRecord>();

  // Checked before any change, as the SQL transaction rolls back on the primary key.
  const assertNew = (kid: string) => {
    if (byKid.has(kid)) throw new Error(`signing key ${kid} already exists`);
  };

  return {
    async list() {
      return [...byKid.values()].sort(oldestFirst).map((key) => ({ ...key }));
    },

    async activate(key, now) {
      assertNew(key.kid);
      for (const other of byKid.values()) {
        if (other.state === 'active' || other.state === 'next') {
          other.state = 'verify-only';
          other.rotatedAt = now;
        }
      }
      byKid.set(key.kid, { ...key, state: 'active', activatesAt: now, rotatedAt: null });
    },

    async schedule(key) {
      assertNew(key.kid);
      const pending = [...byKid.values()].find((other) => other.state === 'next');
      if (pending !== undefined) return { ...pending };
      const stored: SigningKeyRecord = { ...key, state: 'next', rotatedAt: null };
      byKid.set(key.kid, stored);
      return { ...stored };
    },

    async promote(now) {
      const signers = [...byKid.values()]
        .filter((key) => key.state === 'active' || key.state === 'next')
        .sort((a, b) => a.activatesAt - b.activatesAt || oldestFirst(a, b));
      const due = signers.filter((key) => key.state === 'next' && key.activatesAt <= now).at(-1);
      if (due === undefined) return undefined;
      for (const key of signers) {
        if (key === due || key.activatesAt > due.activatesAt) continue;
        key.state = 'verify-only';
        key.rotatedAt = due.activatesAt;
      }
      due.state = 'active';
      return due.kid;
    },

    async activateAlone(key, now) {
      assertNew(key.kid);
      const retired: string[] = [];
      for (const other of [...byKid.values()].sort(oldestFirst)) {
        if (other.state === 'retired') continue;
        other.state = 'retired';
        other.rotatedAt ??= now;
        retired.push(other.kid);
      }
      byKid.set(key.kid, { ...key, state: 'active', activatesAt: now, rotatedAt: null });
      return retired.sort();
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
