import type { SessionRecord, SessionStore } from '../ports.js';
import { guard, type RedisClient } from './connect.js';
import { EXPIRY_MARGIN_MS, type KeyLayout } from './key-layout.js';
import { defineSessionScripts } from './session-scripts.js';

/** Due sessions one sweep script deletes per bucket and index before it is run again. */
const SWEEP_LIMIT = 500;

const fields = [
  'id',
  'secretHash',
  'userId',
  'createdAt',
  'lastSeenAt',
  'absoluteExpiresAt',
  'userAgent',
  'ip',
  'csrfSecret',
] as const;

/** A session that ended, and the lookup keys that still point at it. */
interface Ended {
  id: string;
  userId: string;
  secretHash: string;
}

function toSession(hash: Record<string, string>): SessionRecord | undefined {
  const [id, secretHash, userId, createdAt, lastSeenAt, absoluteExpiresAt, userAgent, ip, csrf] =
    fields.map((field) => hash[field]);
  if (
    id === undefined ||
    secretHash === undefined ||
    userId === undefined ||
    createdAt === undefined ||
    lastSeenAt === undefined ||
    absoluteExpiresAt === undefined ||
    userAgent === undefined ||
    ip === undefined ||
    csrf === undefined
  ) {
    return undefined;
  }
  return {
    id,
    secretHash,
    userId,
    createdAt: Number(createdAt),
    lastSeenAt: Number(lastSeenAt),
    absoluteExpiresAt: Number(absoluteExpiresAt),
    userAgent,
    ip,
    csrfSecret: csrf,
  };
}

function fromPairs(flat: unknown): Record<string, string> {
  const hash: Record<string, string> = {};
  if (!Array.isArray(flat)) return hash;
  for (let index = 0; index + 1 < flat.length; index += 2) {
    hash[String(flat[index])] = String(flat[index + 1]);
  }
  return hash;
}

function strings(reply: unknown): string[] {
  return Array.isArray(reply) ? reply.map(String) : [];
}

/** What the secret-hash lookup key holds: enough to find the session's bucket. */
function pointer(userId: string, id: string): string {
  return JSON.stringify([userId, id]);
}

function readPointer(value: string): { userId: string; id: string } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  const [userId, id] = parsed as unknown[];
  return typeof userId === 'string' && typeof id === 'string' ? { userId, id } : undefined;
}

/**
 * A SessionStore on Redis. A session is a hash in its user's bucket (key-layout.ts), listed in the
 * user's set and in the bucket's idle and expiry indexes, all written and deleted together by
 * one script. Two lookup keys elsewhere lead to it: secret hash → [userId, id] and id → userId.
 *
 * Those lookups live in other hash slots, so on Cluster no script can write them with the
 * session; the order keeps every moment safe instead. Insert claims both lookups first (SET NX,
 * which is also what refuses a reused id or secret hash) and writes the session last: a session
 * is findable only once it is in its user's set, so log-out-everywhere always reaches it. Deletes
 * remove the session first and the lookups after; a lookup left behind by a crash leads nowhere
 * (the hash is gone or holds another secret) and expires with the session's TTL.
 *
 * Every key gets a TTL of the session's remaining life (absoluteExpiresAt − createdAt, measured
 * on the caller's clock as the port wants) plus EXPIRY_MARGIN_MS, so Redis forgets dead sessions
 * by itself; deleteExpired finds idle and expired ones through the bucket indexes.
 */
