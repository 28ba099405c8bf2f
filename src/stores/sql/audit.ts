import { sql, type Kysely, type Selectable } from 'kysely';
import type { AuditEvent, AuditStore } from '../ports.js';
import type { AuditEventsTable, Database } from './database.js';

/** The most events one list returns, whatever the caller asks (as the memory adapter). */
const LIST_MAX = 1000;

/**
 * Rows per INSERT: 10 parameters a row stays far below SQLite's 32766 and PostgreSQL's 65535
 * bound parameters. A batch the audit log flushes is smaller, so it is one statement.
 */
const ROWS_PER_INSERT = 500;

function toDetails(json: string): Record<string, string> {
  const value: unknown = JSON.parse(json);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const details: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'string') details[key] = item;
  }
  return details;
}

function toEvent(row: Selectable<AuditEventsTable>): AuditEvent {
  return {
    id: row.id,
    at: row.at,
    kind: row.kind,
    actorId: row.actor_id,
    subjectId: row.subject_id,
    ip: row.ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
    reason: row.reason,
    details: toDetails(row.details),
  };
}

/** An AuditStore over the `audit_events` table. */
export function createSqlAuditStore(db: Kysely<Database>): AuditStore {
  return {
    async append(events) {
      for (let start = 0; start < events.length; start += ROWS_PER_INSERT) {
        const rows = events.slice(start, start + ROWS_PER_INSERT).map((event) => ({
          id: event.id,
          at: event.at,
          kind: event.kind,
          actor_id: event.actorId,
          subject_id: event.subjectId,
          ip: event.ip,
          user_agent: event.userAgent,
          request_id: event.requestId,
          reason: event.reason,
          details: JSON.stringify(event.details),
        }));
        await db.insertInto('audit_events').values(rows).execute();
      }
    },

    async list({ subjectId, actorId, kinds, since, before, limit }) {
      const take = Math.max(0, Math.min(Math.floor(limit), LIST_MAX));
      if (take === 0 || kinds?.length === 0) return [];
      let query = db.selectFrom('audit_events').selectAll();
      if (subjectId !== undefined) query = query.where('subject_id', '=', subjectId);
      if (actorId !== undefined) query = query.where('actor_id', '=', actorId);
      if (kinds !== undefined) query = query.where('kind', 'in', kinds);
      if (since !== undefined) query = query.where('at', '>=', since);
      // A row-value comparison, not `at < ? or (at = ? and id < ?)`: both dialects turn it into
      // one index range, so a page deep in the log costs what the first page costs.
      if (before !== undefined) {
        query = query.where(sql<boolean>`(at, id) < (${before.at}, ${before.id})`);
      }
      const rows = await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(take).execute();
      return rows.map(toEvent);
    },

    async deleteBefore(before) {
      const result = await db
        .deleteFrom('audit_events')
        .where('at', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async forgetPersonalData(userId) {
      const result = await db
        .updateTable('audit_events')
        .set({ ip: null, user_agent: null })
        .where((eb) =>
          eb.and([
            eb.or([eb('subject_id', '=', userId), eb('actor_id', '=', userId)]),
            eb.or([eb('ip', 'is not', null), eb('user_agent', 'is not', null)]),
          ]),
        )
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}
