import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Browser, PASSWORD, testServer } from '../helpers/server.js';
import type { Stores } from '../../src/stores/ports.js';

/** Wraps every write of the stores so a test can assert that nothing was written. */
function countWrites(stores: Stores): { count: () => number } {
  let writes = 0;
  const wrap = <T extends object>(store: T, methods: (keyof T)[]) => {
    for (const name of methods) {
      const original = store[name] as (...args: unknown[]) => Promise<unknown>;
      store[name] = (async (...args: unknown[]) => {
        writes += 1;
        return original.apply(store, args);
      }) as T[keyof T];
    }
  };
  wrap(stores.users, ['insert', 'setPasswordHash', 'setTokensValidAfter']);
  wrap(stores.sessions, ['insert', 'touch', 'deleteForUser', 'deleteAllForUser']);
  return { count: () => writes };
}

const ENDPOINTS = ['/auth/signup', '/auth/session'] as const;

describe('bad input gets a precise 4xx and writes nothing', () => {
  for (const url of ENDPOINTS) {
    it(`${url}: malformed JSON is 400 malformed_json`, async () => {
      const { app, stores } = await testServer();
      const writes = countWrites(stores);
      for (const payload of ['{', '{"email": "a@b.co",}', 'null x', '\u0000']) {
        const response = await app.inject({
          method: 'POST',
          url,
          headers: { 'content-type': 'application/json' },
          payload,
        });
        assert.equal(response.statusCode, 400, payload);
        assert.equal(response.json().code, 'malformed_json', payload);
        assert.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
      }
      assert.equal(writes.count(), 0);
    });

    it(`${url}: wrong types, missing and unknown fields are 400 invalid_request`, async () => {
      const { app, stores } = await testServer();
      const writes = countWrites(stores);
      for (const payload of [
        { email: 123, password: PASSWORD },
        { email: 'ada@example.com', password: ['x'] },
        { email: 'ada@example.com' },
        { email: 'ada@example.com', password: PASSWORD, admin: true },
        [],
        'a string',
        42,
        { email: null, password: null },
      ]) {
        const response = await app.inject({
          method: 'POST',
          url,
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify(payload),
        });
        assert.equal(response.statusCode, 400, JSON.stringify(payload));
        assert.equal(response.json().code, 'invalid_request', JSON.stringify(payload));
      }
      assert.equal(writes.count(), 0);
    });

    it(`${url}: a body over the limit is 413 payload_too_large`, async () => {
      const { app, stores } = await testServer();
      const writes = countWrites(stores);
      const response = await app.inject({
        method: 'POST',
        url,
        payload: { email: 'ada@example.com', password: 'x'.repeat(100_000) },
      });
      assert.equal(response.statusCode, 413);
      assert.equal(response.json().code, 'payload_too_large');
      assert.equal(writes.count(), 0);
    });

    it(`${url}: a body that is not JSON is 415 unsupported_media_type`, async () => {
      const { app, stores } = await testServer();
      const writes = countWrites(stores);
      const response = await app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'email=ada%40example.com&password=x',
      });
      assert.equal(response.statusCode, 415);
      assert.equal(response.json().code, 'unsupported_media_type');
      assert.equal(writes.count(), 0);
    });
  }

  it('an over-long password field is refused before hashing', async () => {
    const { app, stores } = await testServer();
    const writes = countWrites(stores);
    const response = await new Browser(app).request('POST', '/auth/signup', {
      email: 'ada@example.com',
      password: 'x'.repeat(5000),
    });
    assert.equal(response.statusCode, 400);
    assert.equal(writes.count(), 0);
  });

  it('an unknown route is a 404 problem, not an HTML page', async () => {
    const { app } = await testServer();
    const response = await app.inject({ method: 'GET', url: '/nope' });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().code, 'not_found');
  });

  it('a bad ?include value is 400', async () => {
    const { app } = await testServer();
    const browser = new Browser(app);
    await browser.signupAndLogin('ada@example.com');
    const response = await browser.request('DELETE', '/auth/sessions?include=everything');
    assert.equal(response.statusCode, 400);
    assert.equal((await browser.request('GET', '/auth/session')).statusCode, 200);
  });

  it('arbitrary JSON bodies and cookies never produce a 5xx (property)', async () => {
    const { app } = await testServer({
      config: { loginIpLimit: 1_000_000, signupIpLimit: 1_000_000, loginAccountLimit: 100_000 },
    });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/auth/signup', '/auth/session', '/auth/password', '/auth/session'),
        fc.constantFrom('POST', 'GET', 'DELETE'),
        fc.oneof(fc.json(), fc.string()),
        fc.string(),
        async (url, method, payload, cookie) => {
          const response = await app.inject({
            method: method as 'POST',
            url,
            headers: {
              'content-type': 'application/json',
              cookie: `tessera_session=${encodeURIComponent(cookie)}`,
            },
            payload,
          });
          assert.ok(
            response.statusCode < 500,
            `${method} ${url} ${payload} → ${response.statusCode}`,
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('any path, however malformed or long, answers in the documented shape without echoing it (property)', async () => {
    const { app } = await testServer();
    const segment = fc.oneof(
      fc.stringMatching(/^[%a-zA-Z0-9._~-]{0,40}$/),
      fc.string({ unit: fc.constantFrom('%', 'z', 'a', 'F', '0', '/'), maxLength: 300 }),
      fc.integer({ min: 100, max: 5000 }).map((length) => 'q'.repeat(length)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/auth/sessions/', '/oauth/token/', '/auth/', '/'),
        segment,
        fc.constantFrom('GET', 'DELETE', 'POST'),
        async (prefix, rest, method) => {
          const response = await app.inject({ method: method as 'GET', url: prefix + rest });
          assert.ok(response.statusCode < 500, `${method} ${prefix}${rest}`);
          assert.ok(response.body.length < 1024, `${method} ${prefix}${rest}: echoed`);
          const body = response.json() as Record<string, unknown>;
          if (response.statusCode >= 400) {
            const shape = prefix === '/oauth/token/' && response.statusCode !== 404;
            assert.ok(shape ? 'error' in body : 'code' in body, JSON.stringify(body));
            assert.ok(!('statusCode' in body), `Fastify's own body: ${JSON.stringify(body)}`);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
