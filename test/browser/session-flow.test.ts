/**
 * The browser flow of API.md "Sessions", in a real headless Chromium: what the cookie attributes
 * and the CSRF rules actually do in a browser, including against pages on other sites.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PASSWORD } from '../helpers/server.js';
import { BROWSER_TIMEOUT_MS, chromiumSkipReason, launchChromium } from './chromium.js';
import { callJson, expectResponse, fetchIn } from './page-fetch.js';
import { autoSubmitPage, jsonAsTextPlain, startForeignSite, startTessera } from './sites.js';
import type { Exchange, ForeignSite, TesseraSite } from './sites.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';

const TEST = { timeout: 60_000 };
const NEW_PASSWORD = 'a different and equally long passphrase';

interface LoginBody {
  user: { email: string };
  session: { id: string };
  csrfToken: string;
}

describe('session flow in a real browser', { skip: chromiumSkipReason() }, () => {
  let browser: Browser | undefined;
  let tessera: TesseraSite | undefined;
  let foreign: ForeignSite | undefined;
  const contexts: BrowserContext[] = [];
  let users = 0;

  before(
    async () => {
      // The browser first: without one there is nothing to test, and nothing to clean up.
      browser = await launchChromium();
      tessera = await startTessera();
      foreign = await startForeignSite();
    },
    { timeout: 60_000 },
  );

  after(
    async () => {
      await Promise.allSettled(contexts.map((context) => context.close()));
      await browser?.close();
      await foreign?.close();
      await tessera?.close();
    },
    { timeout: 30_000 },
  );

  function sites(): { tessera: TesseraSite; foreign: ForeignSite; browser: Browser } {
    assert.ok(tessera && foreign && browser, 'set up by before()');
    return { tessera, foreign, browser };
  }

  /** A fresh browser profile (its own cookie jar) with a page open on Tessera's origin. */
  async function freshBrowser(): Promise<{ context: BrowserContext; page: Page }> {
    const { browser, tessera } = sites();
    const context = await browser.newContext();
    contexts.push(context);
    context.setDefaultTimeout(BROWSER_TIMEOUT_MS);
    context.setDefaultNavigationTimeout(BROWSER_TIMEOUT_MS);
    const page = await context.newPage();
    // Any Tessera URL makes the page same-origin with the API; /healthz is the cheapest.
    await page.goto(`${tessera.origin}/healthz`);
    return { context, page };
  }

  /** A browser where a new user signed up and logged in through fetch() on Tessera's origin. */
  async function loggedIn() {
    const { context, page } = await freshBrowser();
    const email = `user${++users}@example.com`;
    expectResponse(
      await callJson(page, 'POST', '/auth/signup', { email, password: PASSWORD }),
      201,
    );
    const login = expectResponse(
      await callJson(page, 'POST', '/auth/session', { email, password: PASSWORD }),
      200,
    );
    return { context, page, email, login: JSON.parse(login) as LoginBody };
  }

  async function sessionCookie(context: BrowserContext) {
    const jar = await context.cookies(sites().tessera.origin);
    return jar.find((cookie) => cookie.name === 'tessera_session');
  }

  /** The exchanges Tessera saw from now on, read by the returned function. */
  function watchWire(): () => Promise<Exchange[]> {
    const { exchanges } = sites().tessera;
    const start = exchanges.length;
    return async () => {
      // A response's 'finish' can trail the browser's view of it by an event-loop turn.
      await new Promise((resolve) => setTimeout(resolve, 50));
      return exchanges.slice(start);
    };
  }

  /** Opens `html` from the foreign site at `base` and waits for the POST it submits to Tessera. */
  async function submitFrom(page: Page, base: string, path: string, html: string) {
    const { tessera, foreign } = sites();
    foreign.serve(path, html);
    const answered = page.waitForResponse(
      (response) =>
        response.url().startsWith(tessera.origin) && response.request().method() === 'POST',
    );
    await page.goto(`${base}${path}`);
    const response = await answered;
    return { status: response.status(), body: await response.text() };
  }

  it(
    'a session cookie set by a same-origin login is sent back automatically and hidden from scripts (HttpOnly)',
    TEST,
    async () => {
      const wire = watchWire();
      const { context, page, login } = await loggedIn();

      const cookie = await sessionCookie(context);
      assert.ok(cookie, 'the browser kept the session cookie');
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, 'Lax');
      assert.equal(cookie.path, '/');
      assert.notEqual(cookie.value, login.session.id, 'the public handle is not the cookie value');

      const current = JSON.parse(expectResponse(await callJson(page, 'GET', '/auth/session'), 200));
      assert.equal(current.session.id, login.session.id);
      assert.equal(current.csrfToken, login.csrfToken);
      const get = (await wire()).find((x) => x.method === 'GET' && x.path === '/auth/session');
      assert.equal(get?.withCookie, true, 'the browser sent the cookie without being told to');

      const visible = await page.evaluate(
        () => (globalThis as unknown as { document: { cookie: string } }).document.cookie,
      );
      assert.doesNotMatch(visible, /tessera_session/);
      assert.ok(!visible.includes(cookie.value));
    },
  );

  it(
    'logout with the CSRF token clears the cookie from the browser and ends the session',
    TEST,
    async () => {
      const { context, page, login } = await loggedIn();
      const before = await sessionCookie(context);
      assert.ok(before);

      expectResponse(
        await callJson(page, 'DELETE', '/auth/session', undefined, login.csrfToken),
        204,
      );
      assert.equal(await sessionCookie(context), undefined, 'the cookie is gone from the jar');
      expectResponse(await callJson(page, 'GET', '/auth/session'), 401);

      // The server forgot the session too: putting the old cookie back does not revive it.
      await context.addCookies([before]);
      expectResponse(await callJson(page, 'GET', '/auth/session'), 401);
    },
  );

  it('a page on another site cannot log the user out or change the password', TEST, async () => {
    const { foreign, tessera } = sites();
    const { context, page, email, login } = await loggedIn();
    const cookie = await sessionCookie(context);
    const wire = watchWire();

    const attacker = await context.newPage();
    const form = await submitFrom(
      attacker,
      foreign.crossSite,
      '/password-form',
      autoSubmitPage(
        `${tessera.origin}/auth/password`,
        'text/plain',
        jsonAsTextPlain({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD }),
      ),
    );
    assert.ok(form.status >= 400, `the form POST was refused (${form.status} ${form.body})`);

    foreign.serve('/blank', '<!doctype html><title>elsewhere</title>');
    await attacker.goto(`${foreign.crossSite}/blank`);
    const logout = await fetchIn(attacker, `${tessera.origin}/auth/session`, {
      method: 'DELETE',
      credentials: 'include',
    });
    // A DELETE needs a CORS preflight, granted to allowed origins only: the request is never sent.
    assert.equal(logout.ok, false);
    const withToken = await fetchIn(attacker, `${tessera.origin}/auth/session`, {
      method: 'DELETE',
      credentials: 'include',
      headers: { 'x-csrf-token': login.csrfToken },
    });
    assert.equal(withToken.ok, false, 'not even with a stolen CSRF token');
    const blind = await fetchIn(attacker, `${tessera.origin}/auth/password`, {
      method: 'POST',
      mode: 'no-cors',
      credentials: 'include',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD }),
    });
    assert.ok(blind.ok && blind.type === 'opaque', 'a no-cors response the page cannot read');

    const writes = (await wire()).filter((x) => x.method !== 'GET' && x.method !== 'OPTIONS');
    assert.deepEqual(
      writes.map((x) => `${x.method} ${x.path}`),
      ['POST /auth/password', 'POST /auth/password'],
      'no DELETE reached the server',
    );
    for (const write of writes) {
      assert.ok(
        !write.withCookie || (write.status === 403 && write.origin === foreign.crossSite),
        `a cross-site write reached Tessera with the cookie and got ${write.status}`,
      );
      assert.ok(write.status >= 400);
    }

    assert.deepEqual(await sessionCookie(context), cookie, 'the cookie is untouched');
    const after = JSON.parse(expectResponse(await callJson(page, 'GET', '/auth/session'), 200));
    assert.equal(after.session.id, login.session.id, 'the same session still works');
    const { page: elsewhere } = await freshBrowser();
    const relogin = await callJson(elsewhere, 'POST', '/auth/session', {
      email,
      password: PASSWORD,
    });
    expectResponse(relogin, 200);
  });

  it(
    'a page on another origin of the same site, whose requests carry the cookie, cannot log out or change the password either',
    TEST,
    async () => {
      const { foreign, tessera } = sites();
      const { context, page, email, login } = await loggedIn();
      const wire = watchWire();

      const attacker = await context.newPage();
      const form = await submitFrom(
        attacker,
        foreign.sameSite,
        '/password-form-same-site',
        autoSubmitPage(
          `${tessera.origin}/auth/password`,
          'text/plain',
          jsonAsTextPlain({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD }),
        ),
      );
      assert.ok(form.status >= 400, `the form POST was refused (${form.status} ${form.body})`);
      foreign.serve('/blank', '<!doctype html><title>elsewhere</title>');
      await attacker.goto(`${foreign.sameSite}/blank`);
      const logout = await fetchIn(attacker, `${tessera.origin}/auth/session`, {
        method: 'DELETE',
        credentials: 'include',
      });
      assert.equal(logout.ok, false, 'the preflight is refused');

      const writes = (await wire()).filter((x) => x.method !== 'GET' && x.method !== 'OPTIONS');
      assert.deepEqual(
        writes.map((x) => `${x.method} ${x.path} ${x.withCookie}`),
        ['POST /auth/password true'],
        'SameSite=Lax lets the cookie through on the same site; no DELETE was sent',
      );
      assert.ok(writes.every((x) => x.status >= 400));

      const after = JSON.parse(expectResponse(await callJson(page, 'GET', '/auth/session'), 200));
      assert.equal(after.session.id, login.session.id);
      const { page: elsewhere } = await freshBrowser();
      const relogin = await callJson(elsewhere, 'POST', '/auth/session', {
        email,
        password: PASSWORD,
      });
      expectResponse(relogin, 200);
    },
  );

  it(
    'a cookie-carrying write from another origin is refused with 403 csrf (API.md Conventions)',
    TEST,
    async () => {
      const { foreign, tessera } = sites();
      const { context } = await loggedIn();
      const attacker = await context.newPage();
      const form = await submitFrom(
        attacker,
        foreign.sameSite,
        '/password-form-csrf-code',
        autoSubmitPage(
          `${tessera.origin}/auth/password`,
          'text/plain',
          jsonAsTextPlain({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD }),
        ),
      );
      assert.equal(form.status, 403, form.body);
      assert.equal(JSON.parse(form.body).code, 'csrf');
    },
  );

  it(
    'a page on another site or origin cannot read the session or its CSRF token',
    TEST,
    async () => {
      const { foreign, tessera } = sites();
      const { context } = await loggedIn();
      foreign.serve('/reader', '<!doctype html><title>reader</title>');
      const attacker = await context.newPage();

      for (const base of [foreign.crossSite, foreign.sameSite]) {
        const wire = watchWire();
        await attacker.goto(`${base}/reader`);
        const cors = await fetchIn(attacker, `${tessera.origin}/auth/session`, {
          credentials: 'include',
        });
        assert.equal(cors.ok, false, `${base}: CORS hides the answer (${JSON.stringify(cors)})`);
        const opaque = await fetchIn(attacker, `${tessera.origin}/auth/session`, {
          mode: 'no-cors',
          credentials: 'include',
        });
        assert.deepEqual(opaque, { ok: true, status: 0, type: 'opaque', body: '' });

        const reads = (await wire()).filter((x) => x.path === '/auth/session');
        assert.equal(reads.length, 2, `${base}: both reads reached the server`);
        for (const read of reads) {
          assert.equal(read.allowOrigin, undefined, 'Tessera grants no origin CORS access');
          // On the same site the cookie is sent and the answer holds the token: only CORS hides it.
          const sameSite = base === foreign.sameSite;
          assert.equal(read.withCookie, sameSite);
          assert.equal(read.status, sameSite ? 200 : 401);
        }
      }
    },
  );

  it('a form on another site cannot log the browser in (login CSRF)', TEST, async () => {
    const { foreign, tessera } = sites();
    // The attacker's own account, which it would like the victim to use unknowingly.
    const { email } = await loggedIn();
    const { context, page } = await freshBrowser();
    const wire = watchWire();
    const attacker = await context.newPage();
    const credentials = { email, password: PASSWORD };
    const action = `${tessera.origin}/auth/session`;

    for (const base of [foreign.crossSite, foreign.sameSite]) {
      await submitFrom(
        attacker,
        base,
        `/login-form-${new URL(base).hostname}`,
        autoSubmitPage(action, 'application/x-www-form-urlencoded', credentials),
      );
      await submitFrom(
        attacker,
        base,
        `/login-json-${new URL(base).hostname}`,
        autoSubmitPage(action, 'text/plain', jsonAsTextPlain(credentials)),
      );
      foreign.serve('/blank', '<!doctype html><title>elsewhere</title>');
      await attacker.goto(`${base}/blank`);
      const blind = await fetchIn(attacker, action, {
        method: 'POST',
        mode: 'no-cors',
        credentials: 'include',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify(credentials),
      });
      assert.ok(blind.ok && blind.type === 'opaque');
    }

    const logins = (await wire()).filter((x) => x.method === 'POST' && x.path === '/auth/session');
    assert.equal(logins.length, 6, 'every attempt reached Tessera');
    assert.ok(
      logins.every((x) => x.status >= 400),
      logins.map((x) => x.status).join(','),
    );
    assert.equal(await sessionCookie(context), undefined, 'no session cookie was planted');
    expectResponse(await callJson(page, 'GET', '/auth/session'), 401);
  });
});
