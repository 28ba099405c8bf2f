import type { UserRecord, UserStore } from '../ports.js';

/** The most users one search returns, whatever the caller asks (the SQL adapter caps alike). */
export const USER_SEARCH_MAX = 1000;

// Records stored before Step 8 (and callers built before it) may lack the new fields.
function withDefaults(user: UserRecord): UserRecord {
  return {
    ...user,
    role: user.role ?? 'user',
    disabledAt: user.disabledAt ?? null,
    emailVerifiedAt: user.emailVerifiedAt ?? null,
  };
}

/** An in-memory UserStore: the reference semantics every other adapter must match. */
export function createMemoryUserStore(): UserStore {
  const byId = new Map<string, UserRecord>();
  const idByEmail = new Map<string, string>();

  function update(id: string, change: (user: UserRecord) => void): boolean {
    const user = byId.get(id);
    if (!user) return false;
    change(user);
    return true;
  }

  return {
    async insert(user) {
      if (idByEmail.has(user.email)) return 'email_taken';
      // A SQL primary key refuses a reused id; silently overwriting here would hide the same bug.
      if (byId.has(user.id)) throw new Error(`user id ${user.id} already exists`);
      byId.set(user.id, withDefaults(user));
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
      return update(id, (user) => (user.passwordHash = passwordHash));
    },

    async setTokensValidAfter(id, at) {
      // Lowering the cutoff would bring revoked credentials back to life.
      return update(id, (user) => (user.tokensValidAfter = Math.max(user.tokensValidAfter, at)));
    },

    async setRole(id, role) {
      return update(id, (user) => (user.role = role));
    },

    async setDisabledAt(id, at) {
      return update(id, (user) => (user.disabledAt = at));
    },

    async setEmailVerifiedAt(id, at) {
      return update(id, (user) => (user.emailVerifiedAt = at));
    },

    async delete(id) {
      const user = byId.get(id);
      if (!user) return false;
      byId.delete(id);
      idByEmail.delete(user.email);
      return true;
    },

    async search({ emailPrefix, after, limit }) {
      // Emails are stored lower-cased, so lower-casing the prefix makes the search case-blind.
      const prefix = emailPrefix?.toLowerCase() ?? '';
      const take = Math.max(0, Math.min(limit, USER_SEARCH_MAX));
      // Emails are ASCII (core/accounts/email.ts): code-unit order is SQL's binary order.
      return [...byId.values()]
        .filter(({ email }) => email.startsWith(prefix) && (after === undefined || email > after))
        .sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0))
        .slice(0, take)
        .map((user) => ({ ...user }));
    },

    async count() {
      return byId.size;
    },
  };
}
