import * as assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { TesseraError } from '../../src/core/errors.js';
import type { SessionRecord } from '../../src/stores/ports.js';
import { createRedisStores, type RedisStores } from '../../src/stores/redis/index.js';
import { storeContract } from './contract.js';
import { hour, minute, t0 } from './contract/rule.js';
import { adminClient, deleteKeys } from './redis-process.js';
import { onCI } from '../helpers/ci.js';
import { waitUntil } from '../helpers/poll.js';

const url = process.env.TESSERA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const where = new URL(url).host;
const admin = adminClient(url);
after(() => admin.disconnect());

async function redisAnswers(): Promise<boolean> {
  try {
    await admin.connect();
    await admin.ping();
    return true;
  } catch {
    return false;
  }
}

function freshPrefix(): string {
  return `tessera-test:${randomBytes(6).toString('hex')}:`;
}

// The server is shared: each call gets a key prefix of its own, and its keys are deleted when
// the stores close. Never FLUSHALL/FLUSHDB: other runs and other programs may use it.
async function isolatedStores(prefix = freshPrefix()): Promise<RedisStores> {
  const stores = await createRedisStores({ url, keyPrefix: prefix });
  return {
    ...stores,
    async close() {
      await stores.close();
      await deleteKeys(admin, prefix);
    },
  };
}

async function withStores(
  body: (stores: RedisStores, prefix: string) => Promise<void>,
  prefix = freshPrefix(),
): Promise<void> {
  const stores = await isolatedStores(prefix);
  try {
    await body(stores, prefix);
  } finally {
    await stores.close();
  }
}

function aSession(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: randomUUID(),
    secretHash: randomBytes(32).toString('hex'),
    userId: randomUUID(),
    createdAt: t0,
    lastSeenAt: t0,
    absoluteExpiresAt: t0 + hour,
    userAgent: 'curl/8.5.0',
    ip: '198.51.100.9',
    csrfSecret: randomUUID(),
    ...overrides,
  };
}

/** Collects what `subscribe` delivers, with a way to wait for the nth message. */
function inbox() {
  const messages: unknown[] = [];
  return {
    messages,
    handler: (message: unknown) => void messages.push(message),
    until: (count: number) => waitUntil(`${count} messages`, () => messages.length >= count, 3000),
  };
}

