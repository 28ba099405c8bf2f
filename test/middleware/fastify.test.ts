/**
 * tessera/fastify: the `tesseraAuth` plugin protecting a scope, and `tesseraAuthHook` on single
 * routes, in a real Fastify app over real HTTP.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { tesseraAuth, tesseraAuthHook } from '../../src/middleware/fastify.js';
import {
  answer,
  commonCases,
  overHttp,
  paths,
  routeOptions,
  useEnv,
  type RouteName,
} from './harness.js';
import type { Principal } from '../../src/middleware/authenticator.js';

describe('fastify middleware', () => {
  const env = useEnv();
  let app: FastifyInstance;
  let base = '';
  before(async () => {
    app = Fastify();
    const options = routeOptions(env());
    const reply = async (request: { auth: Principal | null }) => answer(request.auth as Principal);
    // The plugin, each in a scope of its own, for some routes…
    for (const name of ['bearer', 'scoped', 'either'] as RouteName[]) {
      await app.register(async (scope) => {
        await scope.register(tesseraAuth, options[name]);
        scope.get(paths[name], reply);
        scope.post(paths[name], reply);
      });
    }
    // …and the per-route hook for the others.
    for (const name of ['session', 'stale', 'sessionDown'] as RouteName[]) {
      const onRequest = tesseraAuthHook(options[name]);
      app.get(paths[name], { onRequest }, reply);
      app.post(paths[name], { onRequest }, reply);
    }
    app.get('/open', async () => ({ open: true }));
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(() => app.close());

  commonCases(env, () => overHttp(() => base));

  it('the plugin protects only the scope it is registered in', async () => {
    const reply = await overHttp(() => base)('GET', '/open');
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { open: true });
  });
});
