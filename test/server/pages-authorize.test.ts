/**
 * API.md "Authorization code flow" and "Pages": the browser's side of /oauth/authorize (sign-in,
 * consent, Allow / Deny) and of /oauth/logout (confirm, signed out), over HTTP.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PASSWORD, testServer } from '../helpers/server.js';
import { authorizeParams, pkce, registerClient } from '../core/oauth/flow.js';
import { PageBrowser, hiddenField } from './pages-helpers.js';
import type { ClientRecord } from '../../src/stores/ports.js';
import type { LightMyRequestResponse } from 'fastify';

const EMAIL = 'ada@example.com';
const SCOPES = ['openid', 'email', 'profile', 'offline_access', 'reports:read'];

/** A server with a third-party client, and a signed-in browser. */
async function setUp(client: Partial<ClientRecord> = {}) {
  const server = await testServer();
  const app = server.app;
  const registered = await registerClient(server.stores, {
    name: 'Photo Prints',
    scopes: SCOPES,
    ...client,
  });
  const browser = new PageBrowser(app);
  const signup = await browser.submit('/signup', '/signup', { email: EMAIL, password: PASSWORD });
  assert.equal(signup.statusCode, 303);
  const { challenge } = pkce();
  const params = authorizeParams(registered, challenge, { scope: SCOPES.join(' ') });
  const authorizeUrl = `/oauth/authorize?${new URLSearchParams(params).toString()}`;
  return { ...server, client: registered, browser, params, authorizeUrl };
}

/** The redirect's target and query. */
function location(response: LightMyRequestResponse): URL {
  assert.equal(response.statusCode, 303, response.body);
  return new URL(String(response.headers.location), 'http://localhost:8080');
}

/** Posts the consent form of `page` with `decision`. */
function decide(browser: PageBrowser, page: string, decision: string, extra = {}) {
  return browser.post('/oauth/authorize/decision', {
    csrf_token: hiddenField(page, 'csrf_token') ?? '',
    request: hiddenField(page, 'request') ?? '',
    decision,
    ...extra,
  });
}

