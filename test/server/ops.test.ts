import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryStores } from '../../src/stores/memory/index.js';
import { testServer } from '../helpers/server.js';

describe('operations endpoints', () => {
  it('/healthz and /readyz answer 200 when the stores answer', async () => {
    const { app } = await testServer();
    assert.equal((await app.inject('/healthz')).statusCode, 200);
    assert.deepEqual((await app.inject('/readyz')).json(), { status: 'ok' });
  });

  it('/readyz answers 503 store_unavailable when a store does not answer', async () => {
    const stores = createMemoryStores();
    stores.ping = async () => {
      throw new Error('connection refused');
    };
    const { app } = await testServer({ stores });
    const response = await app.inject('/readyz');
    assert.equal(response.statusCode, 503);
    assert.equal(response.json().code, 'store_unavailable');
    assert.ok(!response.body.includes('connection refused'), 'store errors do not leak');
  });

  it('a store failure during a request is a 500 problem that leaks nothing', async () => {
    const stores = createMemoryStores();
    stores.users.findByEmail = async () => {
      throw new Error('secret internal detail');
    };
    const { app } = await testServer({ stores });
    const response = await app.inject({
      method: 'POST',
      url: '/auth/session',
      payload: { email: 'ada@example.com', password: 'whatever password' },
    });
    assert.equal(response.statusCode, 500);
    assert.equal(response.json().code, 'internal');
    assert.ok(!response.body.includes('secret internal detail'));
  });

  it('/metrics answers Prometheus text with request counts by route pattern, not raw URL', async () => {
    const { app } = await testServer();
    await app.inject('/healthz');
    await app.inject({ method: 'DELETE', url: '/auth/sessions/some-secret-looking-id' });
    const response = await app.inject('/metrics');
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain/);
    assert.match(
      response.body,
      /tessera_http_requests_total\{method="GET",route="\/healthz",status="200"\} 1/,
    );
    assert.match(response.body, /route="\/auth\/sessions\/:id"/);
    assert.ok(!response.body.includes('some-secret-looking-id'));
  });

  it('/openapi.json documents every Accounts and Sessions route of API.md', async () => {
    const { app } = await testServer();
    const document = (await app.inject('/openapi.json')).json();
    assert.equal(document.openapi, '3.1.0');
    const expected: [string, string][] = [
      ['/auth/signup', 'post'],
      ['/auth/password', 'post'],
      ['/auth/session', 'post'],
      ['/auth/session', 'get'],
      ['/auth/session', 'delete'],
      ['/auth/sessions', 'get'],
      ['/auth/sessions', 'delete'],
      ['/auth/sessions/{id}', 'delete'],
      ['/auth/me', 'get'],
      ['/healthz', 'get'],
      ['/readyz', 'get'],
    ];
    for (const [path, method] of expected) {
      assert.ok(document.paths[path]?.[method], `${method.toUpperCase()} ${path}`);
    }
    assert.ok(document.paths['/auth/signup'].post.responses['409']);
  });
});