if (await redisAnswers()) {
  storeContract('redis', isolatedStores, { only: ['sessions', 'rateLimits'] });

  void describe('redis stores', () => {
    void it('every key has a TTL: the remaining life of the session or window, plus a margin', async () => {
      await withStores(async ({ sessions, rateLimits }, prefix) => {
        await sessions.insert(aSession({ absoluteExpiresAt: t0 + hour }));
        await rateLimits.hit('login:ip:198.51.100.9', minute, t0);
        const keys = await admin.keys(`${prefix}*`);
        assert.ok(keys.length >= 8, keys.join());
        for (const key of keys) {
          const ttl = await admin.pttl(key);
          const life = key.includes('{r') ? minute : hour;
          assert.ok(ttl > life && ttl <= life + 61_000, `${key}: ${ttl}`);
        }
      });
    });

    void it('a lookup key left behind by an interrupted delete finds no session', async () => {
      await withStores(async ({ sessions }, prefix) => {
        const session = aSession();
        await sessions.insert(session);
        // What a crash between deleting the session hash and its lookup keys leaves behind.
        const [hashKey] = await admin.keys(`${prefix}{s*}:session:${session.id}`);
        assert.ok(hashKey);
        await admin.unlink(hashKey);
        assert.equal(await sessions.findBySecretHash(session.secretHash), undefined);
        await sessions.touch(session.userId, session.id, t0 + minute);
        assert.deepEqual(await admin.exists(hashKey), 0);
        assert.deepEqual(await sessions.listByUser(session.userId), []);
        assert.equal(await sessions.deleteForUser(session.userId, session.id), false);
      });
    });

    void it('touch writes the session from what the caller passes, reading no lookup key', async () => {
      await withStores(async ({ sessions }, prefix) => {
        const session = aSession();
        await sessions.insert(session);
        // Without the id → owner key, touch must still reach the session: it needs no read.
        assert.equal(await admin.unlink(`${prefix}owner:${session.id}`), 1);
        await sessions.touch(session.userId, session.id, t0 + minute);
        const found = await sessions.findBySecretHash(session.secretHash);
        assert.equal(found?.lastSeenAt, t0 + minute);
      });
    });

    void it('a lookup key pointing at another session does not hand it out', async () => {
      await withStores(async ({ sessions }, prefix) => {
        const victim = aSession();
        await sessions.insert(victim);
        const forged = randomBytes(32).toString('hex');
        await admin.set(`${prefix}secret:${forged}`, JSON.stringify([victim.userId, victim.id]));
        assert.equal(await sessions.findBySecretHash(forged), undefined);
      });
    });

    void it('stores with different key prefixes share nothing', async () => {
      await withStores(async (first) => {
        await withStores(async (second) => {
          const session = aSession();
          await first.sessions.insert(session);
          await first.rateLimits.hit('shared-key', minute, t0);
          assert.equal(await second.sessions.findBySecretHash(session.secretHash), undefined);
          assert.deepEqual(await second.sessions.listByUser(session.userId), []);
          assert.equal((await second.rateLimits.hit('shared-key', minute, t0)).count, 1);
          await second.sessions.insert(session);
          assert.equal(await second.sessions.deleteAllForUser(session.userId), 1);
          assert.deepEqual(await first.sessions.findBySecretHash(session.secretHash), session);
        });
      });
    });

    void it('the sweep works through more due sessions than one script call takes', async () => {
      await withStores(async ({ sessions }) => {
        const userId = randomUUID();
        const due = Array.from({ length: 1100 }, () => aSession({ userId }));
        await Promise.all(due.map((session) => sessions.insert(session)));
        const live = aSession({
          userId,
          lastSeenAt: t0 + 2 * hour,
          absoluteExpiresAt: t0 + 9 * hour,
        });
        await sessions.insert(live);
        assert.equal(await sessions.deleteExpired(t0 + 2 * hour, 30 * minute), 1100);
        assert.deepEqual(await sessions.listByUser(userId), [live]);
      });
    });

    void it('a key prefix with a brace is refused, since it would pick the cluster slot', async () => {
      await assert.rejects(createRedisStores({ url, keyPrefix: 'tessera{x}:' }), TypeError);
    });
  });

  void describe('redis event bus', () => {
    void it('a message published by one instance reaches subscribers on every instance', async () => {
      const prefix = freshPrefix();
      await withStores(async (first) => {
        const second = await createRedisStores({ url, keyPrefix: prefix });
        try {
          const here = inbox();
          const there = inbox();
          await first.bus.subscribe('sessions', here.handler);
          await second.bus.subscribe('sessions', there.handler);
          await first.bus.publish('sessions', { kind: 'session', id: 'a' });
          await second.bus.publish('sessions', { kind: 'user', userId: 'u' });
          await here.until(2);
          await there.until(2);
          for (const { messages } of [here, there]) {
            assert.deepEqual(
              [...messages].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
              [
                { kind: 'session', id: 'a' },
                { kind: 'user', userId: 'u' },
              ],
            );
          }
        } finally {
          await second.close();
        }
      }, prefix);
    });

    void it('a channel hears only its own messages, and a prefix only its own', async () => {
      await withStores(async (first) => {
        await withStores(async (other) => {
          const sessions = inbox();
          const keys = inbox();
          await first.bus.subscribe('sessions', sessions.handler);
          await first.bus.subscribe('keys', keys.handler);
          await other.bus.publish('sessions', { from: 'another deployment' });
          await first.bus.publish('keys', { n: 1 });
          await first.bus.publish('sessions', { n: 2 });
          await sessions.until(1);
          await keys.until(1);
          assert.deepEqual(sessions.messages, [{ n: 2 }]);
          assert.deepEqual(keys.messages, [{ n: 1 }]);
        });
      });
    });

    void it('after unsubscribing, a handler hears nothing more; others keep hearing', async () => {
      await withStores(async ({ bus }) => {
        const leaving = inbox();
        const staying = inbox();
        const unsubscribe = await bus.subscribe('sessions', leaving.handler);
        await bus.subscribe('sessions', staying.handler);
        await bus.publish('sessions', { n: 1 });
        await leaving.until(1);
        await unsubscribe();
        await bus.publish('sessions', { n: 2 });
        await staying.until(2);
        assert.deepEqual(leaving.messages, [{ n: 1 }]);
      });
    });

    void it('a message that is not JSON, or a handler that throws, stops no delivery', async () => {
      await withStores(async ({ bus }, prefix) => {
        const received = inbox();
        await bus.subscribe('sessions', () => {
          throw new Error('a buggy handler');
        });
        await bus.subscribe('sessions', received.handler);
        await admin.publish(`${prefix}bus:sessions`, 'not json {');
        await bus.publish('sessions', { n: 1 });
        await received.until(1);
        assert.deepEqual(received.messages, [{ n: 1 }]);
      });
    });

    void it('the bus is up once connected and reports down when closed', async () => {
      const stores = await isolatedStores();
      const statuses: string[] = [];
      stores.bus.onStatus((status) => statuses.push(status));
      await waitUntil('bus up', () => stores.bus.connected);
      await stores.close();
      assert.equal(stores.bus.connected, false);
      assert.deepEqual(statuses, ['down']);
    });
  });
} else if (onCI) {
  void it(`Redis answers at ${where}`, () => {
    assert.fail(`Redis did not answer at ${where}; CI must run the redis contract`);
  });
} else {
  // Outside CI a developer may not run Redis; the other adapters still run the contract.
  void describe('redis store contract', { skip: `Redis did not answer at ${where}` }, () => {});
}

void describe('redis that does not answer', () => {
  // Port 1 on loopback: nothing listens, so the connection is refused at once.
  for (const unreachable of [
    'redis://:hunter2@127.0.0.1:1',
    'redis+sentinel://:hunter2@127.0.0.1:1/tessera',
    'redis+cluster://:hunter2@127.0.0.1:1',
  ]) {
    const scheme = unreachable.slice(0, unreachable.indexOf(':'));
    void it(`creating the stores (${scheme}) fails fast with store_unavailable`, async () => {
      const started = Date.now();
      await assert.rejects(createRedisStores({ url: unreachable }), (error) => {
        assert.ok(error instanceof TesseraError);
        assert.equal(error.code, 'store_unavailable');
        assert.equal(error.status, 503);
        assert.doesNotMatch(error.message, /hunter2|ECONNREFUSED/);
        return true;
      });
      assert.ok(Date.now() - started < 3000);
    });
  }
});
