import type { RateLimitStore } from '../ports.js';
import { defineScript, type RedisClient } from './connect.js';
import { EXPIRY_MARGIN_MS, type KeyLayout, type RateLimitBucket } from './key-layout.js';

/** Ended windows one sweep script deletes per bucket before it is run again. */
const SWEEP_LIMIT = 500;

// KEYS: counter, bucket index. ARGV: now, resetAt of a new window, ttl (ms), key, counter prefix
// Returns {count, resetAt}. A window ends at resetAt itself, so a hit at resetAt opens the next.
const hit = `
local resetAt = redis.call('HGET', KEYS[1], 'resetAt')
if resetAt and tonumber(resetAt) > tonumber(ARGV[1]) then
  return {redis.call('HINCRBY', KEYS[1], 'count', 1), resetAt}
end
redis.call('HSET', KEYS[1], 'count', 1, 'resetAt', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[4])
-- The index lives as long as its longest-lived counter (PTTL is -1 on a key just created).
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
-- Counters Redis forgot by TTL leave index entries behind; each new window drops up to two.
for _, other in ipairs(redis.call('ZRANGE', KEYS[2], 0, 1)) do
  if redis.call('EXISTS', ARGV[5] .. other) == 0 then redis.call('ZREM', KEYS[2], other) end
end
return {1, ARGV[2]}
`;

// KEYS: counter, bucket index. ARGV: key
const reset = `
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 0
`;

// KEYS: bucket index. ARGV: now, limit, counter prefix. Returns {more, deleted}.
const sweep = `
local now, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, limit)
local deleted = 0
for _, key in ipairs(due) do
  local resetAt = redis.call('HGET', ARGV[3] .. key, 'resetAt')
  if resetAt and tonumber(resetAt) > now then
    -- A window still running: the index was behind. Put it right; it is not picked again.
    redis.call('ZADD', KEYS[1], resetAt, key)
  else
    if resetAt then
      redis.call('DEL', ARGV[3] .. key)
      deleted = deleted + 1
    end
    redis.call('ZREM', KEYS[1], key)
  end
end
local more = 0
if #due == limit then more = 1 end
return {more, deleted}
`;

function numbers(reply: unknown): [number, number] {
  const [first, second] = Array.isArray(reply) ? (reply as unknown[]) : [];
  return [Number(first), Number(second)];
}

/**
 * A RateLimitStore on Redis: a fixed-window counter per key, counted by one script so that
 * concurrent hits are each counted once. The caller's `now` decides when a window ends, as the
 * port wants; the counter's TTL (the window plus EXPIRY_MARGIN_MS, set when a window opens) only
 * lets Redis forget it by itself. deleteExpired still deletes, and counts, ended windows Redis
 * has not forgotten yet, found through the bucket's index of window ends.
 */
export function createRedisRateLimitStore(client: RedisClient, keys: KeyLayout): RateLimitStore {
  const scripts = {
    hit: defineScript(client, 'tesseraRateLimitHit', 2, hit),
    reset: defineScript(client, 'tesseraRateLimitReset', 2, reset),
    sweep: defineScript(client, 'tesseraRateLimitSweep', 1, sweep),
  };

  async function sweepBucket(bucket: RateLimitBucket, now: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      const [more, count] = numbers(
        await scripts.sweep([bucket.ends], [String(now), String(SWEEP_LIMIT), bucket.counter]),
      );
      deleted += count;
      if (more !== 1) return deleted;
    }
  }

  return {
    async hit(key, windowMs, now) {
      const bucket = keys.rateLimitBucketOf(key);
      const [count, resetAt] = numbers(
        await scripts.hit(
          [bucket.counter + key, bucket.ends],
          [
            String(now),
            String(now + windowMs),
            String(Math.ceil(windowMs) + EXPIRY_MARGIN_MS),
            key,
            bucket.counter,
          ],
        ),
      );
      return { count, resetAt };
    },

    async reset(key) {
      const bucket = keys.rateLimitBucketOf(key);
      await scripts.reset([bucket.counter + key, bucket.ends], [key]);
    },

    async deleteExpired(now) {
      const counts = await Promise.all(
        keys.rateLimitBuckets().map((bucket) => sweepBucket(bucket, now)),
      );
      return counts.reduce((sum, count) => sum + count, 0);
    },
  };
}
