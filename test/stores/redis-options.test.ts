import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRedisUrl } from '../../src/stores/redis/index.js';

void describe('redis urls', () => {
  void it('a redis:// or rediss:// url goes to ioredis as it is', () => {
    for (const url of ['redis://127.0.0.1:6379/2', 'rediss://:secret@cache.internal:6380']) {
      assert.deepEqual(parseRedisUrl(url), { mode: 'standalone', url });
    }
  });

  void it('a redis+sentinel:// url names the sentinels, the master and the db', () => {
    assert.deepEqual(
      parseRedisUrl(
        'redis+sentinel://app:p%40ss@10.0.0.1,10.0.0.2:26380,[::1]/tessera-main/3?sentinelPassword=s',
      ),
      {
        mode: 'sentinel',
        sentinels: [
          { host: '10.0.0.1', port: 26379 },
          { host: '10.0.0.2', port: 26380 },
          { host: '::1', port: 26379 },
        ],
        name: 'tessera-main',
        db: 3,
        credentials: { username: 'app', password: 'p@ss' },
        sentinelCredentials: { password: 's' },
      },
    );
  });

  void it('a redis+cluster:// url names the seed nodes', () => {
    assert.deepEqual(parseRedisUrl('redis+cluster://:pw@node-a:7001,node-b'), {
      mode: 'cluster',
      nodes: [
        { host: 'node-a', port: 7001 },
        { host: 'node-b', port: 6379 },
      ],
      credentials: { password: 'pw' },
    });
  });

  void it('a bad url is refused without echoing it, since it may hold a password', () => {
    for (const url of [
      'http://:hunter2@cache:6379',
      'redis+sentinel://:hunter2@s1:26379',
      'redis+sentinel://:hunter2@s1:26379/master/db/extra',
      'redis+sentinel://:hunter2@s1:99999/master',
      'redis+cluster://:hunter2@n1:7001/0',
      'redis+cluster://:hunter2@',
    ]) {
      assert.throws(
        () => parseRedisUrl(url),
        (error) => error instanceof TypeError && !error.message.includes('hunter2'),
        url,
      );
    }
  });
});
