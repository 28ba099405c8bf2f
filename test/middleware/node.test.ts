/** tessera/middleware node: `authenticate(req)` on a plain node:http server, over real HTTP. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createAuthenticate, sendAuthFailure } from '../../src/middleware/node.js';
import { answer, commonCases, overHttp, paths, routeOptions, useEnv } from './harness.js';
import type { AuthOptions } from '../../src/middleware/authenticator.js';
import type { AddressInfo } from 'node:net';

/** A server routing each path through `authenticate` built from its options. */
async function serve(
  options: Record<string, AuthOptions>,
  routes: Record<string, string>,
): Promise<Server> {
  const byPath = new Map(
    Object.entries(routes).map(([name, path]) => [
      path,
      createAuthenticate(options[name] as AuthOptions),
    ]),
  );
  const server = createServer(async (req, res) => {
    const authenticate = byPath.get(req.url ?? '');
    if (authenticate === undefined) {
      res.writeHead(404).end();
      return;
    }
    const auth = await authenticate(req);
    if (!auth.ok) return sendAuthFailure(res, auth.failure);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer(auth.principal)));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

const base = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

describe('node:http authenticate', () => {
  const env = useEnv();
  let server: Server;
  before(async () => {
    server = await serve(routeOptions(env()), paths);
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  commonCases(env, () => overHttp(() => base(server)));

  it('a caller-supplied sessionCheck decides sessions, and unsafe requests need its CSRF token', async () => {
    const seen: string[] = [];
    const custom = await serve(
      {
        plain: {
          accept: 'session',
          sessionCheck: async (value) => {
            seen.push(value);
            return value === 'good' ? { userId: 'u-7', scopes: ['reports:read'] } : undefined;
          },
          scopes: ['reports:read'],
        },
        broken: {
          accept: 'session',
          sessionCheck: async () => {
            throw new Error('the session store is down');
          },
        },
      },
      { plain: '/plain', broken: '/broken' },
    );
    try {
      const send = overHttp(() => base(custom));
      const ok = await send('GET', '/plain', { cookie: 'other=1; tessera_session=good' });
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.body, { via: 'session', subject: 'u-7', scopes: ['reports:read'] });
      assert.equal((await send('GET', '/plain', { cookie: 'tessera_session=bad' })).status, 401);
      // The check returned no CSRF token: an unsafe cookie request cannot be trusted.
      const post = await send('POST', '/plain', { cookie: 'tessera_session=good' });
      assert.equal(post.status, 403);
      assert.equal(post.body.code, 'csrf');
      const broken = await send('GET', '/broken', { cookie: 'tessera_session=good' });
      assert.equal(broken.status, 503);
      assert.equal(broken.body.code, 'session_unavailable');
      assert.deepEqual(seen, ['good', 'bad', 'good']);
    } finally {
      await new Promise<void>((resolve) => custom.close(() => resolve()));
    }
  });

  it('refuses options that cannot work', () => {
    assert.throws(() => createAuthenticate({}), TypeError);
    assert.throws(() => createAuthenticate({ accept: 'session' }), TypeError);
    assert.throws(
      () => createAuthenticate({ accept: 'cookie' as 'session', verifier: env().verifier }),
      TypeError,
    );
  });
});
