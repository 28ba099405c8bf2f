/**
 * A verifier reading revocations through Redis Sentinel: a master and one sentinel started on
 * free loopback ports; the verifier's feed is given only the sentinel's address.
 */
import * as assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { systemClock } from '../../src/core/clock.js';
import { appendRevocationToStream } from '../../src/stores/redis/revocation-stream.js';
import { RedisFeed } from '../../src/verify/redis-feed.js';
import { RevocationState } from '../../src/verify/revocation-state.js';
import {
  adminClient,
  freePort,
  RedisProcess,
  redisServerInstalled,
} from '../stores/redis-process.js';
import { waitUntil } from '../helpers/poll.js';

if (redisServerInstalled()) {
  const servers: RedisProcess[] = [];
  let dir = '';
  after(async () => {
    await Promise.all(servers.map((server) => server.kill()));
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  void describe('verifier over redis sentinel', () => {
    void it('a redis+sentinel:// url finds the master through the sentinel and reads revocations', async () => {
      dir = await mkdtemp(join(tmpdir(), 'tessera-verify-sentinel-'));
      const [masterPort, sentinelPort] = [await freePort(), await freePort()];
      servers.push(await RedisProcess.start(masterPort));
      const config = join(dir, 'sentinel.conf');
      await writeFile(config, `sentinel monitor tessera 127.0.0.1 ${masterPort} 1\n`);
      servers.push(await RedisProcess.start(sentinelPort, { args: [config], sentinel: true }));

      const streamKey = 'tessera-test:revocations';
      const writer = adminClient(`redis://127.0.0.1:${masterPort}`);
      await writer.connect();
      const now = Date.now();
      const event = (seq: number, value: string) => ({
        seq,
        kind: 'jti' as const,
        value,
        at: new Date(now).toISOString(),
        expiresAt: new Date(now + 60_000).toISOString(),
      });
      await appendRevocationToStream(writer, event(1, 'before-start'), 60_000, { streamKey });

      const state = new RevocationState(systemClock, 0);
      const feed = new RedisFeed({
        url: `redis+sentinel://127.0.0.1:${sentinelPort}/tessera`,
        streamKey,
        timeoutMs: 2000,
        backoff: {},
        state,
      });
      try {
        await feed.start();
        assert.ok(feed.connected);
        assert.equal(feed.position !== undefined, true, 'read what was there before it started');
        await appendRevocationToStream(writer, event(2, 'after-start'), 60_000, { streamKey });
        await waitUntil('the second revocation', () => state.counts().jti === 2, 3000);
      } finally {
        writer.disconnect();
        await feed.close();
      }
    });
  });
} else {
  void describe(
    'verifier over redis sentinel',
    { skip: 'redis-server is not on the PATH' },
    () => {},
  );
}
