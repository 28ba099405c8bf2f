/**
 * The stores a configuration names: SQL (SQLite or PostgreSQL) for durable state, and, with
 * TESSERA_REDIS_URL, Redis for sessions, rate limits and the messages between instances.
 * Every shape has an event bus: Redis pub/sub when Redis is configured, else the SQL
 * database's own (PostgreSQL LISTEN/NOTIFY, or a watched table in the SQLite file).
 */
import { createRedisStores } from '../stores/redis/index.js';
import { createSqlStores } from '../stores/sql/index.js';
import type { Config } from '../config.js';
import type { RedisStores } from '../stores/redis/index.js';
import type { EventBus, Stores } from '../stores/ports.js';

/** The opened stores, the bus between processes, and Redis when configured. */
export interface OpenedStores {
  stores: Stores;
  bus: EventBus;
  redis: RedisStores | undefined;
}

/** Opens SQL, and Redis when a URL is configured; /readyz then pings both. */
export async function openStores(
  config: Pick<Config, 'databaseUrl' | 'redisUrl' | 'redisPrefix'>,
): Promise<OpenedStores> {
  const sql = await createSqlStores({ url: config.databaseUrl });
  if (config.redisUrl === undefined) return { stores: sql, bus: sql.bus, redis: undefined };
  let redis: RedisStores;
  try {
    redis = await createRedisStores({ url: config.redisUrl, keyPrefix: config.redisPrefix });
  } catch (error) {
    await sql.close();
    throw error;
  }
  const stores: Stores = {
    ...sql,
    sessions: redis.sessions,
    rateLimits: redis.rateLimits,
    async ping() {
      await Promise.all([sql.ping(), redis.ping()]);
    },
    async close() {
      await redis.close();
      await sql.close();
    },
  };
  // The SQL bus stays unopened (it opens nothing before a subscription): Redis carries it all.
  return { stores, bus: redis.bus, redis };
}
