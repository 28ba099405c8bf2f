/**
 * Revocations through Redis (the `{ redis }` option): the server appends each event to a Redis
 * Stream (stores/redis/revocation-stream.ts; key and entry format in core/revocation/wire.ts),
 * trimmed to one token horizon; a verifier reads the whole stream from '0' at start, then
 * `XREAD BLOCK` from the last entry id on a connection of its own. Resuming from an explicit id
 * after any failure means nothing appended while it was away is missed (unless older than the
 * horizon, and then harmless). The connection is opened by the same code as the server's
 * (redis-connect/), so Sentinel and Cluster URLs work here too; ioredis is loaded only when this
 * option is used.
 */
import { TesseraError } from '../core/errors.js';
import { defaultRevocationStream, revocationStreamField } from '../core/revocation/wire.js';
import { openRedis, type RedisClient } from '../redis-connect/open.js';
import { parseRedisUrl, type RedisTarget } from '../redis-connect/url.js';
import { Backoff, sleep, type BackoffOptions } from './backoff.js';
import { parseFeedEvent } from './feed-event.js';
import { errorSummary } from './http.js';
import type { RevocationSource } from './revocation-source.js';
import type { RevocationState } from './revocation-state.js';
import type { RedisOptions } from 'ioredis';

export { defaultRevocationStream };

/** How long one XREAD blocks; an empty answer proves the stream current, like a heartbeat. */
export const redisBlockMs = 5_000;

// Entries read per XREAD; fewer than this means the reader has caught up.
const batch = 1_000;

/** How the verifier reads the stream. */
export interface RedisFeedOptions {
  url: string;
  streamKey: string;
  /** Deadline of connecting and of one non-blocking command. */
  timeoutMs: number;
  backoff: BackoffOptions;
  state: RevocationState;
}

/** Reads the Redis Stream of revocations into a RevocationState. */
export class RedisFeed implements RevocationSource {
  readonly kind = 'redis';
  lastAliveMonotonicMs: number | undefined;
  position: string | undefined;
  reconnects = 0;
  lastError: string | undefined;
  private redis: RedisClient | undefined;
  private readonly stopped = new AbortController();
  private readonly backoff: Backoff;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: RedisFeedOptions) {
    this.backoff = new Backoff(options.backoff);
  }

  get connected(): boolean {
    return this.redis?.status === 'ready';
  }

  async start(): Promise<void> {
    let target: RedisTarget;
    try {
      target = parseRedisUrl(this.options.url);
    } catch (error) {
      // The parser never echoes the URL, which may hold a password.
      throw new TesseraError('invalid_config', `revocations.redis: ${(error as Error).message}`);
    }
    const redis = await openRedis(target, verifierConnection(this.options.timeoutMs));
    redis.on('error', (error: Error) => {
      this.lastError = errorSummary(error);
    });
    this.redis = redis;
    try {
      await deadline(redis.connect(), this.options.timeoutMs, 'connecting to Redis');
      await this.catchUp();
    } catch (error) {
      this.lastError = errorSummary(error);
      redis.disconnect();
      throw new TesseraError(
        'revocation_unavailable',
        `the revocation stream could not be read (${this.lastError})`,
      );
    }
    this.loop = this.run();
  }

  async close(): Promise<void> {
    this.stopped.abort();
    this.redis?.disconnect();
    await this.loop;
  }

  /** Reads everything after the position without blocking, until a short batch. */
  private async catchUp(): Promise<void> {
    while ((await this.read(false)) >= batch);
    this.lastAliveMonotonicMs = performance.now();
  }

  private async run(): Promise<void> {
    while (!this.stopped.signal.aborted) {
      try {
        // An answer with fewer than a batch, even an empty one after the block, proves the stream
        // held nothing more when it came: the Redis counterpart of the SSE heartbeat.
        if ((await this.read(true)) < batch) this.lastAliveMonotonicMs = performance.now();
        this.backoff.reset();
      } catch (error) {
        if (this.stopped.signal.aborted) break;
        this.lastError = errorSummary(error);
        await sleep(this.backoff.next(), this.stopped.signal);
        if (!this.stopped.signal.aborted) this.reconnects += 1;
      }
    }
  }

  /** One XREAD after the position; applies what it returns and returns how many entries. */
  private async read(block: boolean): Promise<number> {
    const redis = this.redis as RedisClient;
    const args: (string | number)[] = ['COUNT', batch];
    if (block) args.push('BLOCK', redisBlockMs);
    args.push('STREAMS', this.options.streamKey, this.position ?? '0');
    const waitMs = (block ? redisBlockMs : 0) + this.options.timeoutMs;
    let reply: unknown;
    try {
      reply = await deadline(redis.call('XREAD', ...args), waitMs, 'XREAD');
    } catch (error) {
      // No answer in time on a connection that looks fine: presume it dead and reconnect.
      if (error instanceof DeadlineError && redis.status === 'ready') redis.disconnect(true);
      throw error;
    }
    const entries = streamEntries(reply, this.options.streamKey);
    for (const [id, fields] of entries) {
      const data = fieldValue(fields, revocationStreamField);
      if (data === undefined)
        throw new TesseraError('revocation_unavailable', `entry ${id} has no event`);
      this.options.state.apply(parseFeedEvent(data));
      this.position = id;
    }
    return entries.length;
  }
}

/** How a verifier's connection behaves, wherever it goes (redis-connect/open.ts maps the rest). */
export function verifierConnection(timeoutMs: number): RedisOptions {
  return {
    lazyConnect: true,
    connectionName: 'tessera-verifier',
    connectTimeout: timeoutMs,
    // Fail fast while disconnected (the loop retries with backoff); never queue blocking reads
    // to run late, nor resend a read the loop has already given up on. No commandTimeout: an
    // XREAD BLOCK waits longer than one by design, and the loop puts its own deadline on it.
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
  };
}

/** The entries of one stream in an XREAD reply (`null` when nothing came). */
function streamEntries(reply: unknown, key: string): [string, unknown[]][] {
  if (reply === null) return [];
  if (!Array.isArray(reply)) throw malformed();
  for (const stream of reply as unknown[]) {
    if (!Array.isArray(stream) || String(stream[0]) !== key) continue;
    const entries = stream[1];
    if (!Array.isArray(entries)) throw malformed();
    return (entries as unknown[]).map((entry) => {
      if (!Array.isArray(entry) || !Array.isArray(entry[1])) throw malformed();
      return [String(entry[0]), entry[1] as unknown[]];
    });
  }
  return [];
}

function fieldValue(fields: unknown[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (String(fields[i]) === name) return String(fields[i + 1]);
  }
  return undefined;
}

function malformed(): TesseraError {
  return new TesseraError('revocation_unavailable', 'Redis answered XREAD in an unexpected shape');
}

class DeadlineError extends Error {}

/** `promise`, or a DeadlineError after `ms`; a late settlement is swallowed, never unhandled. */
function deadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  promise.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`${what} took longer than ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
