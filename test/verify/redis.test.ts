/**
 * The `{ redis }` option against the real Redis at 127.0.0.1:6379: the server appends each
 * revocation to a Redis Stream (appendRevocationToStream, bridged here from the server's core as
 * the server will do it), the verifier reads it with XREAD. Each test uses a stream key of its
 * own, deleted afterwards; nothing else in Redis is touched.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { appendRevocationToStream } from '../../src/stores/redis/revocation-stream.js';
import { createVerifier, type Verifier } from '../../src/verify/index.js';
import { startTcpProxy } from './tcp-proxy.js';
import {
  eventually,
  outcome,
  percentile,
  revokeAccess,
  startTessera,
  userTokens,
  type Tessera,
} from './tessera.js';

const REDIS = 'redis://127.0.0.1:6379';
const maxStalenessMs = 6_000; // an idle XREAD BLOCK answers every 5 s

describe('revocations through Redis', { concurrency: true }, () => {
  const streamKey = `tessera-test:${randomBytes(6).toString('hex')}:revocations`;
  let tessera: Tessera;
  let verifier: Verifier;
  let redis: Redis;
  before(async () => {
    redis = new Redis(REDIS);
    tessera = await startTessera({ redisStream: streamKey });
    verifier = await createVerifier({
      issuer: tessera.issuer,
      revocations: { redis: REDIS, streamKey },
    });
  });
  after(async () => {
    await verifier.close();
    await tessera.close();
    await redis.del(streamKey);
    redis.disconnect();
  });

  it('a token revoked at the server is refused; latency over 20 revocations', async (t) => {
    assert.equal(verifier.health().source, 'redis');
    assert.equal(verifier.health().revocations, 'live');
    const user = await userTokens(tessera);
    assert.equal(await outcome(verifier.verify(user.access)), 'ok');
    const latencies = [];
    for (let i = 0; i < 20; i += 1) {
      const { access } = await userTokens(tessera);
      assert.equal(await outcome(verifier.verify(access)), 'ok');
      const started = performance.now();
      await revokeAccess(tessera, access);
      await eventually(
        async () => (await outcome(verifier.verify(access))) === 'token_revoked',
        2_000,
        0,
      );
      latencies.push(performance.now() - started);
    }
    latencies.sort((a, b) => a - b);
    const line = `revocation-to-rejection through Redis (same process as the server, 20): p50 ${percentile(latencies, 50).toFixed(1)} ms, max ${percentile(latencies, 100).toFixed(1)} ms`;
    t.diagnostic(line);
    console.log(line);
    assert.ok(percentile(latencies, 100) < 2_000);
    // Health names the stream entry id the verifier resumes from.
    assert.match(String(verifier.health().lastEventId), /^\d+-\d+$/);
  });

  it('a verifier started later reads the whole stream from the start', async () => {
    const { access } = await userTokens(tessera);
    await revokeAccess(tessera, access);
    await eventually(
      async () =>
        (await redis.xlen(streamKey)) > 0 &&
        (await outcome(verifier.verify(access))) === 'token_revoked',
    );
    const late = await createVerifier({
      issuer: tessera.issuer,
      revocations: { redis: REDIS, streamKey },
    });
    try {
      assert.equal(await outcome(late.verify(access)), 'token_revoked');
    } finally {
      await late.close();
    }
  });

  it('fails closed while Redis is unreachable and resumes from the last id without missing events', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 });
    const cut = await createVerifier({
      issuer: tessera.issuer,
      maxStalenessMs,
      revocations: {
        redis: `redis://127.0.0.1:${proxy.port}`,
        streamKey,
        backoff: { initialMs: 50, maxMs: 200 },
      },
    });
    try {
      const valid = (await userTokens(tessera)).access;
      const during = [];
      for (let i = 0; i < 5; i += 1) during.push((await userTokens(tessera)).access);
      for (const token of [valid, ...during]) assert.equal(await outcome(cut.verify(token)), 'ok');

      proxy.cut();
      for (const token of during) await revokeAccess(tessera, token);
      await eventually(() => cut.health().revocations === 'stale', maxStalenessMs + 2_000, 50);
      for (const token of [valid, ...during]) {
        assert.equal(await outcome(cut.verify(token)), 'revocation_unavailable');
      }
      assert.equal(cut.health().ok, false);
      assert.equal(cut.health().connected, false);

      proxy.restore();
      await eventually(() => cut.health().revocations === 'live', 5_000, 20);
      for (const token of during) assert.equal(await outcome(cut.verify(token)), 'token_revoked');
      assert.equal(await outcome(cut.verify(valid)), 'ok');
      assert.ok(cut.health().reconnects >= 1);
    } finally {
      await cut.close();
      await proxy.close();
    }
  });

  it('appendRevocationToStream writes the SSE data JSON and trims entries past the horizon', async () => {
    const key = `tessera-test:${randomBytes(6).toString('hex')}:trim`;
    try {
      const event = (seq: number) => ({
        seq,
        kind: 'jti' as const,
        value: `j${seq}`,
        at: new Date().toISOString(),
        expiresAt: new Date(Date.now() + 60_000).toISOString(),
      });
      for (let i = 1; i <= 300; i += 1)
        await appendRevocationToStream(redis, event(i), 60_000, { streamKey: key });
      assert.equal(await redis.xlen(key), 300, 'nothing is older than the horizon yet');
      await new Promise((resolve) => setTimeout(resolve, 50));
      // With a 20 ms horizon everything before is past it; MINID ~ drops whole macro-nodes.
      const last = event(301);
      const id = await appendRevocationToStream(redis, last, 20, { streamKey: key });
      assert.ok((await redis.xlen(key)) < 301, 'older entries are trimmed');
      const [entry] = await redis.xrange(key, id, id);
      assert.equal(entry?.[1][0], 'event');
      assert.deepEqual(
        JSON.parse(String(entry?.[1][1])),
        last,
        'the field holds the SSE data JSON',
      );
      await assert.rejects(
        appendRevocationToStream(redis, { ...event(1), kind: 'nope' as 'jti' }, 60_000, {
          streamKey: key,
        }),
        { code: 'revocation_unavailable' },
      );
    } finally {
      await redis.del(key);
    }
  });

  it('fails to start with revocation_unavailable when Redis cannot be reached', async () => {
    const dead = await startTcpProxy({ host: '127.0.0.1', port: 6379 });
    dead.cut();
    try {
      const started = await outcome(
        createVerifier({
          issuer: tessera.issuer,
          // Long enough for discovery and the JWKS on a loaded machine (500 ms timed them out in a
          // CI run); the cut proxy drops each connection at once, so Redis fails fast anyway.
          requestTimeoutMs: 5000,
          revocations: { redis: `redis://127.0.0.1:${dead.port}`, streamKey },
        }),
      );
      assert.equal(started, 'revocation_unavailable');
    } finally {
      await dead.close();
    }
  });
});