export function createRedisSessionStore(client: RedisClient, keys: KeyLayout): SessionStore {
  const scripts = defineSessionScripts(client);

  async function claim(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (await guard(client.set(key, value, 'PX', ttlMs, 'NX'))) === 'OK';
  }

  async function release(ended: readonly Ended[]): Promise<void> {
    await Promise.all(
      ended.flatMap(({ id, userId, secretHash }) => [
        scripts.release([keys.secret(secretHash)], [pointer(userId, id)]),
        scripts.release([keys.sessionOwner(id)], [userId]),
      ]),
    );
  }

  async function sweepBucket(
    bucket: ReturnType<KeyLayout['sessionBucketOf']>,
    now: number,
    idleMs: number,
  ): Promise<number> {
    let deleted = 0;
    for (;;) {
      const reply = await scripts.sweep(
        [bucket.idle, bucket.ends],
        [String(now), String(now - idleMs), String(SWEEP_LIMIT), bucket.session, bucket.user],
      );
      const [more, flat] = Array.isArray(reply) ? reply : [];
      const list = strings(flat);
      const ended: Ended[] = [];
      for (let index = 0; index + 2 < list.length; index += 3) {
        ended.push({
          id: list[index] ?? '',
          userId: list[index + 1] ?? '',
          secretHash: list[index + 2] ?? '',
        });
      }
      await release(ended);
      deleted += ended.length;
      if (more !== 1) return deleted;
    }
  }

  return {
    async insert(session) {
      const lifeMs = Math.ceil(session.absoluteExpiresAt - session.createdAt);
      const ttlMs = Math.max(0, lifeMs) + EXPIRY_MARGIN_MS;
      const owner = keys.sessionOwner(session.id);
      const secret = keys.secret(session.secretHash);
      const secretPointer = pointer(session.userId, session.id);
      // Like the SQL unique indexes: overwriting would hand one user's session to another.
      if (!(await claim(owner, session.userId, ttlMs))) {
        throw new Error(`session id ${session.id} already exists`);
      }
      if (!(await claim(secret, secretPointer, ttlMs))) {
        await scripts.release([owner], [session.userId]);
        throw new Error('session secret hash exists');
      }
      const bucket = keys.sessionBucketOf(session.userId);
      const inserted = await scripts.insert(
        [bucket.session + session.id, bucket.user + session.userId, bucket.idle, bucket.ends],
        [...fields.map((field) => String(session[field])), String(ttlMs), bucket.session],
      );
      if (inserted !== 1) {
        // A hash outlived its lookup keys (they are set a moment earlier, so expire first).
        await release([session]);
        throw new Error(`session id ${session.id} already exists`);
      }
    },

    async findBySecretHash(secretHash) {
      const value = await guard(client.get(keys.secret(secretHash)));
      const target = value === null ? undefined : readPointer(value);
      if (!target) return undefined;
      const bucket = keys.sessionBucketOf(target.userId);
      const session = toSession(await guard(client.hgetall(bucket.session + target.id)));
      // A lookup left behind by an interrupted delete must not lead to another session.
      return session?.secretHash === secretHash ? session : undefined;
    },

    // Users live in SQL: two round trips (Redis, then the user store), as before this method.
    async findBySecretHashWithUser(secretHash, users) {
      const session = await this.findBySecretHash(secretHash);
      return session && { session, user: await users.findById(session.userId) };
    },

    async touch(userId, id, lastSeenAt) {
      const bucket = keys.sessionBucketOf(userId);
      await scripts.touch([bucket.session + id, bucket.idle], [String(lastSeenAt), id, userId]);
    },

    async listByUser(userId) {
      const bucket = keys.sessionBucketOf(userId);
      const reply = await scripts.list([bucket.user + userId], [bucket.session]);
      const sessions = (Array.isArray(reply) ? reply : [])
        .map((flat) => toSession(fromPairs(flat)))
        .filter((session) => session !== undefined);
      return sessions.sort(
        (a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
      );
    },

    async deleteForUser(userId, id) {
      const bucket = keys.sessionBucketOf(userId);
      const secretHash = await scripts.deleteOne(
        [bucket.session + id, bucket.user + userId, bucket.idle, bucket.ends],
        [userId, id],
      );
      if (typeof secretHash !== 'string') return false;
      await release([{ id, userId, secretHash }]);
      return true;
    },

    async deleteAllForUser(userId, exceptId) {
      const bucket = keys.sessionBucketOf(userId);
      const list = strings(
        await scripts.deleteAll(
          [bucket.user + userId, bucket.idle, bucket.ends],
          [bucket.session, exceptId === undefined ? '0' : '1', exceptId ?? ''],
        ),
      );
      const ended: Ended[] = [];
      for (let index = 0; index + 1 < list.length; index += 2) {
        ended.push({ id: list[index] ?? '', userId, secretHash: list[index + 1] ?? '' });
      }
      await release(ended);
      return ended.length;
    },

    async deleteExpired(now, idleMs) {
      // Bounded work: each script call handles at most SWEEP_LIMIT entries per index.
      const counts = await Promise.all(
        keys.sessionBuckets().map((bucket) => sweepBucket(bucket, now, idleMs)),
      );
      return counts.reduce((sum, count) => sum + count, 0);
    },
  };
}
