import type { SessionRecord, SessionStore } from '../ports.js';

/** An in-memory SessionStore: the reference semantics every other adapter must match. */
export function createMemorySessionStore(): SessionStore {
  const byId = new Map<string, SessionRecord>();
  const idBySecretHash = new Map<string, string>();

  function remove(session: SessionRecord): void {
    byId.delete(session.id);
    idBySecretHash.delete(session.secretHash);
  }

  function removeWhere(predicate: (session: SessionRecord) => boolean): number {
    let removed = 0;
    for (const session of [...byId.values()]) {
      if (predicate(session)) {
        remove(session);
        removed += 1;
      }
    }
    return removed;
  }

  return {
    async insert(session) {
      // SQL unique indexes refuse both; overwriting would hand one user's session to another.
      if (byId.has(session.id)) throw new Error(`session id ${session.id} already exists`);
      if (idBySecretHash.has(session.secretHash)) throw new Error('session secret hash exists');
      byId.set(session.id, { ...session });
      idBySecretHash.set(session.secretHash, session.id);
    },

    async findBySecretHash(secretHash) {
      const id = idBySecretHash.get(secretHash);
      const session = id === undefined ? undefined : byId.get(id);
      return session && { ...session };
    },

    async findBySecretHashWithUser(secretHash, users) {
      const session = await this.findBySecretHash(secretHash);
      return session && { session, user: await users.findById(session.userId) };
    },

    async touch(userId, id, lastSeenAt) {
      const session = byId.get(id);
      // Requests finish out of order; a late, older touch must not shorten the idle expiry.
      if (session?.userId === userId) session.lastSeenAt = Math.max(session.lastSeenAt, lastSeenAt);
    },

    async listByUser(userId) {
      return [...byId.values()]
        .filter((session) => session.userId === userId)
        .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map((session) => ({ ...session }));
    },

    async deleteForUser(userId, id) {
      const session = byId.get(id);
      if (!session || session.userId !== userId) return false;
      remove(session);
      return true;
    },

    async deleteAllForUser(userId, exceptId) {
      return removeWhere((session) => session.userId === userId && session.id !== exceptId);
    },

    async deleteExpired(now, idleMs) {
      return removeWhere(
        (session) => session.absoluteExpiresAt <= now || session.lastSeenAt + idleMs <= now,
      );
    },
  };
}
