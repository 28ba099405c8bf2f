/**
 * Redis going away and coming back, against a redis-server this file starts and kills on a free
 * loopback port (never the shared server).
 */
import * as assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { TesseraError } from '../../src/core/errors.js';
import type { SessionRecord } from '../../src/stores/ports.js';
import { createRedisStores } from '../../src/stores/redis/index.js';
import { freePort, RedisProcess, redisServerInstalled } from './redis-process.js';
import { skipOutsideCI } from '../helpers/ci.js';
import { waitUntil } from '../helpers/poll.js';

function aSession(): SessionRecord {
  const now = Date.now();
  return {
    id: randomUUID(),
    secretHash: randomBytes(32).toString('hex'),
    userId: randomUUID(),
    createdAt: now,
    lastSeenAt: now,
    absoluteExpiresAt: now + 60_000,
    userAgent: 'curl/8.5.0',
    ip: '198.51.100.9',
    csrfSecret: randomUUID(),
  };
}

function isUnavailable(error: unknown): boolean {
  assert.ok(error instanceof TesseraError, String(error));
  assert.equal(error.code, 'store_unavailable');
  assert.equal(error.status, 503);
  return true;
}

const servers: RedisProcess[] = [];
after(async () => {
  await Promise.all(servers.map((server) => server.kill()));
});

void describe(
  'redis going away',
  { skip: skipOutsideCI(!redisServerInstalled() && 'redis-server is not on the PATH') },
  () => {
    void it('the bus reports down and commands fail fast; once Redis is back, both recover by themselves', async () => {
      const port = await freePort();
      servers.push(await RedisProcess.start(port));
      const stores = await createRedisStores({ url: `redis://127.0.0.1:${port}` });
      try {
        const statuses: string[] = [];
        stores.bus.onStatus((status) => statuses.push(status));
        const received: unknown[] = [];
        await stores.bus.subscribe('sessions', (message) => received.push(message));
        const before = aSession();
        await stores.sessions.insert(before);
        assert.equal(stores.bus.connected, true);

        await servers.pop()?.kill();
        await waitUntil('the bus to report down', () => !stores.bus.connected, 3000);
        assert.deepEqual(statuses, ['down']);

        const failures: [string, () => Promise<unknown>][] = [
          ['findBySecretHash', () => stores.sessions.findBySecretHash(before.secretHash)],
          ['insert', () => stores.sessions.insert(aSession())],
          ['deleteAllForUser', () => stores.sessions.deleteAllForUser(before.userId)],
          ['hit', () => stores.rateLimits.hit('login:ip:198.51.100.9', 60_000, Date.now())],
          ['publish', () => stores.bus.publish('sessions', { n: 0 })],
          ['ping', () => stores.ping()],
        ];
        for (const [name, call] of failures) {
          const started = Date.now();
          await assert.rejects(call(), isUnavailable, name);
          const took = Date.now() - started;
          assert.ok(took < 3000, `${name} took ${took} ms to fail`);
        }

        servers.push(await RedisProcess.start(port));
        await waitUntil('the bus to report up', () => stores.bus.connected, 5000);
        assert.deepEqual(statuses, ['down', 'up']);
        // The restarted server kept nothing (no persistence); what matters is that it works again.
        const after = aSession();
        await waitUntil('commands to work again', async () => {
          try {
            await stores.sessions.insert(after);
            return true;
          } catch {
            return false;
          }
        });
        assert.deepEqual(await stores.sessions.findBySecretHash(after.secretHash), after);
        // Up means subscribed again: a message published now arrives.
        await stores.bus.publish('sessions', { n: 1 });
        await waitUntil('the message', () => received.length === 1, 3000);
        assert.deepEqual(received, [{ n: 1 }]);
      } finally {
        await stores.close();
      }
    });

    void it('a subscription made while Redis is away is made when it comes back', async () => {
      const port = await freePort();
      servers.push(await RedisProcess.start(port));
      const stores = await createRedisStores({ url: `redis://127.0.0.1:${port}` });
      try {
        await servers.pop()?.kill();
        await waitUntil('the bus to report down', () => !stores.bus.connected, 3000);
        const received: unknown[] = [];
        await stores.bus.subscribe('keys', (message) => received.push(message));
        servers.push(await RedisProcess.start(port));
        await waitUntil('the bus to report up', () => stores.bus.connected, 5000);
        await stores.bus.publish('keys', { rotated: true });
        await waitUntil('the message', () => received.length === 1, 3000);
      } finally {
        await stores.close();
      }
    });

    void it('a Redis that stops answering without closing the connection is noticed by the heartbeat', async () => {
      const port = await freePort();
      const server = await RedisProcess.start(port);
      servers.push(server);
      const stores = await createRedisStores({
        url: `redis://127.0.0.1:${port}`,
        commandTimeoutMs: 500,
        heartbeatMs: 200,
      });
      try {
        const session = aSession();
        await stores.sessions.insert(session);
        // Like a network partition: no FIN, no RST, just silence.
        server.freeze(true);
        const started = Date.now();
        await assert.rejects(stores.sessions.findBySecretHash(session.secretHash), isUnavailable);
        assert.ok(Date.now() - started < 3000);
        await waitUntil('the bus to report down', () => !stores.bus.connected, 3000);
        server.freeze(false);
        await waitUntil('the bus to report up', () => stores.bus.connected, 5000);
        assert.deepEqual(await stores.sessions.findBySecretHash(session.secretHash), session);
      } finally {
        server.freeze(false);
        await stores.close();
      }
    });
  },
);
