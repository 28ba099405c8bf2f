/**
 * The server's stores and the verifiers open Redis through one function (redis-connect/): a URL
 * leads both to the same place, each with its own connection behaviour.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectionPlan, type ConnectionPlan } from '../../src/redis-connect/open.js';
import { parseRedisUrl } from '../../src/redis-connect/url.js';
import { storeConnection } from '../../src/stores/redis/connect.js';
import { verifierConnection } from '../../src/verify/redis-feed.js';

const sentinelUrl =
  'redis+sentinel://app:p%40ss@10.0.0.1,10.0.0.2:26380/tessera-main/3?sentinelPassword=s';

/** Where a plan goes: everything but how the connection behaves. */
function destination(plan: ConnectionPlan): unknown {
  if (plan.kind === 'cluster') {
    const { username, password } = plan.options.redisOptions ?? {};
    return { nodes: plan.nodes, username, password };
  }
  const { sentinels, name, db, username, password, sentinelUsername, sentinelPassword } =
    plan.options;
  return {
    url: plan.url,
    sentinels,
    name,
    db,
    username,
    password,
    sentinelUsername,
    sentinelPassword,
  };
}

void describe('redis connections', () => {
  void it('a verifier given a redis+sentinel:// url asks the same sentinels for the same master as the server', () => {
    const target = parseRedisUrl(sentinelUrl);
    const verifier = connectionPlan(target, verifierConnection(1500));
    assert.equal(verifier.kind, 'redis');
    assert.deepEqual(destination(verifier), {
      url: undefined,
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 26380 },
      ],
      name: 'tessera-main',
      db: 3,
      username: 'app',
      password: 'p@ss',
      sentinelUsername: undefined,
      sentinelPassword: 's',
    });
    const server = connectionPlan(target, storeConnection({ url: sentinelUrl }));
    assert.deepEqual(destination(verifier), destination(server));
    // Both keep asking the sentinels after a failover instead of giving the connection up.
    assert.equal(
      typeof (verifier.kind === 'redis' && verifier.options.sentinelRetryStrategy),
      'function',
    );
  });

  void it('every url form leads the verifier and the server to the same place', () => {
    for (const url of [
      'redis://:pw@127.0.0.1:6379/2',
      'rediss://cache.internal:6380',
      sentinelUrl,
      'redis+cluster://:pw@node-a:7001,node-b',
    ]) {
      const target = parseRedisUrl(url);
      assert.deepEqual(
        destination(connectionPlan(target, verifierConnection(1500))),
        destination(connectionPlan(target, storeConnection({ url }))),
        url,
      );
    }
  });

  void it("each side keeps its own behaviour: the verifier's blocking reads have no command timeout", () => {
    for (const url of ['redis://127.0.0.1:6379', sentinelUrl, 'redis+cluster://node-a:7001']) {
      const target = parseRedisUrl(url);
      const verifier = connectionPlan(target, verifierConnection(1500));
      const server = connectionPlan(target, storeConnection({ url }));
      const behaviour = (plan: ConnectionPlan) =>
        plan.kind === 'cluster' ? plan.options.redisOptions : plan.options;
      assert.equal(behaviour(verifier)?.commandTimeout, undefined, url);
      assert.equal(behaviour(verifier)?.maxRetriesPerRequest, 0, url);
      assert.equal(behaviour(verifier)?.connectTimeout, 1500, url);
      assert.equal(behaviour(verifier)?.connectionName, 'tessera-verifier', url);
      assert.equal(behaviour(server)?.commandTimeout, 2000, url);
      assert.equal(behaviour(server)?.maxRetriesPerRequest, 1, url);
    }
  });
});
