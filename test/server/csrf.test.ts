import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Browser, testServer } from '../helpers/server.js';

async function loggedIn(env: Record<string, string> = {}) {
  const server = await testServer({ env });
  const browser = new Browser(server.app);
  await browser.signupAndLogin('ada@example.com');
  return { ...server, browser };
}

describe('CSRF protection of cookie-authenticated writes', () => {
  it('refuses a write without X-CSRF-Token with 403 csrf, and changes nothing', async () => {
    const { browser } = await loggedIn();
    const token = browser.csrfToken;
    browser.csrfToken = undefined;
    const response = await browser.request('DELETE', '/auth/session');
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().code, 'csrf');
    browser.csrfToken = token;
    assert.equal((await browser.request('GET', '/auth/session')).statusCode, 200);
  });

  it('refuses a write with a wrong X-CSRF-Token', async () => {
    const { browser } = await loggedIn();
    const response = await browser.request('DELETE', '/auth/session', undefined, {
      'x-csrf-token': 'A'.repeat(43),
    });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().code, 'csrf');
  });

  it('refuses another session’s CSRF token', async () => {
    const { app, browser } = await loggedIn();
    const other = new Browser(app);
    await other.login('ada@example.com');
    const response = await browser.request('DELETE', '/auth/session', undefined, {
      'x-csrf-token': other.csrfToken ?? '',
    });
    assert.equal(response.statusCode, 403);
  });

  it('refuses a foreign Origin even with the right token', async () => {
    const { browser } = await loggedIn();
    const response = await browser.request('DELETE', '/auth/session', undefined, {
      origin: 'https://evil.example',
    });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().code, 'csrf');
    assert.equal((await browser.request('GET', '/auth/session')).statusCode, 200);
  });

  it('refuses a cross-site request that sends no Origin (Fetch Metadata)', async () => {
    const { app, browser } = await loggedIn();
    const response = await app.inject({
      method: 'DELETE',
      url: '/auth/session',
      headers: {
        cookie: `tessera_session=${browser.cookie}`,
        'x-csrf-token': browser.csrfToken ?? '',
        'sec-fetch-site': 'cross-site',
      },
    });
    assert.equal(response.statusCode, 403);
  });

  it('accepts the right token from an allowed Origin, and with no Origin at all', async () => {
    const { app, browser } = await loggedIn({
      TESSERA_ALLOWED_ORIGINS: 'http://localhost:8080,https://app.example.com',
    });
    const other = new Browser(app, 'https://app.example.com');
    await other.login('ada@example.com');
    assert.equal((await other.request('DELETE', '/auth/session')).statusCode, 204);
    const response = await app.inject({
      method: 'DELETE',
      url: '/auth/session',
      headers: {
        cookie: `tessera_session=${browser.cookie}`,
        'x-csrf-token': browser.csrfToken ?? '',
      },
    });
    assert.equal(response.statusCode, 204);
  });

  it('refuses login and sign-up posted from a foreign Origin (login CSRF)', async () => {
    const { app } = await loggedIn();
    const evil = new Browser(app, 'https://evil.example');
    const login = await evil.login('ada@example.com');
    assert.equal(login.statusCode, 403);
    assert.equal(evil.cookie, undefined);
    const signup = await evil.request('POST', '/auth/signup', {
      email: 'new@example.com',
      password: 'another fine passphrase',
    });
    assert.equal(signup.statusCode, 403);
  });

  it('needs no CSRF token for safe methods', async () => {
    const { browser } = await loggedIn();
    browser.csrfToken = undefined;
    assert.equal((await browser.request('GET', '/auth/sessions')).statusCode, 200);
  });
});
