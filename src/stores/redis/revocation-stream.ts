/**
 * The writing side of revocations through Redis (the verifiers' `{ redis }` option): the server
 * appends each event to a Redis Stream, trimmed to one token horizon. Verifiers read it
 * (verify/redis-feed.ts); the key and the entry format both sides use are in core/revocation/wire.ts.
 */
import { TesseraError } from '../../core/errors.js';
import {
  defaultRevocationStream,
  feedEventKinds,
  revocationStreamField,
  type FeedEvent,
} from '../../core/revocation/wire.js';
import type { RedisClient } from './connect.js';

/**
 * Appends one revocation event to the stream and trims entries older than `horizonMs` (the
 * access-token lifetime plus clock skew: older events can no longer affect any token). One
 * `XADD … MINID ~ <now - horizon> * event <json>` does both atomically (Redis ≥ 6.2). Returns
 * the entry id.
 */
export async function appendRevocationToStream(
  redis: RedisClient,
  event: FeedEvent,
  horizonMs: number,
  options: { streamKey?: string; now?: number } = {},
): Promise<string> {
  // Never publish what a verifier would refuse to read, nor a kind Tessera itself does not know.
  if (!(feedEventKinds as readonly string[]).includes(event.kind)) {
    throw new TesseraError('revocation_unavailable', `unknown revocation kind ${event.kind}`);
  }
  if (!(horizonMs > 0)) throw new RangeError('horizonMs must be a positive number');
  const minId = Math.max(0, Math.floor((options.now ?? Date.now()) - horizonMs));
  const id = await redis.call(
    'XADD',
    options.streamKey ?? defaultRevocationStream,
    'MINID',
    '~',
    String(minId),
    '*',
    revocationStreamField,
    JSON.stringify(event),
  );
  return String(id);
}
