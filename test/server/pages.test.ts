/** API.md "Pages": the hosted sign-in, sign-up, sign-out and account pages over HTTP. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STYLESHEET_PATH } from '../../src/web/assets/stylesheet.js';
import { PASSWORD, testServer } from '../helpers/server.js';
import { PageBrowser, hiddenField } from './pages-helpers.js';
import type { LightMyRequestResponse } from 'fastify';

const EMAIL = 'ada@example.com';

/** Asserts the headers every page sends (API.md "Pages"). */
function assertPageHeaders(response: LightMyRequestResponse) {
  assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
  const csp = String(response.headers['content-security-policy']);
  for (const directive of [
    "default-src 'none'",
    "style-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ]) {
    assert.ok(csp.includes(directive), `${directive} in ${csp}`);
  }
  assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'), csp);
  assert.ok(!csp.includes('script-src'), 'no script source at all: default-src none covers it');
  assert.equal(response.headers['x-frame-options'], 'DENY');
  // Nothing to other origins; Chromium needs the page's own origin to send Origin on its forms.
  assert.equal(response.headers['referrer-policy'], 'same-origin');
  assert.equal(response.headers['cache-control'], 'no-store');
  assert.equal(response.headers['x-content-type-options'], 'nosniff');
}

/** A fresh server and a browser that has an account and no session. */
async function withAccount() {
  const server = await testServer();
  const browser = new PageBrowser(server.app);
  const signup = await browser.submit('/signup', '/signup', { email: EMAIL, password: PASSWORD });
  assert.equal(signup.statusCode, 303, signup.body);
  return { ...server, browser, fresh: () => new PageBrowser(server.app) };
}

describe('pages are strict HTML documents', () => {
  it('every page sends the CSP without inline script, no framing, no referrer and no-store', async () => {
    const { app } = await testServer();
    const browser = new PageBrowser(app);
    for (const path of ['/login', '/signup', '/oauth/authorize?a=1&a=2']) {
      const response = await browser.get(path);
      assertPageHeaders(response);
    }
    // An error of the pages (a refused form) is a page too, with the same headers.
    assertPageHeaders(await browser.post('/login', { email: EMAIL, password: PASSWORD }));
  });

  it('the sign-in page labels Email and Password, names its button Sign in and links to sign-up', async () => {
    const { app } = await testServer();
    const { body, statusCode } = await new PageBrowser(app).get('/login');
    assert.equal(statusCode, 200);
    assert.match(body, /^<!doctype html><html lang="en">/);
    assert.match(body, /<meta name="viewport" content="width=device-width, initial-scale=1"/);
    assert.match(body, /<label for="email">Email<\/label><input id="email" name="email"/);
    assert.match(body, /<label for="password">Password<\/label><input id="password"/);
    assert.match(body, /<button type="submit">Sign in<\/button>/);
    assert.match(body, /<a href="\/signup\?return_to=%2Faccount">/);
    assert.match(body, /<main>.*<h1>Sign in<\/h1>/s);
    assert.ok(!/<script/i.test(body), 'no JavaScript at all');
    const signup = (await new PageBrowser(app).get('/signup')).body;
    assert.match(signup, /<button type="submit">Create account<\/button>/);
  });

  it('the stylesheet is served at a versioned path, as text/css, cached for a year', async () => {
    const { app } = await testServer();
    assert.match(STYLESHEET_PATH, /^\/assets\/tessera\.[0-9a-f]{12}\.css$/);
    const page = await new PageBrowser(app).get('/login');
    assert.ok(page.body.includes(`<link rel="stylesheet" href="${STYLESHEET_PATH}"/>`));
    const css = await app.inject({ method: 'GET', url: STYLESHEET_PATH });
    assert.equal(css.statusCode, 200);
    assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
    assert.equal(css.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.match(css.body, /:focus-visible/);
  });

  it('what a user typed is escaped, never markup', async () => {
    const { app } = await testServer();
    const browser = new PageBrowser(app);
    const evil = '"><script>alert(1)</script>';
    const login = await browser.submit('/login', '/login', { email: evil, password: 'x' });
    assert.ok(!login.body.includes('<script>'), login.body);
    assert.ok(login.body.includes('&quot;>&lt;script>'));
    const page = await browser.get(`/login?return_to=${encodeURIComponent(`/a${evil}`)}`);
    assert.ok(!page.body.includes('<script>'));
  });
});

describe('sign-up, sign-in and sign-out with the hosted forms', () => {
  it('sign-up creates the account, signs the browser in and lands on /account', async () => {
    const { browser } = await withAccount();
    assert.ok(browser.session, 'signed in after sign-up');
    const account = await browser.get('/account');
    assert.equal(account.statusCode, 200);
    assertPageHeaders(account);
    assert.ok(account.body.includes(EMAIL));
    assert.match(account.body, /<form method="post" action="\/logout">/);
  });

  it('sign-in sets the session cookie exactly as POST /auth/session does, and returns with 303', async () => {
    const { fresh } = await withAccount();
    const browser = fresh();
    const response = await browser.submit('/login', '/login', { email: EMAIL, password: PASSWORD });
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, '/account');
    const cookie = String(response.headers['set-cookie']);
    assert.match(cookie, /tessera_session=[A-Za-z0-9_-]{43}/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.match(cookie, /Path=\//);
    const me = await browser.get('/auth/session');
    assert.equal(me.statusCode, 200);
  });

  it('a wrong password and an unknown email re-render the page with the same message and 401', async () => {
    const { fresh } = await withAccount();
    const message = (html: string) => /<p class="alert" role="alert">([^<]*)<\/p>/.exec(html)?.[1];
    const wrong = await fresh().submit('/login', '/login', { email: EMAIL, password: 'nope nope' });
    const unknown = await fresh().submit('/login', '/login', {
      email: 'nobody@example.com',
      password: 'nope nope',
    });
    assert.equal(wrong.statusCode, 401);
    assert.equal(unknown.statusCode, 401);
    assert.equal(message(wrong.body), 'Email or password is wrong.');
    assert.equal(message(unknown.body), message(wrong.body));
    assert.equal(wrong.headers['set-cookie']?.includes('tessera_session'), undefined);
    assert.match(wrong.body, /value="ada@example.com"/, 'the email is kept, the password is not');
  });

  it('too many failed sign-ins re-render the page with 429 and Retry-After', async () => {
    const { fresh } = await withAccount();
    const browser = fresh();
    let last: LightMyRequestResponse | undefined;
    for (let i = 0; i < 30 && last?.statusCode !== 429; i += 1) {
      last = await browser.submit('/login', '/login', { email: EMAIL, password: 'nope nope' });
    }
    assert.equal(last?.statusCode, 429);
    assert.match(String(last.headers['retry-after']), /^\d+$/);
    assert.match(last.body, /Too many attempts/);
    assert.match(last.body, /<button type="submit">Sign in<\/button>/);
  });

  it('sign-up refuses a weak password (400) and a taken email (409) on the page, as the API does', async () => {
    const { fresh } = await withAccount();
    const weak = await fresh().submit('/signup', '/signup', {
      email: 'b@example.com',
      password: 'short',
    });
    assert.equal(weak.statusCode, 400);
    assert.match(weak.body, /role="alert">Password must have at least/);
    const taken = await fresh().submit('/signup', '/signup', { email: EMAIL, password: PASSWORD });
    assert.equal(taken.statusCode, 409);
    assert.match(taken.body, /already exists/);
  });

  it('signing in again replaces (revokes) the session the browser already had', async () => {
    const { browser } = await withAccount();
    const before = browser.session;
    const again = await browser.submit('/login', '/login', { email: EMAIL, password: PASSWORD });
    assert.equal(again.statusCode, 303);
    assert.notEqual(browser.session, before);
    const old = new PageBrowser(browser['app' as never]);
    old.cookies.set('tessera_session', before ?? '');
    assert.equal((await old.get('/auth/session')).statusCode, 401, 'the old session is gone');
  });

  it('Sign out ends the session, clears the cookie and shows the sign-in page', async () => {
    const { browser, app } = await withAccount();
    const session = browser.session ?? '';
    const out = await browser.submit('/account', '/logout', {});
    assert.equal(out.statusCode, 200);
    assertPageHeaders(out);
    assert.match(out.body, /<h1>Sign in<\/h1>/);
    assert.match(out.body, /You have signed out/);
    assert.equal(browser.session, undefined, 'cookie cleared');
    const old = new PageBrowser(app);
    old.cookies.set('tessera_session', session);
    assert.equal((await old.get('/auth/session')).statusCode, 401, 'the session is gone');
    const account = await browser.get('/account');
    assert.equal(account.statusCode, 303);
    assert.equal(account.headers.location, '/login?return_to=%2Faccount');
  });
});

describe('every form is protected against cross-site posts', () => {
  it('a sign-in form without its token, or with another token, is refused with a 403 page', async () => {
    const { fresh } = await withAccount();
    const browser = fresh();
    await browser.get('/login');
    const none = await browser.post('/login', { email: EMAIL, password: PASSWORD });
    assert.equal(none.statusCode, 403);
    assert.match(none.body, /came from another site/);
    const other = await browser.post('/login', {
      email: EMAIL,
      password: PASSWORD,
      form_token: 'A'.repeat(43),
    });
    assert.equal(other.statusCode, 403);
    assert.equal(browser.session, undefined);
  });

  it('the pre-session form cookie is HttpOnly, and Secure with the __Host- prefix over https', async () => {
    const { app } = await testServer({ config: { issuer: 'https://auth.example.com' } });
    const page = await new PageBrowser(app, 'https://auth.example.com').get('/login');
    const cookie = String(page.headers['set-cookie']);
    assert.match(cookie, /^__Host-tessera_form=[A-Za-z0-9_-]{43};/);
    for (const attribute of ['Path=/', 'HttpOnly', 'Secure', 'SameSite=Lax']) {
      assert.ok(cookie.includes(attribute), `${attribute} in ${cookie}`);
    }
    assert.ok(page.body.includes(cookie.slice('__Host-tessera_form='.length, cookie.indexOf(';'))));
  });

  it('a sign-in form posted from another origin is refused even with the token (login CSRF)', async () => {
    const { fresh } = await withAccount();
    const browser = fresh();
    const token = hiddenField((await browser.get('/login')).body, 'form_token') ?? '';
    const foreign = await browser.post(
      '/login',
      { email: EMAIL, password: PASSWORD, form_token: token },
      { origin: 'https://evil.example' },
    );
    assert.equal(foreign.statusCode, 403);
    const crossSite = await browser.post(
      '/login',
      { email: EMAIL, password: PASSWORD, form_token: token },
      { origin: '', 'sec-fetch-site': 'cross-site' },
    );
    assert.equal(crossSite.statusCode, 403);
    assert.equal(browser.session, undefined);
  });

  it('Sign out without the session CSRF token is refused and the session lives on', async () => {
    const { browser } = await withAccount();
    const refused = await browser.post('/logout', { csrf_token: 'wrong' });
    assert.equal(refused.statusCode, 403);
    assert.ok(browser.session);
    assert.equal((await browser.get('/auth/session')).statusCode, 200);
  });

  it('a repeated form field is refused, not guessed at', async () => {
    const { fresh } = await withAccount();
    const browser = fresh();
    const token = hiddenField((await browser.get('/login')).body, 'form_token') ?? '';
    const body = `form_token=${token}&email=${EMAIL}&email=eve%40example.com&password=x`;
    const response = await browser.post('/login', body);
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /sent more than once/);
  });
});

describe('the return address after sign-in is this server’s own path, or the account page', () => {
  it('sign-in returns to a local path it was given', async () => {
    const { fresh } = await withAccount();
    const browser = fresh();
    const page = await browser.get('/login?return_to=%2Foauth%2Fauthorize%3Fclient_id%3Dx');
    const returnTo = hiddenField(page.body, 'return_to');
    assert.equal(returnTo, '/oauth/authorize?client_id=x');
    const response = await browser.post('/login', {
      form_token: hiddenField(page.body, 'form_token') ?? '',
      return_to: returnTo ?? '',
      email: EMAIL,
      password: PASSWORD,
    });
    assert.equal(response.headers.location, '/oauth/authorize?client_id=x');
  });

  for (const target of [
    'https://evil.example/',
    '//evil.example/',
    '/\\evil.example/',
    '/%2F/evil.example',
    '/\t/evil.example',
    'javascript:alert(1)',
    ' /account',
  ]) {
    it(`sign-in never sends the browser to ${JSON.stringify(target)}`, async () => {
      const { fresh } = await withAccount();
      const browser = fresh();
      const page = await browser.get(`/login?return_to=${encodeURIComponent(target)}`);
      assert.equal(hiddenField(page.body, 'return_to'), '/account');
      const response = await browser.post('/login', {
        form_token: hiddenField(page.body, 'form_token') ?? '',
        return_to: target,
        email: EMAIL,
        password: PASSWORD,
      });
      assert.equal(response.statusCode, 303);
      assert.equal(response.headers.location, '/account');
    });
  }
});

describe('GET /oauth/authorize refuses what it cannot read unambiguously', () => {
  it('a repeated parameter is invalid_request on an error page (400), never a redirect', async () => {
    const { app } = await testServer();
    const response = await new PageBrowser(app).get(
      '/oauth/authorize?client_id=a&redirect_uri=https%3A%2F%2Fa.example%2Fcb&redirect_uri=https%3A%2F%2Fevil.example%2Fcb&response_type=code',
    );
    assert.equal(response.statusCode, 400);
    assert.equal(response.headers.location, undefined);
    assert.match(response.body, /invalid_request/);
    assert.match(response.body, /redirect_uri was sent more than once/);
  });
});
