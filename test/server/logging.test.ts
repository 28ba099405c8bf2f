/**
 * TESSERA_LOG_REQUESTS: per-request lines can be switched off (Fastify's
 * `disableRequestLogging`) without silencing warnings, which the log level alone cannot do.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { ManualClock } from '../../src/core/clock.js';
import { loadConfig } from '../../src/config.js';
import { createCore } from '../../src/core/tessera.js';
import { policyFromConfig } from '../../src/server/policy.js';
import { buildApp } from '../../src/server/app.js';
import { createMemoryStores } from '../../src/stores/memory/index.js';
import { FAST_ARGON2 } from '../helpers/server.js';

/** The log lines (parsed) of one request and one warning through an app built with `env`. */
async function logLines(env: Record<string, string>): Promise<{ msg: string; level: number }[]> {
  const lines: { msg: string; level: number }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        lines.push(JSON.parse(line) as { msg: string; level: number });
      }
      done();
    },
  });
  const config = loadConfig({ env }, FAST_ARGON2);
  const core = await createCore({
    stores: createMemoryStores(),
    clock: new ManualClock(),
    policy: policyFromConfig(config),
  });
  const app = await buildApp({ config, core, logger: pino({ level: 'info' }, sink) });
  await app.inject({ url: '/healthz' });
  app.log.warn('something an operator must see');
  await app.close();
  return lines;
}

describe('per-request logging is a switch of its own', () => {
  it('logs each request by default', async () => {
    const messages = (await logLines({})).map((line) => line.msg);
    assert.ok(messages.includes('incoming request'));
    assert.ok(messages.includes('request completed'));
  });

  it('TESSERA_LOG_REQUESTS=false drops request lines and keeps warnings', async () => {
    const lines = await logLines({ TESSERA_LOG_REQUESTS: 'false' });
    const messages = lines.map((line) => line.msg);
    assert.ok(!messages.includes('incoming request'));
    assert.ok(!messages.includes('request completed'));
    assert.ok(messages.includes('something an operator must see'));
  });
});
