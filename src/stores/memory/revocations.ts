import type { RevocationEvent, RevocationStore } from '../ports.js';

/** An in-memory RevocationStore: the reference semantics every other adapter must match. */
export function createMemoryRevocationStore(): RevocationStore {
  // Kept in seq order, since seqs are handed out in insertion order.
  let events: RevocationEvent[] = [];
  // Never lowered by a sweep: a feed client resuming from an old seq must not skip new events.
  let lastSeq = 0;

  return {
    async add(revocation) {
      lastSeq += 1;
      const event: RevocationEvent = { ...revocation, seq: lastSeq };
      events.push(event);
      return { ...event };
    },

    async isRevoked({ jti, sid }, now) {
      return events.some(
        (event) =>
          event.expiresAt > now &&
          ((event.kind === 'jti' && event.value === jti) ||
            (sid !== undefined && event.kind === 'sid' && event.value === sid)),
      );
    },

    async listSince(afterSeq, now) {
      return events
        .filter((event) => event.seq > afterSeq && event.expiresAt > now)
        .map((event) => ({ ...event }));
    },

    async deleteExpired(now) {
      const before = events.length;
      events = events.filter((event) => event.expiresAt > now);
      return before - events.length;
    },
  };
}
