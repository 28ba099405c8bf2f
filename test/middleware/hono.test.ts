/** tessera/hono: `tesseraAuth` in a real Hono app, driven through `app.fetch` with real Requests. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Hono } from 'hono';
import { tesseraAuth, type TesseraVariables } from '../../src/middleware/hono.js';
import {
  answer,
  commonCases,
  paths,
  readReply,
  routeOptions,
  useEnv,
  type RouteName,
  type Send,
} from './harness.js';

describe('hono middleware', () => {
  const env = useEnv();
  let app: Hono<{ Variables: TesseraVariables }>;
  before(() => {
    app = new Hono<{ Variables: TesseraVariables }>();
    const options = routeOptions(env());
    for (const name of Object.keys(paths) as RouteName[]) {
      const guard = tesseraAuth(options[name]);
      app.on(['GET', 'POST'], paths[name], guard, (c) => c.json(answer(c.get('auth'))));
    }
    app.get('/open', (c) => c.json({ open: true }));
  });

  const send: Send = async (method, path, headers = {}) =>
    readReply(await app.fetch(new Request(`http://reports.local${path}`, { method, headers })));

  commonCases(env, () => send);

  it('routes without the middleware stay open', async () => {
    const reply = await send('GET', '/open');
    assert.equal(reply.status, 200);
  });
});
