/**
 * The shared PostgreSQL and Redis (127.0.0.1:5432 and :6379): each run gets a database and a
 * key prefix of its own and removes them at the end. Nothing here ever stops, flushes or
 * reconfigures the shared servers.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { ISSUER } from './http.js';

/** Where the shared PostgreSQL is (database `test`, user postgres). */
export const SHARED_POSTGRES =
  process.env.TESSERA_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Where the shared Redis is. */
export const SHARED_REDIS = process.env.TESSERA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function adminPool(): pg.Pool {
  const pool = new pg.Pool({
    connectionString: SHARED_POSTGRES,
    max: 1,
    connectionTimeoutMillis: 3000,
  });
  pool.on('error', () => {});
  return pool;
}

/** Whether the shared PostgreSQL and Redis both answer. */
export async function sharedServersAnswer(): Promise<boolean> {
  const pool = adminPool();
  const redis = redisClient(SHARED_REDIS);
  try {
    await pool.query('select 1');
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
    await pool.end();
  }
}

function redisClient(url: string): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  return client;
}

/** A database of this run's own on the shared PostgreSQL. */
export interface FreshDatabase {
  name: string;
  url: string;
  /** Drops it, disconnecting whoever is still connected. */
  drop(): Promise<void>;
}

/** Creates `tessera_<random>` on the shared PostgreSQL. */
export async function freshDatabase(): Promise<FreshDatabase> {
  const name = `tessera_${randomBytes(6).toString('hex')}`;
  const pool = adminPool();
  try {
    await pool.query(`create database ${name}`);
  } finally {
    await pool.end();
  }
  const url = new URL(SHARED_POSTGRES);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const admin = adminPool();
      try {
        await admin.query(`drop database if exists ${name} with (force)`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** A key prefix of this run's own, e.g. `tcl-1a2b3c4d:`. */
export function freshPrefix(): string {
  return `tcl-${randomBytes(4).toString('hex')}:`;
}

/** Deletes every key starting with `prefix` (SCAN + DEL; never FLUSHALL). */
export async function deleteKeys(url: string, prefix: string): Promise<number> {
  if (!/^tcl-[0-9a-f]{8}:$/.test(prefix)) throw new Error(`refusing to delete ${prefix}*`);
  const client = redisClient(url);
  let deleted = 0;
  try {
    await client.connect();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
  return deleted;
}

/** The environment every instance of one service shares. */
export function serviceEnv(extra: Record<string, string>): Record<string, string> {
  return {
    TESSERA_ISSUER: ISSUER,
    TESSERA_ALLOWED_ORIGINS: ISSUER,
    TESSERA_ARGON2_MEMORY_KIB: '1024',
    TESSERA_ARGON2_ITERATIONS: '1',
    // Every request of a test comes from 127.0.0.1: the per-IP limits would otherwise be the
    // first thing a run meets. The per-account login limit stays at its default of 10.
    TESSERA_LOGIN_IP_LIMIT: '100000',
    TESSERA_SIGNUP_IP_LIMIT: '100000',
    ...extra,
  };
}

/**
 * Services of this run on the shared servers: each gets a fresh database and Redis prefix, and
 * `remove` (for `after`) drops and deletes them all.
 */
export class SharedServices {
  private readonly databases: FreshDatabase[] = [];
  private readonly prefixes: string[] = [];

  /** The environment of a new service, plus `extra`. */
  async create(extra: Record<string, string> = {}): Promise<Record<string, string>> {
    const database = await freshDatabase();
    this.databases.push(database);
    const prefix = freshPrefix();
    this.prefixes.push(prefix);
    return serviceEnv({
      TESSERA_DATABASE_URL: database.url,
      TESSERA_REDIS_URL: SHARED_REDIS,
      TESSERA_REDIS_PREFIX: prefix,
      ...extra,
    });
  }

  async remove(): Promise<void> {
    await Promise.all(this.databases.map((database) => database.drop()));
    for (const prefix of this.prefixes) await deleteKeys(SHARED_REDIS, prefix);
  }
}
