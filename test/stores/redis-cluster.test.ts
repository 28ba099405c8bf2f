/**
 * The Redis adapter on Redis Cluster: three masters this file starts on free loopback ports and
 * tears down. The contract passing here shows that no script touches keys of two hash slots
 * (Cluster would refuse it), since the 64 session and rate-limit buckets spread over the nodes.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createRedisStores } from '../../src/stores/redis/index.js';
import { storeContract } from './contract.js';
import { adminClient, portIsFree, RedisProcess, redisServerInstalled } from './redis-process.js';
import { onCI } from '../helpers/ci.js';
import { waitUntil } from '../helpers/poll.js';

const run = promisify(execFile);

/** Three ports whose cluster bus ports (port + 10000) are free as well. */
async function clusterPorts(): Promise<number[]> {
  for (;;) {
    const base = randomInt(20_000, 29_990);
    const ports = [base, base + 1, base + 2];
    const wanted = [...ports, ...ports.map((port) => port + 10_000)];
    if ((await Promise.all(wanted.map(portIsFree))).every(Boolean)) return ports;
  }
}

async function clusterIsOk(port: number): Promise<boolean> {
  const client = adminClient(`redis://127.0.0.1:${port}`);
  try {
    await client.connect();
    return String(await client.call('CLUSTER', 'INFO')).includes('cluster_state:ok');
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

if (redisServerInstalled()) {
  let dir = '';
  let url = '';
  const nodes: RedisProcess[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-redis-cluster-'));
    const ports = await clusterPorts();
    for (const port of ports) {
      const args = ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`];
      nodes.push(await RedisProcess.start(port, { args, cwd: dir }));
    }
    const addresses = ports.map((port) => `127.0.0.1:${port}`);
    await run('redis-cli', [
      '--cluster',
      'create',
      ...addresses,
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    for (const port of ports) await waitUntil(`cluster ok on ${port}`, () => clusterIsOk(port));
    url = `redis+cluster://${addresses.join(',')}`;
  });

  after(async () => {
    await Promise.all(nodes.map((node) => node.kill()));
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  // Fresh prefixes keep the rules apart; the whole cluster goes when the file is done.
  const prefixed = () =>
    createRedisStores({ url, keyPrefix: `tessera-test:${randomBytes(6).toString('hex')}:` });

  storeContract('redis cluster', prefixed, { only: ['sessions', 'rateLimits'] });

  void describe('redis cluster event bus', () => {
    void it('a message published through one node reaches a subscriber on any node', async () => {
      const keyPrefix = `tessera-test:${randomBytes(6).toString('hex')}:`;
      const [first, second] = await Promise.all([
        createRedisStores({ url, keyPrefix }),
        createRedisStores({ url, keyPrefix }),
      ]);
      try {
        const received: unknown[] = [];
        await second.bus.subscribe('sessions', (message) => received.push(message));
        assert.equal(second.bus.connected, true);
        for (let n = 0; n < 5; n += 1) await first.bus.publish('sessions', { n });
        await waitUntil('five messages', () => received.length === 5, 3000);
        // Cluster sends each PUBLISH through some node and relays it: no order across messages.
        const order = received.map((message) => (message as { n: number }).n).sort();
        assert.deepEqual(order, [0, 1, 2, 3, 4]);
      } finally {
        await Promise.all([first.close(), second.close()]);
      }
    });
  });
} else if (onCI) {
  void it('redis-server is installed', () => {
    assert.fail('redis-server is not on the PATH; CI must run the cluster tests');
  });
} else {
  void describe('redis cluster', { skip: 'redis-server is not on the PATH' }, () => {});
}
