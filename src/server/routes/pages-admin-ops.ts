/**
 * The admin console's operations pages (API.md "Pages"): signing keys (list, **Rotate**), the
 * audit log (filters, newest first, a page at a time) and the live view (the revocation feed and
 * the server's key figures).
 */
import { AUDIT_KINDS } from '../../core/audit/audit.js';
import { TesseraError } from '../../core/errors.js';
import { AuditPage } from '../../web/pages/admin/audit.js';
import { KeysPage } from '../../web/pages/admin/keys.js';
import { LivePage } from '../../web/pages/admin/live.js';
import { adminFigures } from '../admin-figures.js';
import { withNotice } from './pages-admin.js';
import { sendPage, singleValued } from './pages.js';
import type { RouteContext } from '../context.js';
import type { AdminGuard } from './pages-admin.js';
import type { AuditQuery } from '../../stores/ports.js';
import type { FastifyInstance } from 'fastify';

/** Events a page of the audit log shows. */
export const EVENTS_PER_PAGE = 50;
/** Revocation events the live view lists. */
const FEED_EVENTS = 50;
/** How often the live view reloads itself, once the person asks it to. */
const LIVE_REFRESH_SECONDS = 5;

/** A `datetime-local` value read as UTC ms; `invalid_request` for anything else. */
function sinceOf(value: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)
    ? Date.parse(`${value}Z`)
    : Number.NaN;
  if (Number.isNaN(ms)) throw new TesseraError('invalid_request', 'since is not a date and time');
  return ms;
}

/** The `before` cursor of the audit log: `<at>.<id>` of the last event of the previous page. */
function beforeOf(value: string): { at: number; id: string } {
  const match = /^(\d{1,15})\.([A-Za-z0-9_-]{1,64})$/.exec(value);
  if (!match) throw new TesseraError('invalid_request', 'before is not a page cursor');
  return { at: Number(match[1]), id: match[2] ?? '' };
}

/** Registers the keys, audit and live pages. */
export function adminOpsRoutes(
  scope: FastifyInstance,
  { core }: RouteContext,
  guard: AdminGuard,
): void {
  scope.get('/admin/keys', { schema: { hide: true } }, async (request, reply) => {
    const visit = await guard.page(request, reply);
    if (!visit) return reply;
    return sendPage(reply, 200, KeysPage, {
      ...visit.base,
      keys: await core.keyRing.summaries(),
      rotatable: core.deps.policy.tokens.alg !== 'HS256',
    });
  });

  scope.post('/admin/keys/rotate', { schema: { hide: true } }, async (request, reply) => {
    const checked = await guard.form(request, reply);
    if (!checked) return reply;
    await core.keyRing.rotate();
    return reply.redirect(withNotice('/admin/keys', 'key_rotated'), 303);
  });

  scope.get('/admin/audit', { schema: { hide: true } }, async (request, reply) => {
    const visit = await guard.page(request, reply);
    if (!visit) return reply;
    const { kind = '', user = '', since = '', before } = singleValued(request.query);
    const query: AuditQuery = { limit: EVENTS_PER_PAGE };
    if (kind !== '') {
      if (!(AUDIT_KINDS as readonly string[]).includes(kind)) {
        throw new TesseraError('invalid_request', 'no such event kind');
      }
      query.kinds = [kind];
    }
    const who = user.trim();
    if (who !== '') {
      // An email names its user; anything else is taken as an id (a deleted user's too).
      const found = who.includes('@') ? await core.accounts.findByEmail(who) : undefined;
      query.subjectId = found?.id ?? who;
    }
    if (since !== '') query.since = sinceOf(since);
    if (before !== undefined && before !== '') query.before = beforeOf(before);
    const events = await core.audit.list(query);
    const filters = { kind, user, since };
    const last = events.at(-1);
    const nextHref =
      events.length === EVENTS_PER_PAGE && last !== undefined
        ? `/admin/audit?${new URLSearchParams({ ...filters, before: `${last.at}.${last.id}` }).toString()}`
        : undefined;
    return sendPage(reply, 200, AuditPage, {
      ...visit.base,
      filters,
      events,
      nextHref,
      later: query.before !== undefined,
      firstHref: `/admin/audit?${new URLSearchParams(filters).toString()}`,
    });
  });

  scope.get('/admin/live', { schema: { hide: true } }, async (request, reply) => {
    const visit = await guard.page(request, reply);
    if (!visit) return reply;
    const { refresh } = singleValued(request.query);
    const figures = adminFigures(core);
    // Live revocations last only one access-token lifetime, so the store holds few of them.
    const live = await core.feed.since(0);
    return sendPage(reply, 200, LivePage, {
      ...visit.base,
      minutes: figures.minutes(),
      activeSessions: core.nearCache.stats().size,
      liveRevocations: live.length,
      sessionCheckP99: figures.sessionCheckP99(),
      feedReaders: core.feed.readers,
      events: live.slice(-FEED_EVENTS).reverse(),
      refreshSeconds: refresh === String(LIVE_REFRESH_SECONDS) ? LIVE_REFRESH_SECONDS : undefined,
      offeredSeconds: LIVE_REFRESH_SECONDS,
    });
  });
}
