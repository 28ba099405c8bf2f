import { Cluster, Redis, type ClusterNode, type RedisOptions } from 'ioredis';
import { TesseraError } from '../../core/errors.js';

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

/** What the stores send commands through: one server (plain or via Sentinel) or a Cluster. */
export type RedisClient = Redis | Cluster;

/** Host and port of a sentinel or a cluster seed node. */
export interface HostPort {
  host: string;
  port: number;
}

/** Credentials from the user-info part of a URL. */
export interface Credentials {
  username?: string;
  password?: string;
}

/** Where Redis is, as the URL says. */
export type RedisTarget =
  | { mode: 'standalone'; url: string }
  | {
      mode: 'sentinel';
      sentinels: HostPort[];
      name: string;
      db: number;
      credentials: Credentials;
      sentinelCredentials: Credentials;
    }
  | { mode: 'cluster'; nodes: HostPort[]; credentials: Credentials };

// scheme://[userinfo@]host[:port][,host[:port]…][/path][?query]
const multiHostUrl =
  /^(redis\+sentinel|redis\+cluster):\/\/(?:([^@/?#]*)@)?([^/?#]+)([^?#]*)(?:\?([^#]*))?$/;
const hostPort = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/;

/** Reads a Redis URL; a bad one is refused without echoing it, since it may hold a password. */
export function parseRedisUrl(url: string): RedisTarget {
  if (url.startsWith('redis://') || url.startsWith('rediss://')) {
    return { mode: 'standalone', url };
  }
  const match = multiHostUrl.exec(url);
  if (!match) {
    throw new TypeError(
      'the Redis url must start with redis://, rediss://, redis+sentinel:// or redis+cluster://',
    );
  }
  const [, scheme = '', userInfo, hosts = '', path = '', query = ''] = match;
  const sentinel = scheme === 'redis+sentinel';
  const nodes = hosts.split(',').map((host) => parseHost(host, sentinel ? 26379 : 6379));
  const credentials = userInfo === undefined ? {} : parseUserInfo(userInfo);
  if (!sentinel) {
    if (path !== '' && path !== '/') throw new TypeError('a redis+cluster:// url takes no path');
    return { mode: 'cluster', nodes, credentials };
  }
  const [, name = '', db = '0', ...rest] = path.split('/');
  if (name === '' || rest.length > 0 || !/^\d{1,2}$/.test(db)) {
    throw new TypeError('a redis+sentinel:// url needs /<master name>[/<db>] after the hosts');
  }
  const params = new URLSearchParams(query);
  return {
    mode: 'sentinel',
    sentinels: nodes,
    name: decodeURIComponent(name),
    db: Number(db),
    credentials,
    sentinelCredentials: definedOnly({
      username: params.get('sentinelUsername') ?? undefined,
      password: params.get('sentinelPassword') ?? undefined,
    }),
  };
}

function parseHost(text: string, defaultPort: number): HostPort {
  const match = hostPort.exec(text);
  const port = Number(match?.[3] ?? defaultPort);
  const host = match?.[1] ?? match?.[2];
  if (host === undefined || port < 1 || port > 65535) {
    throw new TypeError('a Redis url host must be host[:port] or [ipv6][:port]');
  }
  return { host, port };
}

function parseUserInfo(userInfo: string): Credentials {
  const colon = userInfo.indexOf(':');
  const username = colon < 0 ? userInfo : userInfo.slice(0, colon);
  const password = colon < 0 ? undefined : userInfo.slice(colon + 1);
  return definedOnly({
    username: username === '' ? undefined : decodeURIComponent(username),
    password: password === undefined ? undefined : decodeURIComponent(password),
  });
}

function definedOnly(credentials: {
  username: string | undefined;
  password: string | undefined;
}): Credentials {
  return {
    ...(credentials.username === undefined ? {} : { username: credentials.username }),
    ...(credentials.password === undefined ? {} : { password: credentials.password }),
  };
}

/** Reconnect soon, then every second: a Redis that comes back is found again within ~1 s. */
function retryDelay(times: number): number {
  return Math.min(times * 100, 1000);
}

function commonOptions(options: RedisStoreOptions): RedisOptions {
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

// After a Sentinel failover the old master may answer writes with READONLY until ioredis asks
// the sentinels again; reconnecting does that.
function reconnectOnReadOnly(error: Error): boolean {
  return error.message.startsWith('READONLY');
}

/** The command connection and the subscriber connection for `target`, not yet connected. */
export function openClients(
  target: RedisTarget,
  options: RedisStoreOptions,
): { client: RedisClient; subscriber: Redis } {
  const common = commonOptions(options);
  // The bus resubscribes by itself, so that it knows when it is subscribed again (bus.ts).
  const subscriberOptions: RedisOptions = { ...common, autoResubscribe: false };
  switch (target.mode) {
    case 'standalone':
      return {
        client: new Redis(target.url, common),
        subscriber: new Redis(target.url, subscriberOptions),
      };
    case 'sentinel': {
      const sentinel: RedisOptions = {
        sentinels: target.sentinels,
        name: target.name,
        db: target.db,
        ...target.credentials,
        ...(target.sentinelCredentials.username === undefined
          ? {}
          : { sentinelUsername: target.sentinelCredentials.username }),
        ...(target.sentinelCredentials.password === undefined
          ? {}
          : { sentinelPassword: target.sentinelCredentials.password }),
        reconnectOnError: reconnectOnReadOnly,
        // Ask the sentinels again until one answers: without a delay to return, ioredis would
        // give the connection up for good. createRedisStores bounds the wait at start.
        sentinelRetryStrategy: retryDelay,
      };
      return {
        client: new Redis({ ...common, ...sentinel }),
        subscriber: new Redis({ ...subscriberOptions, ...sentinel }),
      };
    }
    case 'cluster':
      return {
        client: openCluster(target.nodes, target.credentials, common),
        subscriber: openClusterSubscriber(target.nodes, target.credentials, subscriberOptions),
      };
  }
}

function openCluster(nodes: HostPort[], credentials: Credentials, common: RedisOptions): Cluster {
  const connectTimeout = common.connectTimeout ?? 2000;
  return new Cluster(nodes satisfies ClusterNode[], {
    lazyConnect: true,
    clusterRetryStrategy: retryDelay,
    slotsRefreshTimeout: connectTimeout,
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 100,
    maxRedirections: 4,
    redisOptions: {
      connectTimeout,
      ...(common.commandTimeout === undefined ? {} : { commandTimeout: common.commandTimeout }),
      maxRetriesPerRequest: 1,
      autoResendUnfulfilledCommands: false,
      ...credentials,
    },
  });
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
export function storeUnavailable(cause: unknown): Error {
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
    throw storeUnavailable(cause);
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