describe('GET /oauth/authorize in a browser', () => {
  it('without a session, sends the browser to /login with the request as its return address', async () => {
    const { app, authorizeUrl, params } = await setUp();
    const anonymous = new PageBrowser(app);
    const response = await anonymous.get(authorizeUrl);
    const to = location(response);
    assert.equal(to.pathname, '/login');
    const back = new URL(to.searchParams.get('return_to') ?? '', 'http://localhost:8080');
    assert.equal(back.pathname, '/oauth/authorize');
    for (const [name, value] of Object.entries(params)) {
      assert.equal(back.searchParams.get(name), value, name);
    }
    assert.equal(response.headers['referrer-policy'], 'no-referrer');
    assert.equal(response.headers['cache-control'], 'no-store');
  });

  it('signing in on that page comes back to the request, and its CSP lets the flow redirect to the client', async () => {
    const { app, authorizeUrl } = await setUp();
    const browser = new PageBrowser(app);
    const toLogin = location(await browser.get(authorizeUrl));
    const login = await browser.get(`${toLogin.pathname}${toLogin.search}`);
    const csp = String(login.headers['content-security-policy']);
    assert.match(csp, /form-action 'self' https:\/\/app\.example\.com;/);
    assert.match(login.body, /to continue to <strong>Photo Prints<\/strong>/);
    const signedIn = await browser.post('/login', {
      form_token: hiddenField(login.body, 'form_token') ?? '',
      return_to: hiddenField(login.body, 'return_to') ?? '',
      email: EMAIL,
      password: PASSWORD,
    });
    assert.equal(location(signedIn).pathname, '/oauth/authorize');
  });

  it('a sign-in page returning to an unregistered redirect URI does not widen its CSP', async () => {
    const { app, client } = await setUp();
    const evil = new URLSearchParams({
      client_id: client.id,
      redirect_uri: 'https://evil.example/cb',
    });
    const returnTo = encodeURIComponent(`/oauth/authorize?${evil.toString()}`);
    const login = await new PageBrowser(app).get(`/login?return_to=${returnTo}`);
    assert.match(String(login.headers['content-security-policy']), /form-action 'self';/);
    assert.ok(!login.body.includes('continue to'), 'an unchecked request names no app');
  });

  it('the consent page names the client, lists the scopes in words and offers Allow and Deny', async () => {
    const { browser, authorizeUrl } = await setUp();
    const page = await browser.get(authorizeUrl);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h1>Allow Photo Prints\?<\/h1>/);
    for (const words of [
      'Confirm who you are',
      'See your email address',
      'See your basic profile',
      'Stay signed in to Photo Prints when you are away',
      '<li>reports:read</li>',
    ]) {
      assert.ok(page.body.includes(words), words);
    }
    assert.match(page.body, /<button type="submit" name="decision" value="allow">Allow<\/button>/);
    assert.match(page.body, /value="deny" class="secondary">Deny<\/button>/);
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /form-action 'self' https:\/\/app\.example\.com;/);
    assert.ok(!csp.includes('unsafe-inline'));
    assert.equal(page.headers['referrer-policy'], 'same-origin');
    assert.equal(page.headers['x-frame-options'], 'DENY');
  });

  it('Allow redirects to the client with code, state and iss', async () => {
    const { browser, authorizeUrl, config } = await setUp();
    const page = await browser.get(authorizeUrl);
    const allowed = await decide(browser, page.body, 'allow');
    const to = location(allowed);
    assert.equal(`${to.origin}${to.pathname}`, 'https://app.example.com/callback');
    assert.match(to.searchParams.get('code') ?? '', /.{20,}/);
    assert.equal(to.searchParams.get('state'), 'xyz-state');
    assert.equal(to.searchParams.get('iss'), config.issuer);
    // The code travels in this redirect: no referrer goes with it.
    assert.equal(allowed.headers['referrer-policy'], 'no-referrer');
    // Remembered: the next request goes straight back to the client.
    const again = location(await browser.get(authorizeUrl));
    assert.equal(again.origin, 'https://app.example.com');
  });

  it('Deny redirects to the client with error=access_denied', async () => {
    const { browser, authorizeUrl } = await setUp();
    const page = await browser.get(authorizeUrl);
    const to = location(await decide(browser, page.body, 'deny'));
    assert.equal(to.origin, 'https://app.example.com');
    assert.equal(to.searchParams.get('error'), 'access_denied');
    assert.equal(to.searchParams.get('code'), null);
  });

  it('a consent decision without the session CSRF token, or from another origin, is refused (403) and redirects nowhere', async () => {
    const { browser, authorizeUrl } = await setUp();
    const page = await browser.get(authorizeUrl);
    const noToken = await decide(browser, page.body, 'allow', { csrf_token: '' });
    assert.equal(noToken.statusCode, 403);
    assert.equal(noToken.headers.location, undefined);
    const foreign = await browser.post(
      '/oauth/authorize/decision',
      {
        csrf_token: hiddenField(page.body, 'csrf_token') ?? '',
        request: hiddenField(page.body, 'request') ?? '',
        decision: 'allow',
      },
      { origin: 'https://evil.example' },
    );
    assert.equal(foreign.statusCode, 403);
    assert.equal(foreign.headers.location, undefined);
  });

  it('a tampered consent form is checked again: a foreign redirect URI gets the error page', async () => {
    const { browser, authorizeUrl } = await setUp();
    const page = await browser.get(authorizeUrl);
    const request = new URLSearchParams(hiddenField(page.body, 'request'));
    request.set('redirect_uri', 'https://evil.example/cb');
    const response = await decide(browser, page.body, 'allow', { request: request.toString() });
    assert.equal(response.statusCode, 400);
    assert.equal(response.headers.location, undefined);
  });

  it('an unknown client or an unregistered redirect URI gets the error page (400), never a redirect', async () => {
    const { browser, params } = await setUp();
    for (const bad of [
      { client_id: 'client_nobody' },
      { redirect_uri: 'https://evil.example/cb' },
      { redirect_uri: 'https://app.example.com/callback/more' },
    ]) {
      const query = new URLSearchParams({ ...params, ...bad }).toString();
      const response = await browser.get(`/oauth/authorize?${query}`);
      assert.equal(response.statusCode, 400, JSON.stringify(bad));
      assert.equal(response.headers.location, undefined);
      assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
    }
  });

  it('the endpoint takes the same request by POST (OpenID Connect Core §3.1.2.1)', async () => {
    const { browser, params } = await setUp();
    const page = await browser.post('/oauth/authorize', params, {
      origin: 'https://app.example.com',
    });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h1>Allow Photo Prints\?<\/h1>/);
  });

  it('prompt=login sends a signed-in person to sign in again, once, then on to consent', async () => {
    const { browser, params } = await setUp();
    const query = new URLSearchParams({ ...params, prompt: 'login' }).toString();
    const toLogin = location(await browser.get(`/oauth/authorize?${query}`));
    assert.equal(toLogin.pathname, '/login');
    const login = await browser.get(`${toLogin.pathname}${toLogin.search}`);
    const back = await browser.post('/login', {
      form_token: hiddenField(login.body, 'form_token') ?? '',
      return_to: hiddenField(login.body, 'return_to') ?? '',
      email: EMAIL,
      password: PASSWORD,
    });
    const again = location(back);
    const consent = await browser.get(`${again.pathname}${again.search}`);
    assert.equal(consent.statusCode, 200, 'no second sign-in');
    assert.match(consent.body, /Allow Photo Prints/);
  });

  it('a first-party client is not asked about: the browser goes straight back with a code', async () => {
    const { browser, authorizeUrl } = await setUp({ firstParty: true });
    const to = location(await browser.get(authorizeUrl));
    assert.equal(to.origin, 'https://app.example.com');
    assert.ok(to.searchParams.get('code'));
  });
});

