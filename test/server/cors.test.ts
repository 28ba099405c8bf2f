/**
 * API.md "Conventions": CORS for browser apps on allowed origins, public discovery, and the
 * headers every answer carries (nosniff) or that answers with credentials carry (no-store).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Browser, postForm, signup, testServer, userTokens } from '../helpers/server.js';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

const ISSUER = 'http://localhost:8080';
const SPA = 'https://app.example.com';
const FOREIGN = 'https://evil.example';

/** An app that allows its own origin and one SPA origin. */
async function server() {
  return testServer({
    config: { issuer: ISSUER, allowedOrigins: [ISSUER, SPA] },
  });
}

function preflight(
  app: FastifyInstance,
  url: string,
  origin: string | undefined,
  method = 'POST',
  headers = 'content-type,x-csrf-token',
) {
  return app.inject({
    method: 'OPTIONS',
    url,
    headers: {
      ...(origin === undefined ? {} : { origin }),
      'access-control-request-method': method,
      'access-control-request-headers': headers,
    },
  });
}

/** Every `Access-Control-*` header of a response. */
function corsHeaders(response: LightMyRequestResponse): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(response.headers).filter(([name]) => name.startsWith('access-control-')),
  );
}

function list(value: unknown): string[] {
  return String(value ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter(Boolean);
}

const API_PATHS = [
  '/auth/token',
  '/auth/session',
  '/auth/sessions',
  '/auth/me',
  '/oauth/token',
  '/oauth/revoke',
  '/auth/revocations',
];

describe('CORS for browser apps on allowed origins (API.md Conventions)', () => {
  it('answers a preflight from an allowed origin with 204, its origin, credentials and the API headers', async () => {
    const { app } = await server();
    for (const path of API_PATHS) {
      const response = await preflight(
        app,
        path,
        SPA,
        'POST',
        'content-type,x-csrf-token,authorization,last-event-id',
      );
      assert.equal(response.statusCode, 204, path);
      assert.equal(response.headers['access-control-allow-origin'], SPA, path);
      assert.equal(response.headers['access-control-allow-credentials'], 'true', path);
      assert.ok(list(response.headers.vary).includes('origin'), path);
      for (const method of ['get', 'post', 'delete']) {
        assert.ok(list(response.headers['access-control-allow-methods']).includes(method), method);
      }
      const allowed = list(response.headers['access-control-allow-headers']);
      for (const header of ['content-type', 'x-csrf-token', 'authorization', 'last-event-id']) {
        assert.ok(allowed.includes(header), `${path} allows ${header}`);
      }
      assert.equal(response.headers['access-control-max-age'], '7200', path);
    }
  });

  it('never reflects request headers it was not built to accept', async () => {
    const { app } = await server();
    const response = await preflight(app, '/auth/token', SPA, 'POST', 'content-type,x-evil');
    assert.equal(response.statusCode, 204);
    assert.ok(!list(response.headers['access-control-allow-headers']).includes('x-evil'));
  });

  it('answers no preflight from a foreign origin: 404 and no CORS header', async () => {
    const { app } = await server();
    for (const origin of [FOREIGN, 'null', 'http://localhost:8081', `${SPA}.evil.example`]) {
      for (const path of [...API_PATHS, '/healthz', '/nowhere']) {
        const response = await preflight(app, path, origin);
        assert.equal(response.statusCode, 404, `${origin} ${path}`);
        assert.deepEqual(corsHeaders(response), {}, `${origin} ${path}`);
      }
    }
  });

  it('lets an allowed origin read answers, with its origin, credentials and the exposed headers', async () => {
    const { app } = await server();
    await signup(app);
    const response = await app.inject({
      method: 'POST',
      url: '/auth/token',
      headers: { origin: SPA },
      payload: { email: 'ada@example.com', password: 'correct horse battery staple' },
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.headers['access-control-allow-origin'], SPA);
    assert.equal(response.headers['access-control-allow-credentials'], 'true');
    assert.ok(list(response.headers.vary).includes('origin'));
    const exposed = list(response.headers['access-control-expose-headers']);
    for (const header of ['www-authenticate', 'retry-after', 'x-csrf-token']) {
      assert.ok(exposed.includes(header), `exposes ${header}`);
    }
    // Errors are readable too, so the app can tell a wrong password from a network failure.
    const denied = await app.inject({ url: '/auth/me', headers: { origin: SPA } });
    assert.equal(denied.statusCode, 401);
    assert.equal(denied.headers['access-control-allow-origin'], SPA);
  });

  it('gives a foreign origin no CORS header on any answer, and the CSRF check still refuses its writes', async () => {
    const { app } = await server();
    const browser = new Browser(app, ISSUER);
    await browser.signupAndLogin('ada@example.com');
    const reads = [
      await app.inject({ url: '/auth/session', headers: { origin: FOREIGN } }),
      await app.inject({
        url: '/auth/session',
        headers: { origin: FOREIGN, cookie: `tessera_session=${browser.cookie}` },
      }),
    ];
    for (const response of reads) assert.deepEqual(corsHeaders(response), {});

    // A "simple" cross-origin POST needs no preflight, so it reaches the server: it must be
    // refused by the Origin check, with nothing the page could read.
    const write = await app.inject({
      method: 'DELETE',
      url: '/auth/session',
      headers: {
        origin: FOREIGN,
        cookie: `tessera_session=${browser.cookie}`,
        'x-csrf-token': browser.csrfToken ?? '',
      },
    });
    assert.equal(write.statusCode, 403);
    assert.equal(write.json().code, 'csrf');
    assert.deepEqual(corsHeaders(write), {});
    const refresh = await postForm(
      app,
      '/oauth/token',
      { grant_type: 'refresh_token' },
      { origin: FOREIGN, cookie: 'tessera_refresh=x' },
    );
    assert.equal(refresh.statusCode, 403);
    assert.deepEqual(corsHeaders(refresh), {});
    assert.equal((await browser.request('GET', '/auth/session')).statusCode, 200);
  });

  it('never combines Access-Control-Allow-Origin: * with credentials', async () => {
    const { app } = await server();
    const paths = [...API_PATHS, '/.well-known/jwks.json', '/.well-known/openid-configuration'];
    for (const origin of [SPA, ISSUER, FOREIGN, undefined]) {
      for (const path of paths) {
        for (const response of [
          await preflight(app, path, origin, 'GET'),
          await app.inject({ url: path, headers: origin === undefined ? {} : { origin } }),
        ]) {
          const allowOrigin = response.headers['access-control-allow-origin'];
          const credentials = response.headers['access-control-allow-credentials'];
          assert.ok(
            !(allowOrigin === '*' && credentials !== undefined),
            `${origin} ${path}: * with credentials`,
          );
          if (credentials !== undefined) assert.equal(allowOrigin, origin, `${origin} ${path}`);
        }
      }
    }
  });

  it('lets any origin read the discovery documents and the JWKS, without credentials', async () => {
    const { app } = await server();
    for (const path of [
      '/.well-known/jwks.json',
      '/.well-known/oauth-authorization-server',
      '/.well-known/openid-configuration',
    ]) {
      for (const origin of [FOREIGN, SPA]) {
        const response = await app.inject({ url: path, headers: { origin } });
        assert.equal(response.statusCode, 200, path);
        assert.equal(response.headers['access-control-allow-origin'], '*', path);
        assert.equal(response.headers['access-control-allow-credentials'], undefined, path);
      }
    }
  });

  it('offers no CORS on operational endpoints', async () => {
    const { app } = await server();
    for (const path of ['/healthz', '/metrics', '/openapi.json']) {
      const response = await app.inject({ url: path, headers: { origin: SPA } });
      assert.deepEqual(corsHeaders(response), {}, path);
    }
  });
});

describe('X-Content-Type-Options: nosniff on every answer (API.md Conventions)', () => {
  it('is sent on successes, problems, 404s, OAuth errors, preflights, metrics and the OpenAPI document', async () => {
    const { app } = await server();
    const { access_token } = await userTokens(app);
    const answers: Record<string, LightMyRequestResponse> = {
      success: await app.inject('/healthz'),
      me: await app.inject({
        url: '/auth/me',
        headers: { authorization: `Bearer ${access_token}` },
      }),
      problem: await app.inject('/auth/session'),
      badJson: await app.inject({
        method: 'POST',
        url: '/auth/signup',
        headers: { 'content-type': 'application/json' },
        payload: '{',
      }),
      notFound: await app.inject('/nowhere'),
      oauthError: await postForm(app, '/oauth/token', { grant_type: 'password' }),
      preflight: await preflight(app, '/auth/token', SPA),
      foreignPreflight: await preflight(app, '/auth/token', FOREIGN),
      jwks: await app.inject('/.well-known/jwks.json'),
      metrics: await app.inject('/metrics'),
      openapi: await app.inject('/openapi.json'),
    };
    for (const [kind, response] of Object.entries(answers)) {
      assert.equal(response.headers['x-content-type-options'], 'nosniff', kind);
    }
    assert.equal(answers.problem?.statusCode, 401);
    assert.equal(answers.badJson?.statusCode, 400);
    assert.equal(answers.notFound?.statusCode, 404);
    assert.equal(answers.oauthError?.statusCode, 400);
  });

  it('is sent on a hijacked stream (the revocation feed) and on a URL Fastify refuses before routing', async () => {
    const { app, core } = await server();
    const feed = await core.clients.create({
      name: 'feed',
      scopes: ['tessera:revocations'],
      audiences: [],
    });
    const basic = Buffer.from(`${feed.client.id}:${feed.secret}`).toString('base64');
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const controller = new AbortController();
      const stream = await fetch(`${url}/auth/revocations`, {
        headers: { authorization: `Basic ${basic}`, accept: 'text/event-stream' },
        signal: controller.signal,
      });
      assert.equal(stream.status, 200);
      assert.equal(stream.headers.get('x-content-type-options'), 'nosniff');
      controller.abort();
      await stream.body?.cancel().catch(() => undefined);

      const badUrl = await fetch(`${url}/auth/sessions/%E0%A4`);
      assert.equal(badUrl.status, 400);
      assert.equal(badUrl.headers.get('x-content-type-options'), 'nosniff');
    } finally {
      await app.close();
    }
  });
});

describe('Cache-Control: no-store on answers with a credential, a CSRF token or personal data', () => {
  it('is sent by every route of API.md that returns one, and by their errors', async () => {
    const { app } = await server();
    const browser = new Browser(app, ISSUER);
    const signed = await browser.request('POST', '/auth/signup', {
      email: 'ada@example.com',
      password: 'correct horse battery staple',
    });
    assert.equal(signed.statusCode, 201);
    const answers: Record<string, LightMyRequestResponse> = {
      'POST /auth/signup': signed,
      'POST /auth/session': await browser.login('ada@example.com'),
      'GET /auth/session': await browser.request('GET', '/auth/session'),
      'GET /auth/sessions': await browser.request('GET', '/auth/sessions'),
      'GET /auth/me (session)': await browser.request('GET', '/auth/me'),
    };
    const { access_token, refresh_token } = await userTokens(app, 'grace@example.com');
    answers['GET /auth/me (bearer)'] = await app.inject({
      url: '/auth/me',
      headers: { authorization: `Bearer ${access_token}` },
    });
    answers['POST /auth/token'] = await app.inject({
      method: 'POST',
      url: '/auth/token',
      payload: { email: 'grace@example.com', password: 'correct horse battery staple' },
    });
    answers['POST /oauth/token'] = await postForm(app, '/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token,
    });
    answers['GET /auth/session (401)'] = await app.inject('/auth/session');
    answers['POST /auth/session (401)'] = await app.inject({
      method: 'POST',
      url: '/auth/session',
      payload: { email: 'ada@example.com', password: 'wrong password, long enough' },
    });
    for (const [route, response] of Object.entries(answers)) {
      assert.ok(response.statusCode < 500, `${route}: ${response.body}`);
      assert.equal(response.headers['cache-control'], 'no-store', route);
    }
  });

  it('leaves the public discovery documents cacheable', async () => {
    const { app } = await server();
    for (const path of ['/.well-known/jwks.json', '/.well-known/openid-configuration']) {
      const response = await app.inject(path);
      assert.match(String(response.headers['cache-control']), /^public, max-age=\d+$/, path);
    }
  });
});
