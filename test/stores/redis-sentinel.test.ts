/**
 * The Redis adapter behind Redis Sentinel: a master, a replica and one sentinel this file starts
 * on free loopback ports. After the master dies, the sentinel promotes the replica and the
 * stores find it by themselves.
 */
import * as assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { SessionRecord } from '../../src/stores/ports.js';
import { createRedisStores } from '../../src/stores/redis/index.js';
import { adminClient, freePort, RedisProcess, redisServerInstalled } from './redis-process.js';
import { onCI } from '../helpers/ci.js';
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

async function info(port: number, section: string): Promise<string> {
  const client = adminClient(`redis://127.0.0.1:${port}`);
  try {
    await client.connect();
    return await client.info(section);
  } catch {
    return '';
  } finally {
    client.disconnect();
  }
}

if (redisServerInstalled()) {
  const servers: RedisProcess[] = [];
  let dir = '';
  after(async () => {
    await Promise.all(servers.map((server) => server.kill()));
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  void describe('redis sentinel', () => {
    void it('the stores follow a failover to the promoted replica, sessions and bus included', async () => {
      dir = await mkdtemp(join(tmpdir(), 'tessera-redis-sentinel-'));
      const [masterPort, replicaPort, sentinelPort] = [
        await freePort(),
        await freePort(),
        await freePort(),
      ];
      const master = await RedisProcess.start(masterPort);
      servers.push(master);
      const replicaOf = ['--replicaof', '127.0.0.1', String(masterPort)];
      servers.push(await RedisProcess.start(replicaPort, { args: replicaOf }));
      // A replica retries its handshake once a second (Redis's replication cron), so a loaded
      // machine can take several seconds: wait generously, this is set-up, not the rule.
      await waitUntil(
        'the replica to sync',
        async () => (await info(replicaPort, 'replication')).includes('master_link_status:up'),
        20_000,
      );
      // The sentinel reads the replicas from the master at start, so it starts last.
      const config = join(dir, 'sentinel.conf');
      await writeFile(
        config,
        [
          `sentinel monitor tessera 127.0.0.1 ${masterPort} 1`,
          'sentinel down-after-milliseconds tessera 500',
          'sentinel failover-timeout tessera 5000',
          '',
        ].join('\n'),
      );
      servers.push(await RedisProcess.start(sentinelPort, { args: [config], sentinel: true }));

      const stores = await createRedisStores({
        url: `redis+sentinel://127.0.0.1:${sentinelPort}/tessera`,
        keyPrefix: 'tessera-test:',
      });
      try {
        const received: unknown[] = [];
        await stores.bus.subscribe('sessions', (message) => received.push(message));
        const session = aSession();
        await stores.sessions.insert(session);
        const primary = adminClient(`redis://127.0.0.1:${masterPort}`);
        await primary.connect();
        assert.equal(await primary.call('WAIT', '1', '2000'), 1); // replicated before the crash
        primary.disconnect();

        await master.kill();
        await waitUntil('the bus to report down', () => !stores.bus.connected, 3000);
        await waitUntil(
          'the sentinel to promote the replica',
          async () => (await info(replicaPort, 'replication')).includes('role:master'),
          10_000,
        );
        await waitUntil('the bus to report up', () => stores.bus.connected, 5000);
        assert.deepEqual(await stores.sessions.findBySecretHash(session.secretHash), session);
        await stores.bus.publish('sessions', { after: 'failover' });
        await waitUntil('the message', () => received.length === 1, 3000);
      } finally {
        await stores.close();
      }
    });
  });
} else if (onCI) {
  void it('redis-server is installed', () => {
    assert.fail('redis-server is not on the PATH; CI must run the sentinel tests');
  });
} else {
  void describe('redis sentinel', { skip: 'redis-server is not on the PATH' }, () => {});
}
