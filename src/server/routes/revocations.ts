/**
 * API.md "Revocation feed": `GET /auth/revocations` for clients allowed `tessera:revocations`.
 * `Accept: text/event-stream` streams events (SSE, resumable with Last-Event-ID); anything else
 * gets the current snapshot as JSON.
 */
import { Type } from '@sinclair/typebox';
import { REVOCATIONS_SCOPE } from '../../core/clients/clients.js';
import { TesseraError } from '../../core/errors.js';
import { toFeedEvent } from '../../core/revocation/feed.js';
import { requireClientWithScope } from '../plugins/client-auth.js';
import { header } from '../plugins/auth.js';
import { problems } from '../schemas.js';
import type { RouteContext } from '../context.js';
import type { RevocationEvent } from '../../stores/ports.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** How often an idle stream sends a heartbeat, so readers can tell a live feed from a dead one. */
export const HEARTBEAT_MS = 5_000;
/**
 * A safety read now and then, once per process (not per stream), in case an announcement from
 * another process was lost; announcements on the bus are what make the feed prompt.
 */
const SAFETY_READ_MS = 10_000;

const FeedEvent = Type.Object({
  seq: Type.Integer(),
  kind: Type.Union([
    Type.Literal('jti'),
    Type.Literal('sid'),
    Type.Literal('user'),
    Type.Literal('kid'),
  ]),
  value: Type.String(),
  at: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
});

/** Registers the revocation feed. */
export function revocationRoutes(app: FastifyInstance, { core }: RouteContext): void {
  // Open streams never end on their own; a shutdown ends them (readers reconnect elsewhere).
  const open = new Set<FastifyReply['raw']>();
  const safety = setInterval(() => core.feed.notify(), SAFETY_READ_MS);
  safety.unref();
  app.addHook('preClose', async () => {
    clearInterval(safety);
    for (const out of open) out.end();
    open.clear();
  });
  app.get(
    '/auth/revocations',
    {
      onRequest: requireClientWithScope(core.clients, REVOCATIONS_SCOPE),
      schema: {
        tags: ['revocation feed'],
        summary: 'Revocation events: an SSE stream (Accept: text/event-stream) or a JSON snapshot',
        security: [{ client: [] }],
        response: {
          200: Type.Object({ events: Type.Array(FeedEvent), lastEventId: Type.String() }),
          ...problems(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const after = lastEventId(request);
      if ((header(request, 'accept') ?? '').includes('text/event-stream')) {
        return stream(request, reply, core.feed, after, open);
      }
      const events = (await core.feed.since(after)).map(toFeedEvent);
      const last = events.at(-1)?.seq ?? after;
      return { events, lastEventId: String(last) };
    },
  );
}

/** `Last-Event-ID` (header, or `?lastEventId=` for clients that cannot set headers). */
function lastEventId(request: FastifyRequest): number {
  const query = request.query as Record<string, unknown>;
  const raw =
    header(request, 'last-event-id') ??
    (typeof query.lastEventId === 'string' ? query.lastEventId : '0');
  if (!/^\d{1,15}$/.test(raw))
    throw new TesseraError('invalid_request', 'Last-Event-ID must be a sequence number');
  return Number(raw);
}

/**
 * Streams events after `after` until the client goes away: catches up from the store, then
 * writes what the feed pushes. Pushes that come during the catch-up wait in a buffer; every
 * event is written once, in seq order (anything at or below the last seq sent is skipped).
 */
async function stream(
  request: FastifyRequest,
  reply: FastifyReply,
  feed: RouteContext['core']['feed'],
  after: number,
  open: Set<FastifyReply['raw']>,
): Promise<void> {
  reply.hijack();
  const out = reply.raw;
  open.add(out);
  out.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  out.write('retry: 1000\n\n');
  let last = after;
  let closed = false;
  let buffered: RevocationEvent[] | undefined = [];
  const write = (events: readonly RevocationEvent[]) => {
    for (const event of events) {
      if (closed || out.writableEnded) return;
      if (event.seq <= last) continue;
      out.write(
        `id: ${event.seq}\nevent: revocation\ndata: ${JSON.stringify(toFeedEvent(event))}\n\n`,
      );
      last = event.seq;
    }
  };
  const fail = (error: unknown) => {
    request.log.warn({ err: error }, 'revocation feed read failed; closing the stream');
    // The reader reconnects with Last-Event-ID and resumes; a half-read feed is never left open.
    out.destroy();
  };
  const unsubscribe = feed.subscribe({
    events: (events) => {
      if (buffered) buffered.push(...events);
      else write(events);
    },
    failed: fail,
  });
  const heartbeat = setInterval(() => {
    if (!closed) out.write(`event: heartbeat\ndata: {"lastEventId":"${last}"}\n\n`);
  }, HEARTBEAT_MS);
  const stop = () => {
    closed = true;
    open.delete(out);
    unsubscribe();
    clearInterval(heartbeat);
  };
  // 'finish' when the server ends the stream at shutdown; 'close' when the reader goes away.
  out.once('finish', stop);
  out.once('close', stop);
  request.raw.on('close', stop);
  try {
    write(await feed.since(after));
  } catch (error) {
    fail(error);
    return;
  }
  const pushed = buffered;
  buffered = undefined;
  write(pushed);
}
