/**
 * The Redis adapter: sessions, rate limits, and the bus that carries messages between Tessera
 * instances. Durable state (users, keys, clients, refresh families, revocations) stays in SQL;
 * this holds what is hot and short-lived, shared by every instance. docs/redis.md has the how-to.
 *
 * One server: `redis://host:6379` (`rediss://` for TLS).
 *
 * Sentinel: `redis+sentinel://[user:password@]sentinel1:26379,sentinel2:26379/<master>[/db]`,
 * with `?sentinelPassword=…` when the sentinels want one. ioredis asks the sentinels for the
 * master, and asks again after a failover (also when the old master answers READONLY).
 *
 * Cluster: `redis+cluster://node1:6379,node2:6379,…` (seed nodes). Every script touches the keys
 * of one hash slot only: a user's sessions, their set and the sweep indexes share a bucket tag,
 * and the two lookup keys the port needs without a user id are single keys written before the
 * session and deleted after it, an order under which no step leaves a session unrevocable
 * (key-layout.ts, sessions.ts). The bus subscribes on one node, since Cluster broadcasts PUBLISH.
 *
 * Time: the ports take `now` from the caller and so does every rule here; Redis's own clock only
 * runs the TTLs that let it forget dead keys, and those are durations (PEXPIRE), never instants
 * from the caller's clock, with a margin so they never fire before the caller's clock says so.
 *
 * Failure: a command fails with `TesseraError('store_unavailable')` (a 503) at once while the
 * connection is down, and after one reconnection attempt or commandTimeoutMs when it was already
 * sent; nothing queues while Redis is away. ioredis keeps reconnecting by itself, and the bus
 * reports 'down' until it is subscribed again.
 */
import type { RateLimitStore, SessionStore } from '../ports.js';
import type { Cluster, Redis } from 'ioredis';
import { RedisEventBus, type EventBus } from './bus.js';
import {
  guard,
  openClients,
  parseRedisUrl,
  redisUnavailable,
  type RedisStoreOptions,
} from './connect.js';
import { KeyLayout } from './key-layout.js';
import { createRedisRateLimitStore } from './rate-limits.js';
import { createRedisSessionStore } from './sessions.js';

export type { BusHandler, BusStatus, EventBus } from './bus.js';
export { parseRedisUrl, type RedisStoreOptions, type RedisTarget } from './connect.js';

/** The stores Redis holds, the bus, and the life cycle of the connections behind them. */
export interface RedisStores {
  sessions: SessionStore;
  rateLimits: RateLimitStore;
  bus: EventBus;
  /** The command connection, for callers that append to Redis structures of their own (the revocation stream). */
  client: Redis | Cluster;
  /** Rejects with store_unavailable when Redis does not answer (used by /readyz). */
  ping(): Promise<void>;
  /** Closes both connections; the bus reports 'down'. */
  close(): Promise<void>;
}

/** Connects to Redis (failing with store_unavailable if it does not answer) and opens the stores. */
export async function createRedisStores(options: RedisStoreOptions): Promise<RedisStores> {
  const keys = new KeyLayout(options.keyPrefix ?? 'tessera:');
  const { client, subscriber } = openClients(parseRedisUrl(options.url), options);
  // Failures reach callers as rejected commands and as the bus status; without a listener
  // ioredis would print every reconnection error.
  client.on('error', () => {});
  subscriber.on('error', () => {});
  const connectTimeoutMs = options.connectTimeoutMs ?? 2000;
  let deadline: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.all([client.connect(), subscriber.connect()]),
      // Behind Sentinel or Cluster, ioredis keeps asking for a node that answers; the start
      // does not wait for that longer than for one connection.
      new Promise((_, reject) => {
        deadline = setTimeout(
          () => reject(new Error(`no answer within ${connectTimeoutMs} ms`)),
          connectTimeoutMs,
        );
      }),
    ]);
  } catch (cause) {
    client.disconnect();
    subscriber.disconnect();
    throw redisUnavailable(cause);
  } finally {
    clearTimeout(deadline);
  }

  const bus = new RedisEventBus(client, subscriber, keys, options.heartbeatMs ?? 1000);
  return {
    sessions: createRedisSessionStore(client, keys),
    rateLimits: createRedisRateLimitStore(client, keys),
    bus,
    client,
    async ping() {
      await guard(client.ping());
    },
    async close() {
      await bus.close();
      await Promise.all(
        [client, subscriber].map(async (connection) => {
          try {
            await connection.quit();
          } catch {
            connection.disconnect(); // Redis is away: nothing to say goodbye to.
          }
        }),
      );
    },
  };
}
