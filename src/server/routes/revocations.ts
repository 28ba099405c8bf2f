/**
 * API.md "Revocation feed": `GET /auth/revocations` for clients allowed `tessera:revocations`.
 * `Accept: text/event-stream` streams events (SSE, resumable with Last-Event-ID); anything else
 * gets the current snapshot as JSON.
 */
import { Type } from '@sinclair/typebox';
import { REVOCATIONS_SCOPE } from '../../core/clients/clients.js';
import { TesseraError } from '../../core/errors.js';
import { toFeedEvent } from '../../core/revocation/feed.js';
import { confidentialClient, presentedClient } from '../plugins/client-auth.js';
import { header } from '../plugins/auth.js';
import { problems } from '../schemas.js';
import type { RouteContext } from '../context.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** How often an idle stream sends a heartbeat, so readers can tell a live feed from a dead one. */
export const HEARTBEAT_MS = 5_000;
/** A wake-up of its own now and then, in case a notification from another instance was lost. */
const POLL_MS = 2_000;

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
  app.addHook('preClose', async () => {
    for (const out of open) out.end();
    open.clear();
  });
  app.get(
    '/auth/revocations',
    {
      onRequest: async (request, reply) => {
        try {
          const client = await confidentialClient(core.clients, presentedClient(request, {}));
          if (!client.scopes.includes(REVOCATIONS_SCOPE)) {
            throw new TesseraError(
              'insufficient_scope',
              `the client needs the scope ${REVOCATIONS_SCOPE}`,
            );
          }
        } catch (error) {
          if (error instanceof TesseraError && error.status === 401) {
            void reply.header('WWW-Authenticate', 'Basic realm="tessera", charset="UTF-8"');
            throw new TesseraError('unauthenticated', 'client authentication is required');
          }
          throw error;
        }
      },
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

/** Streams events after `after` until the client goes away. */
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
  let reading = false;
  let again = false;
  let closed = false;
  const send = async () => {
    // One read at a time; a wake-up during a read schedules one more read after it.
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      do {
        again = false;
        for (const event of await feed.since(last)) {
          if (closed || out.writableEnded) return;
          out.write(
            `id: ${event.seq}\nevent: revocation\ndata: ${JSON.stringify(toFeedEvent(event))}\n\n`,
          );
          last = event.seq;
        }
      } while (again && !closed);
    } catch (error) {
      request.log.warn({ err: error }, 'revocation feed read failed; closing the stream');
      // The reader reconnects with Last-Event-ID and resumes; a half-read feed is never left open.
      out.destroy();
    } finally {
      reading = false;
    }
  };
  const unsubscribe = feed.subscribe(() => void send());
  const heartbeat = setInterval(() => {
    if (!closed) out.write(`event: heartbeat\ndata: {"lastEventId":"${last}"}\n\n`);
  }, HEARTBEAT_MS);
  const poll = setInterval(() => void send(), POLL_MS);
  const stop = () => {
    closed = true;
    open.delete(out);
    unsubscribe();
    clearInterval(heartbeat);
    clearInterval(poll);
  };
  // 'finish' when the server ends the stream at shutdown; 'close' when the reader goes away.
  out.once('finish', stop);
  out.once('close', stop);
  request.raw.on('close', stop);
  await send();
}
