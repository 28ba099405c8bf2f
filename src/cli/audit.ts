/**
 * `tessera audit`: the audit log of the configured database, newest first.
 *
 *   tessera audit [--since 24h|ISO-TIME] [--kind KIND]... [--user EMAIL|ID] [--limit N] [--json]
 *
 * `--since` takes an ISO 8601 time or a duration back from now (`90s`, `30m`, `24h`, `7d`, `2w`;
 * default 24h); `--kind` repeats; `--user` keeps the events about that account (its subject);
 * `--limit` defaults to 100 (at most 1000). `--json` prints JSON lines, one event per line (so
 * `jq` and log shippers read it as it comes), `at` as an ISO time; without it, a table.
 */
import { loadConfig } from '../config.js';
import { AUDIT_KINDS } from '../core/audit/audit.js';
import { normalizeEmail } from '../core/accounts/email.js';
import { TesseraError } from '../core/errors.js';
import { parseCommandLine } from './args.js';
import { withCore } from './open.js';
import type { Core } from '../core/tessera.js';
import type { AuditEvent, AuditQuery } from '../stores/ports.js';

const USAGE =
  'usage: tessera audit [--since 24h|ISO-TIME] [--kind KIND]... [--user EMAIL|ID] [--limit N] [--json]';

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** What `tessera audit` was asked for. */
export interface AuditOptions {
  since?: string | undefined;
  kinds?: string[] | undefined;
  user?: string | undefined;
  limit?: string | undefined;
  json?: boolean | undefined;
}

/** An instant from `--since`: an ISO time, or a duration (`24h`) back from `now`. */
export function parseSince(value: string, now: number): number {
  const duration = /^(\d+)([smhdw])$/.exec(value);
  if (duration) return now - Number(duration[1]) * (UNIT_MS[duration[2] ?? 'h'] ?? 0);
  // An ISO date or time only: Date.parse alone would also take "March 7" and the like.
  const at = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) {
    throw new TesseraError(
      'invalid_request',
      `--since "${value}" is neither an ISO time nor a duration like 24h; ${USAGE}`,
    );
  }
  return at;
}

/** The query `options` describe; `--user` is looked up (by email when it has an @). */
export async function auditQuery(core: Core, options: AuditOptions): Promise<AuditQuery> {
  const now = core.deps.clock.now();
  const limit = options.limit === undefined ? 100 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new TesseraError('invalid_request', `--limit must be 1 to 1000; ${USAGE}`);
  }
  const query: AuditQuery = { limit, since: parseSince(options.since ?? '24h', now) };
  const unknown = (options.kinds ?? []).filter((kind) => !AUDIT_KINDS.includes(kind as never));
  if (unknown.length > 0) {
    throw new TesseraError(
      'invalid_request',
      `unknown --kind ${unknown.join(', ')}; the kinds are ${AUDIT_KINDS.join(', ')}`,
    );
  }
  if (options.kinds !== undefined && options.kinds.length > 0) query.kinds = options.kinds;
  if (options.user !== undefined) query.subjectId = await userId(core, options.user);
  return query;
}

async function userId(core: Core, user: string): Promise<string> {
  if (!user.includes('@')) return user; // an id: a deleted user's events name it still
  const found = await core.deps.stores.users.findByEmail(normalizeEmail(user));
  if (!found) throw new TesseraError('not_found', `no user with the email ${user}`);
  return found.id;
}

/** One event as `--json` prints it: the stored fields, `at` as an ISO time. */
export function eventJson(event: AuditEvent): Record<string, unknown> {
  return { ...event, at: new Date(event.at).toISOString() };
}

/** The events as a readable table: time, kind, actor, subject, IP, reason, details. */
export function eventTable(events: AuditEvent[]): string {
  if (events.length === 0) return '(no events)';
  const rows = [
    ['TIME', 'KIND', 'ACTOR', 'SUBJECT', 'IP', 'REASON', 'DETAILS'],
    ...events.map((event) => [
      new Date(event.at).toISOString(),
      event.kind,
      event.actorId ?? '-',
      event.subjectId ?? '-',
      event.ip ?? '-',
      event.reason ?? '-',
      Object.entries(event.details)
        .map(([key, value]) => `${key}=${value}`)
        .join(' ') || '-',
    ]),
  ];
  const widths = rows[0]?.map((_, column) =>
    Math.max(...rows.map((row) => (row[column] ?? '').length)),
  );
  return rows
    .map((row) =>
      row
        .map((cell, column) =>
          column === row.length - 1 ? cell : cell.padEnd(widths?.[column] ?? 0),
        )
        .join('  '),
    )
    .join('\n');
}

/** What `tessera audit` prints for `options`, over `core`. */
export async function auditOutput(core: Core, options: AuditOptions): Promise<string> {
  const events = await core.audit.list(await auditQuery(core, options));
  if (options.json === true)
    return events.map((event) => JSON.stringify(eventJson(event))).join('\n');
  return eventTable(events);
}

/** `tessera audit …` (parses its own flags: `argv` is what follows the word `audit`). */
export async function audit(argv: string[]): Promise<void> {
  const args = parseCommandLine(argv, [], ['since', 'user', 'limit'], ['kind']);
  if (args.switches.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const config = loadConfig({ env: process.env, flags: args.flags });
  const text = await withCore(config, (core) =>
    auditOutput(core, {
      since: args.flags.since,
      kinds: args.lists.kind,
      user: args.flags.user,
      limit: args.flags.limit,
      json: args.switches.json,
    }),
  );
  if (text !== '') process.stdout.write(`${text}\n`);
}