describe('GET /oauth/logout in a browser', () => {
  it('asks before ending a session nothing proves the client speaks for; Sign out ends it', async () => {
    const { browser, client, app } = await setUp();
    const session = browser.session ?? '';
    const query = new URLSearchParams({
      client_id: client.id,
      post_logout_redirect_uri: 'https://app.example.com/bye',
      state: 's1',
    });
    const page = await browser.get(`/oauth/logout?${query.toString()}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Photo Prints asked to sign you out/);
    assert.match(page.body, /<button type="submit">Sign out<\/button>/);
    assert.match(
      String(page.headers['content-security-policy']),
      /form-action 'self' https:\/\/app\.example\.com;/,
    );
    assert.ok(browser.session, 'nothing ended yet');

    const refused = await browser.post('/oauth/logout', {
      request: hiddenField(page.body, 'request') ?? '',
      csrf_token: 'wrong',
    });
    assert.equal(refused.statusCode, 403);

    const done = await browser.post('/oauth/logout', {
      request: hiddenField(page.body, 'request') ?? '',
      csrf_token: hiddenField(page.body, 'csrf_token') ?? '',
    });
    const to = location(done);
    assert.equal(`${to.origin}${to.pathname}`, 'https://app.example.com/bye');
    assert.equal(to.searchParams.get('state'), 's1');
    assert.equal(browser.session, undefined, 'the cookie is cleared');
    const old = new PageBrowser(app);
    old.cookies.set('tessera_session', session);
    assert.equal((await old.get('/auth/session')).statusCode, 401);
  });

  it('without a session and a redirect URI, shows the signed-out page', async () => {
    const { app } = await setUp();
    const page = await new PageBrowser(app).get('/oauth/logout');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /You have signed out/);
    assert.equal(page.headers['cache-control'], 'no-store');
  });

  it('an unregistered post-logout URI gets the error page, never a redirect', async () => {
    const { browser, client } = await setUp();
    const query = new URLSearchParams({
      client_id: client.id,
      post_logout_redirect_uri: 'https://evil.example/',
    });
    const page = await browser.get(`/oauth/logout?${query.toString()}`);
    assert.equal(page.statusCode, 400);
    assert.equal(page.headers.location, undefined);
    assert.ok(browser.session, 'the session lives on');
  });
});
