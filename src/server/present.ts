/** Records as the API shows them: ISO timestamps, no secrets. */
import type { SessionRecord, UserRecord } from '../stores/ports.js';

const iso = (ms: number): string => new Date(ms).toISOString();

/** The public view of a user. */
export function presentUser(user: UserRecord) {
  return { id: user.id, email: user.email, createdAt: iso(user.createdAt) };
}

/** The public view of a session, given when it would end if unused. */
export function presentSession(session: SessionRecord, expiresAt: number) {
  return { id: session.id, createdAt: iso(session.createdAt), expiresAt: iso(expiresAt) };
}

/** One row of the session list. */
export function presentSessionRow(session: SessionRecord, expiresAt: number, currentId: string) {
  return {
    ...presentSession(session, expiresAt),
    lastSeenAt: iso(session.lastSeenAt),
    userAgent: session.userAgent,
    ip: session.ip,
    current: session.id === currentId,
  };
}
