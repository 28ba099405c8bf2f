import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

describe('package entry points', () => {
  it('tessera exports the server as a library: config, core, app, stores', async () => {
    const tessera = await import('../src/index.js');
    for (const name of [
      'loadConfig',
      'createCore',
      'buildApp',
      'startServer',
      'createSqlStores',
      'createMemoryStores',
      'createRedisStores',
      'TesseraError',
    ]) {
      assert.equal(typeof (tessera as Record<string, unknown>)[name], 'function', name);
    }
  });

  it('tessera/verify exports createVerifier, and each middleware entry its tesseraAuth', async () => {
    assert.equal(typeof (await import('../src/verify/index.js')).createVerifier, 'function');
    for (const entry of ['fastify', 'express', 'hono']) {
      const module = (await import(`../src/middleware/${entry}.js`)) as Record<string, unknown>;
      assert.ok(module.tesseraAuth, entry);
    }
    assert.equal(typeof (await import('../src/middleware/node.js')).createAuthenticate, 'function');
  });
});
