/**
 * The audit log as the rest of the core sees it: one call per security event, which never waits
 * for the store and never fails the operation it describes (audit-log.ts queues and writes).
 */

/** Every kind of security event, in the words the admin console and `tessera audit` show. */
export const AUDIT_KINDS = [
  'user.signed_up',
  'login.succeeded',
  'login.failed',
  'login.locked_out',
  'session.created',
  'session.revoked',
  'password.changed',
  'password.reset_requested',
  'password.reset',
  'email.verification_sent',
  'email.verified',
  'refresh.reuse_detected',
  'token.revoked',
  'consent.given',
  'consent.revoked',
  'client.created',
  'client.changed',
  'client.deleted',
  'key.rotated',
  'user.disabled',
  'user.enabled',
  'user.deleted',
  'user.role_changed',
  'user.signed_out_everywhere',
] as const;

/** One kind of security event. */
export type AuditKind = (typeof AUDIT_KINDS)[number];

/** What a caller says about an event; time, id and the request's facts are added by the log. */
export interface AuditFacts {
  /** Whose account it concerns (a user id). */
  subjectId?: string | null;
  /**
   * Who did it, when not the signed-in caller of the current request (the request context's
   * actor is used otherwise): a user id, an admin's id, a client id.
   */
  actorId?: string | null;
  /** A machine-readable reason or outcome code (an error code such as `invalid_credentials`). */
  reason?: string;
  /** Short facts: a session id, a client id, a family id, a kid. Never a secret. */
  details?: Record<string, string>;
}

/** Records security events. */
export interface Audit {
  /** Queues one event; returns at once, whatever happens to the store. */
  record(kind: AuditKind, facts?: AuditFacts): void;
}
