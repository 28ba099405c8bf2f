import type { AuditEvent, AuditQuery, AuditStore } from '../ports.js';

/** The most events one list returns, whatever the caller asks (the SQL adapter caps alike). */
export const AUDIT_LIST_MAX = 1000;

function copy(event: AuditEvent): AuditEvent {
  return { ...event, details: { ...event.details } };
}

/** Newest first: at descending, then id descending (ids are ASCII, so code-unit order is SQL's). */
function newestFirst(a: AuditEvent, b: AuditEvent): number {
  return b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

function matches(event: AuditEvent, query: AuditQuery): boolean {
  const { subjectId, actorId, kinds, since, before } = query;
  if (subjectId !== undefined && event.subjectId !== subjectId) return false;
  if (actorId !== undefined && event.actorId !== actorId) return false;
  if (kinds !== undefined && !kinds.includes(event.kind)) return false;
  if (since !== undefined && event.at < since) return false;
  // Strictly before the (at, id) position, so a page boundary inside one millisecond loses nothing.
  if (
    before !== undefined &&
    !(event.at < before.at || (event.at === before.at && event.id < before.id))
  )
    return false;
  return true;
}

/** An in-memory AuditStore: the reference semantics every other adapter must match. */
export function createMemoryAuditStore(): AuditStore {
  let events: AuditEvent[] = [];

  return {
    async append(batch) {
      events.push(...batch.map(copy));
    },

    async list(query) {
      const take = Math.max(0, Math.min(query.limit, AUDIT_LIST_MAX));
      return events
        .filter((event) => matches(event, query))
        .sort(newestFirst)
        .slice(0, take)
        .map(copy);
    },

    async deleteBefore(before) {
      const count = events.length;
      events = events.filter((event) => event.at >= before);
      return count - events.length;
    },

    async forgetPersonalData(userId) {
      let changed = 0;
      for (const event of events) {
        const concerns = event.subjectId === userId || event.actorId === userId;
        if (concerns && (event.ip !== null || event.userAgent !== null)) {
          event.ip = null;
          event.userAgent = null;
          changed += 1;
        }
      }
      return changed;
    },
  };
}
