import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { TesseraError } from '../../core/errors.js';
import { openRedisWith, retryDelay, type RedisClient } from '../../redis-connect/open.js';
import type { Credentials, HostPort, RedisTarget } from '../../redis-connect/url.js';

export { parseRedisUrl, type RedisTarget } from '../../redis-connect/url.js';
export type { RedisClient } from '../../redis-connect/open.js';

/** How to reach Redis, and how soon to give up on it. */
export interface RedisStoreOptions {
  /**
   * `redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS) for one server;
   * `redis+sentinel://[user:password@]host[:port][,host[:port]…]/<master name>[/db]` for
   * Sentinel (the hosts are sentinels, default port 26379; `?sentinelPassword=` and
   * `?sentinelUsername=` authenticate to them); `redis+cluster://[user:password@]host[:port]
   * [,host[:port]…]` for Cluster (seed nodes, default port 6379).
   */
  url: string;
  /** Put before every key and channel, so deployments can share a server (default `tessera:`). */
  keyPrefix?: string;
  /** How long a connection attempt may take (default 2000 ms). */
  connectTimeoutMs?: number;
  /** How long a command may wait for its answer before failing with store_unavailable (2000 ms). */
  commandTimeoutMs?: number;
  /** How often the subscriber connection is pinged, so a silent partition is noticed (1000 ms). */
  heartbeatMs?: number;
}

/** How the stores' connections behave, wherever they go (redis-connect/open.ts maps the rest). */
export function storeConnection(options: RedisStoreOptions): RedisOptions {
  return {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    commandTimeout: options.commandTimeoutMs ?? 2000,
    // While the connection is down a command fails at once instead of queueing until Redis is
    // back: an auth server should answer 503 now, not hang the request. ioredis keeps
    // reconnecting meanwhile. A command already sent fails after one reconnection attempt.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // A command in flight when the link dropped may have run; replaying it could count a hit
    // twice or refuse an insert as a duplicate of itself. It fails instead (commandTimeout).
    autoResendUnfulfilledCommands: false,
    retryStrategy: retryDelay,
  };
}

/** The command connection and the subscriber connection for `target`, not yet connected. */
export function openClients(
  target: RedisTarget,
  options: RedisStoreOptions,
): { client: RedisClient; subscriber: Redis } {
  const common = storeConnection(options);
  // The bus resubscribes by itself, so that it knows when it is subscribed again (bus.ts).
  const subscriberOptions: RedisOptions = { ...common, autoResubscribe: false };
  const ioredis = { Redis, Cluster };
  return {
    client: openRedisWith(ioredis, target, common),
    subscriber:
      target.mode === 'cluster'
        ? openClusterSubscriber(target.nodes, target.credentials, subscriberOptions)
        : // Any target but a cluster opens one plain connection.
          (openRedisWith(ioredis, target, subscriberOptions) as Redis),
  };
}

/**
 * Cluster broadcasts PUBLISH to every node, so one plain connection to any node hears every
 * message. When that node stops answering, each reconnection attempt moves to the next seed.
 */
function openClusterSubscriber(
  nodes: HostPort[],
  credentials: Credentials,
  subscriberOptions: RedisOptions,
): Redis {
  const [first] = nodes;
  if (first === undefined) throw new TypeError('a redis+cluster:// url needs a host');
  const subscriber: Redis = new Redis({
    ...subscriberOptions,
    ...credentials,
    host: first.host,
    port: first.port,
    retryStrategy(times) {
      const next = nodes[times % nodes.length] ?? first;
      // ioredis reads host and port from these options on every connection attempt.
      subscriber.options.host = next.host;
      subscriber.options.port = next.port;
      return retryDelay(times);
    },
  });
  return subscriber;
}

// Replies that mean "not now" rather than "your command is wrong".
const unavailableReply = /^(CLUSTERDOWN|LOADING|MASTERDOWN|TRYAGAIN|READONLY|BUSY|NOREPLICAS)\b/;

/**
 * The error callers see when Redis cannot be reached (a 503), with ioredis's error kept as
 * `cause` for the logs and never shown to a client. Any other Redis reply error is a bug in a
 * command or script and is passed on as it is.
 */
export function redisUnavailable(cause: unknown): Error {
  if (cause instanceof TesseraError) return cause;
  if (
    cause instanceof Error &&
    cause.name === 'ReplyError' &&
    !unavailableReply.test(cause.message)
  ) {
    return cause;
  }
  const error = new TesseraError('store_unavailable', 'redis did not answer');
  error.cause = cause;
  return error;
}

/** Awaits one Redis call, turning "Redis is not there" into store_unavailable. */
export async function guard<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (cause) {
    throw redisUnavailable(cause);
  }
}

/** A Lua script run by EVALSHA (ioredis loads it on NOSCRIPT), keys first, then arguments. */
export type Script = (keys: readonly string[], args: readonly string[]) => Promise<unknown>;

/** Defines `lua` on `client` under `name`; every call goes through `guard`. */
export function defineScript(
  client: RedisClient,
  name: string,
  keyCount: number,
  lua: string,
): Script {
  client.defineCommand(name, { numberOfKeys: keyCount, lua });
  const command = (client as unknown as Record<string, unknown>)[name];
  if (typeof command !== 'function') throw new TypeError(`ioredis did not define ${name}`);
  return (keys, args) => {
    if (keys.length !== keyCount) throw new TypeError(`${name} takes ${keyCount} keys`);
    return guard(Promise.resolve(command.call(client, ...keys, ...args) as unknown));
  };
}
