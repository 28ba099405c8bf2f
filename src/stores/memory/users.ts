import type { UserRecord, UserStore } from '../ports.js';

/** An in-memory UserStore: the reference semantics every other adapter must match. */
export function createMemoryUserStore(): UserStore {
  const byId = new Map<string, UserRecord>();
  const idByEmail = new Map<string, string>();

  return {
    async insert(user) {
      if (idByEmail.has(user.email)) return 'email_taken';
      // A SQL primary key refuses a reused id; silently overwriting here would hide the same bug.
      if (byId.has(user.id)) throw new Error(`user id ${user.id} already exists`);
      byId.set(user.id, { ...user });
      idByEmail.set(user.email, user.id);
      return 'created';
    },

    async findById(id) {
      const user = byId.get(id);
      return user && { ...user };
    },

    async findByEmail(email) {
      const id = idByEmail.get(email);
      const user = id === undefined ? undefined : byId.get(id);
      return user && { ...user };
    },

    async setPasswordHash(id, passwordHash) {
      const user = byId.get(id);
      if (!user) return false;
      user.passwordHash = passwordHash;
      return true;
    },

    async setTokensValidAfter(id, at) {
      const user = byId.get(id);
      if (!user) return false;
      // Lowering the cutoff would bring revoked credentials back to life.
      user.tokensValidAfter = Math.max(user.tokensValidAfter, at);
      return true;
    },
  };
}
