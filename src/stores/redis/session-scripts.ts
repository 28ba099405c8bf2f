/**
 * The Lua scripts behind the Redis SessionStore. Each runs atomically and touches the keys of
 * one session bucket only (one hash slot, see key-layout.ts); keys it derives from an id are built from
 * a prefix of that bucket passed in ARGV. Times travel as the caller's decimal strings and are
 * stored as they came: a Lua number turned back into a string could come out as `8.64e+15`.
 */
import { defineScript, type RedisClient, type Script } from './connect.js';

// KEYS: session, user set, idle index, ends index
// ARGV: id, secretHash, userId, createdAt, lastSeenAt, absoluteExpiresAt, userAgent, ip,
//       csrfSecret, ttl (ms), session key prefix
const insert = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local id, ttl = ARGV[1], tonumber(ARGV[10])
redis.call('HSET', KEYS[1], 'id', id, 'secretHash', ARGV[2], 'userId', ARGV[3],
  'createdAt', ARGV[4], 'lastSeenAt', ARGV[5], 'absoluteExpiresAt', ARGV[6],
  'userAgent', ARGV[7], 'ip', ARGV[8], 'csrfSecret', ARGV[9])
redis.call('PEXPIRE', KEYS[1], ARGV[10])
redis.call('SADD', KEYS[2], id)
redis.call('ZADD', KEYS[3], ARGV[5], id)
redis.call('ZADD', KEYS[4], ARGV[6], id)
-- The user's set and the indexes live as long as their longest-lived session (PTTL is -1 on a
-- key just created), so Redis forgets them too once every session in them is over.
for index = 2, 4 do
  if redis.call('PTTL', KEYS[index]) < ttl then redis.call('PEXPIRE', KEYS[index], ARGV[10]) end
end
-- Sessions Redis forgot by TTL leave index entries behind; each insert drops up to two.
for _, other in ipairs(redis.call('ZRANGE', KEYS[4], 0, 1)) do
  if redis.call('EXISTS', ARGV[11] .. other) == 0 then
    redis.call('ZREM', KEYS[3], other)
    redis.call('ZREM', KEYS[4], other)
  end
end
return 1
`;

// KEYS: session, idle index. ARGV: lastSeenAt, id, userId
// A bucket holds many users' sessions: the owner is checked, as deleteOne does.
const touch = `
local fields = redis.call('HMGET', KEYS[1], 'lastSeenAt', 'userId')
local current = fields[1]
if current and fields[2] == ARGV[3] and tonumber(current) < tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'lastSeenAt', ARGV[1])
  redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2])
end
return 0
`;

// KEYS: session, user set, idle index, ends index. ARGV: userId, id
// Returns the secret hash of the session it deleted, or nil.
const deleteOne = `
local fields = redis.call('HMGET', KEYS[1], 'userId', 'secretHash')
if fields[1] ~= ARGV[1] then return false end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[2])
redis.call('ZREM', KEYS[4], ARGV[2])
return fields[2]
`;

// KEYS: user set, idle index, ends index. ARGV: session key prefix, '1' if an id is spared, id
// Returns id, secretHash, id, secretHash… of the sessions it deleted.
const deleteAll = `
local ended = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if ARGV[2] ~= '1' or id ~= ARGV[3] then
    local secret = redis.call('HGET', ARGV[1] .. id, 'secretHash')
    if secret then
      redis.call('DEL', ARGV[1] .. id)
      ended[#ended + 1] = id
      ended[#ended + 1] = secret
    end
    redis.call('SREM', KEYS[1], id)
    redis.call('ZREM', KEYS[2], id)
    redis.call('ZREM', KEYS[3], id)
  end
end
return ended
`;

// KEYS: user set. ARGV: session key prefix. Returns each session's HGETALL.
const list = `
local sessions = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local fields = redis.call('HGETALL', ARGV[1] .. id)
  if #fields == 0 then
    redis.call('SREM', KEYS[1], id)
  else
    sessions[#sessions + 1] = fields
  end
end
return sessions
`;

// KEYS: idle index, ends index
// ARGV: now, idle cutoff (now - idleMs), limit, session key prefix, user set prefix
// Deletes up to 2 × limit due sessions of the bucket. Returns {more, {id, userId, secretHash…}}:
// more is 1 when a range was cut at limit, so the caller runs it again.
const sweep = `
local now, cutoff, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local byEnd = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, limit)
local byIdle = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, limit)
local more = 0
if #byEnd == limit or #byIdle == limit then more = 1 end
local seen, ended = {}, {}
for _, range in ipairs({byEnd, byIdle}) do
  for _, id in ipairs(range) do
    if not seen[id] then
      seen[id] = true
      local key = ARGV[4] .. id
      local f = redis.call('HMGET', key, 'userId', 'secretHash', 'lastSeenAt', 'absoluteExpiresAt')
      if not f[1] then
        redis.call('ZREM', KEYS[1], id)
        redis.call('ZREM', KEYS[2], id)
      elseif tonumber(f[4]) <= now or tonumber(f[3]) <= cutoff then
        redis.call('DEL', key)
        redis.call('SREM', ARGV[5] .. f[1], id)
        redis.call('ZREM', KEYS[1], id)
        redis.call('ZREM', KEYS[2], id)
        ended[#ended + 1] = id
        ended[#ended + 1] = f[1]
        ended[#ended + 1] = f[2]
      else
        -- Not due after all: the index was behind the hash. Put it right; it is not picked again.
        redis.call('ZADD', KEYS[1], f[3], id)
        redis.call('ZADD', KEYS[2], f[4], id)
      end
    end
  end
end
return {more, ended}
`;

// KEYS: pointer. ARGV: the value it must still hold. Deletes it only then.
const release = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** The session scripts, defined on one client. */
export interface SessionScripts {
  insert: Script;
  touch: Script;
  deleteOne: Script;
  deleteAll: Script;
  list: Script;
  sweep: Script;
  release: Script;
}

/** Defines every session script on `client`. */
export function defineSessionScripts(client: RedisClient): SessionScripts {
  return {
    insert: defineScript(client, 'tesseraSessionInsert', 4, insert),
    touch: defineScript(client, 'tesseraSessionTouch', 2, touch),
    deleteOne: defineScript(client, 'tesseraSessionDeleteOne', 4, deleteOne),
    deleteAll: defineScript(client, 'tesseraSessionDeleteAll', 3, deleteAll),
    list: defineScript(client, 'tesseraSessionList', 1, list),
    sweep: defineScript(client, 'tesseraSessionSweep', 2, sweep),
    release: defineScript(client, 'tesseraRelease', 1, release),
  };
}
