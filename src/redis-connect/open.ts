/**
 * One way to open a Redis connection from a parsed URL, for the server's stores and for
 * verifiers: a plain server, a master found through Sentinel, or a Cluster. The caller says how
 * the connection behaves (timeouts, retries, queueing); this module says where it goes. ioredis
 * is loaded only when a connection is opened, so that a verifier without Redis never needs it.
 */
import { TesseraError } from '../core/errors.js';
import type { Cluster, ClusterNode, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import type { RedisTarget } from './url.js';

/** A connection to one server (plain or via Sentinel) or to a Cluster. */
export type RedisClient = Redis | Cluster;

/** What `new Redis(…)` or `new Cluster(…)` is given for a target. */
export type ConnectionPlan =
  | { kind: 'redis'; url?: string; options: RedisOptions }
  | { kind: 'cluster'; nodes: ClusterNode[]; options: ClusterOptions };

/** Reconnect soon, then every second: a Redis that comes back is found again within ~1 s. */
export function retryDelay(times: number): number {
  return Math.min(times * 100, 1000);
}

// After a Sentinel failover the old master may answer writes with READONLY until ioredis asks
// the sentinels again; reconnecting does that.
function reconnectOnReadOnly(error: Error): boolean {
  return error.message.startsWith('READONLY');
}

/** Maps a target and the caller's connection behaviour (`base`) to ioredis's options. */
export function connectionPlan(target: RedisTarget, base: RedisOptions): ConnectionPlan {
  switch (target.mode) {
    case 'standalone':
      return { kind: 'redis', url: target.url, options: base };
    case 'sentinel': {
      const { username, password } = target.sentinelCredentials;
      return {
        kind: 'redis',
        options: {
          ...base,
          sentinels: target.sentinels,
          name: target.name,
          db: target.db,
          ...target.credentials,
          ...(username === undefined ? {} : { sentinelUsername: username }),
          ...(password === undefined ? {} : { sentinelPassword: password }),
          reconnectOnError: reconnectOnReadOnly,
          // Ask the sentinels again until one answers: without a delay to return, ioredis would
          // give the connection up for good. Callers bound the wait at start.
          sentinelRetryStrategy: retryDelay,
        },
      };
    }
    case 'cluster': {
      const connectTimeoutMs = base.connectTimeout ?? 2000;
      return {
        kind: 'cluster',
        nodes: target.nodes,
        options: {
          lazyConnect: base.lazyConnect ?? true,
          clusterRetryStrategy: retryDelay,
          slotsRefreshTimeout: connectTimeoutMs,
          retryDelayOnFailover: 100,
          retryDelayOnClusterDown: 100,
          retryDelayOnTryAgain: 100,
          maxRedirections: 4,
          redisOptions: {
            connectTimeout: connectTimeoutMs,
            ...pick(base, 'commandTimeout', 'connectionName'),
            maxRetriesPerRequest: base.maxRetriesPerRequest ?? 1,
            autoResendUnfulfilledCommands: false,
            ...target.credentials,
          },
        },
      };
    }
  }
}

/** The ioredis constructors; the stores pass their own, verifiers let `openRedis` load them. */
export interface IoRedis {
  Redis: typeof Redis;
  Cluster: typeof Cluster;
}

/** Opens (lazily: nothing is sent before `connect()` unless `base` says so) a connection. */
export function openRedisWith(
  ioredis: IoRedis,
  target: RedisTarget,
  base: RedisOptions,
): RedisClient {
  const plan = connectionPlan(target, base);
  if (plan.kind === 'cluster') return new ioredis.Cluster(plan.nodes, plan.options);
  return plan.url === undefined
    ? new ioredis.Redis(plan.options)
    : new ioredis.Redis(plan.url, plan.options);
}

/** As openRedisWith, loading ioredis first (an optional dependency of verifiers). */
export async function openRedis(target: RedisTarget, base: RedisOptions): Promise<RedisClient> {
  let ioredis: { Redis: typeof Redis; Cluster: typeof Cluster };
  try {
    ioredis = await import('ioredis');
  } catch (cause) {
    // A verifier installs ioredis only when it reads revocations from Redis: say what to add.
    const error = new TesseraError(
      'invalid_config',
      'a Redis URL needs the ioredis package: npm install ioredis',
    );
    error.cause = cause;
    throw error;
  }
  return openRedisWith({ Redis: ioredis.Redis, Cluster: ioredis.Cluster }, target, base);
}

function pick<K extends keyof RedisOptions>(options: RedisOptions, ...keys: K[]): RedisOptions {
  const picked: RedisOptions = {};
  for (const key of keys) if (options[key] !== undefined) picked[key] = options[key];
  return picked;
}
