/** tessera/express: `tesseraAuth` as route middleware in a real Express 5 app, over real HTTP. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { authOf, tesseraAuth } from '../../src/middleware/express.js';
import {
  answer,
  commonCases,
  overHttp,
  paths,
  routeOptions,
  useEnv,
  type RouteName,
} from './harness.js';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

describe('express middleware', () => {
  const env = useEnv();
  let server: Server;
  before(async () => {
    const app = express();
    const options = routeOptions(env());
    for (const name of Object.keys(paths) as RouteName[]) {
      const guard = tesseraAuth(options[name]);
      app.get(paths[name], guard, (_req, res) => {
        res.json(answer(authOf(res)));
      });
      app.post(paths[name], guard, (_req, res) => {
        res.json(answer(authOf(res)));
      });
    }
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  commonCases(env, () =>
    overHttp(() => `http://127.0.0.1:${(server.address() as AddressInfo).port}`),
  );

  it('authOf refuses a response that did not pass the middleware', () => {
    assert.throws(() => authOf({ locals: {} } as Parameters<typeof authOf>[0]));
  });
});
