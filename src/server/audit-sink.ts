/** The audit log's structured log line: one pino line per event, besides the stored copy. */
import type { AuditSink } from '../core/audit/audit-log.js';
import type { FastifyBaseLogger } from 'fastify';

/** Writes each audit event as `{ audit: event }` at info level, message `audit <kind>`. */
export function auditLogSink(logger: Pick<FastifyBaseLogger, 'info'>): AuditSink {
  return (event) => logger.info({ audit: event }, `audit ${event.kind}`);
}
