/**
 * The event bus on every shape: the shared contract against SQLite (two connections on one
 * file), PostgreSQL (two pools on one schema of the shared server) and Redis (two connections
 * with one key prefix), and what only one adapter has to show.
 */
import * as assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { SessionNearCache } from '../../src/core/sessions/near-cache.js';
import { busChannel } from '../../src/server/instances.js';
import { createRedisStores } from '../../src/stores/redis/index.js';
import { listenApplicationName, postgresChannel } from '../../src/stores/sql/bus-postgres.js';
import { createSqlStores, type SqlStores } from '../../src/stores/sql/index.js';
import { busContract, type BusPair } from './bus-contract.js';
import { adminClient } from './redis-process.js';

const postgresUrl =
  process.env.TESSERA_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.TESSERA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-bus-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

busContract('sqlite (two connections on one file)', async () => {
  const url = `sqlite:${join(dir, `${randomUUID()}.db`)}`;
  const first = await createSqlStores({ url });
  const second = await createSqlStores({ url });
  return {
    a: first.bus,
    b: second.bus,
    async close() {
      await first.close();
      await second.close();
    },
  };
});

// Idle connections let the process exit: no hook has to end the pool after the last test.
const admin = new pg.Pool({
  connectionString: postgresUrl,
  max: 2,
  connectionTimeoutMillis: 3000,
  allowExitOnIdle: true,
});
admin.on('error', () => {});
const postgresAnswers = await admin.query('select 1').then(
  () => true,
  () => false,
);

/** Two processes' stores on one fresh schema; closing drops it. */
async function postgresPair(): Promise<
  { first: SqlStores; second: SqlStores; schema: string } & {
    close(): Promise<void>;
  }
> {
  const schema = `tessera_test_${randomBytes(6).toString('hex')}`;
  const first = await createSqlStores({ url: postgresUrl, schema });
  const second = await createSqlStores({ url: postgresUrl, schema });
  return {
    first,
    second,
    schema,
    async close() {
      await first.close();
      await second.close();
      await admin.query(`drop schema if exists ${schema} cascade`);
    },
  };
}

if (postgresAnswers) {
  busContract('postgres LISTEN/NOTIFY (two pools on one schema)', async (): Promise<BusPair> => {
    const pair = await postgresPair();
    return { a: pair.first.bus, b: pair.second.bus, close: () => pair.close() };
  });

  void describe('postgres bus', { timeout: 30_000 }, () => {
    void it('deployments in two schemas of one database never hear each other', async () => {
      const one = await postgresPair();
      const two = await postgresPair();
      try {
        const heard: unknown[] = [];
        await two.first.bus.subscribe('news', (message) => heard.push(message));
        await one.first.bus.subscribe('news', () => {});
        await one.second.bus.publish('news', { n: 1 });
        await sleep(300);
        assert.deepEqual(heard, []);
        assert.notEqual(postgresChannel(one.schema), postgresChannel(two.schema));
      } finally {
        await one.close();
        await two.close();
      }
    });

    void it('channel names stay within 63 bytes and keep long namespaces apart', () => {
      const long = 'x'.repeat(60);
      assert.ok(Buffer.byteLength(postgresChannel(`${long}a`)) <= 63);
      assert.notEqual(postgresChannel(`${long}a`), postgresChannel(`${long}b`));
      assert.equal(postgresChannel('tenant_1'), 'tessera:tenant_1');
    });

    void it('a message of 8000 bytes or more is refused before it reaches NOTIFY', async () => {
      const pair = await postgresPair();
      try {
        await assert.rejects(pair.first.bus.publish('news', { text: 'x'.repeat(8000) }), {
          code: 'internal',
        });
      } finally {
        await pair.close();
      }
    });

    void it('the bus reports down when its LISTEN session is killed, the near cache is bypassed meanwhile, and it comes back up', async () => {
      const pair = await postgresPair();
      try {
        const bus = pair.first.bus;
        const cache = new SessionNearCache(busChannel(bus), 60_000);
        const heard: unknown[] = [];
        await bus.subscribe('news', (message) => heard.push(message));
        assert.equal(bus.connected, true);
        const statuses: string[] = [];
        bus.onStatus((status) => statuses.push(status));
        const now = Date.now();
        const valid = {
          session: {
            id: 's1',
            secretHash: 'h1',
            userId: 'u1',
            createdAt: now,
            lastSeenAt: now,
            absoluteExpiresAt: now + 60_000,
            userAgent: '',
            ip: '',
            csrfSecret: '',
          },
          user: { id: 'u1', email: 'u1@example.com' },
        } as unknown as Parameters<SessionNearCache['set']>[0];
        cache.set(valid, now);
        assert.ok(cache.get('h1', now), 'cached while the bus is up');

        // The LISTEN session of this bus: the one whose channel is this schema's.
        const terminated = await terminateListener(pair.schema);
        assert.ok(terminated > 0, 'found the LISTEN session');
        const downAt = performance.now();
        while (!statuses.includes('down')) {
          assert.ok(performance.now() - downAt < 3000, 'reported down within 3 s');
          await sleep(5);
        }
        assert.equal(cache.get('h1', Date.now()), undefined, 'the near cache is not trusted');
        cache.set(valid, Date.now());
        while (!bus.connected) {
          assert.ok(performance.now() - downAt < 10_000, 'back up within 10 s');
          await sleep(10);
        }
        assert.deepEqual(statuses, ['down', 'up']);
        assert.equal(cache.get('h1', Date.now()), undefined, 'nothing cached from before');
        await pair.second.bus.publish('news', { after: 'reconnect' });
        const until = performance.now() + 3000;
        while (heard.length === 0 && performance.now() < until) await sleep(5);
        assert.deepEqual(heard, [{ after: 'reconnect' }]);
      } finally {
        await pair.close();
      }
    });
  });
}

/** Terminates the LISTEN session of the deployment in `schema`; returns how many it found. */
async function terminateListener(schema: string): Promise<number> {
  const { rows } = await admin.query<{ pid: number }>(
    'select pid from pg_stat_activity where application_name = $1',
    [listenApplicationName(schema)],
  );
  for (const { pid } of rows) await admin.query('select pg_terminate_backend($1)', [pid]);
  return rows.length;
}

const redisAdmin = adminClient(redisUrl);
after(() => redisAdmin.disconnect());
const redisAnswers = await redisAdmin.connect().then(
  () => true,
  () => false,
);

if (redisAnswers) {
  busContract('redis pub/sub (two connections, one prefix)', async () => {
    const keyPrefix = `tessera-test:${randomBytes(6).toString('hex')}:`;
    const first = await createRedisStores({ url: redisUrl, keyPrefix });
    const second = await createRedisStores({ url: redisUrl, keyPrefix });
    return {
      a: first.bus,
      b: second.bus,
      async close() {
        await first.close();
        await second.close();
      },
    };
  });
}
