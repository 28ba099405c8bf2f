/**
 * API.md "Conventions", CORS, in a real headless Chromium: a browser app served from an allowed
 * origin uses the token flow cross-origin (app.example.com beside auth.example.com, or an SPA dev
 * server on another port), and a page from any other origin reads nothing and changes nothing.
 *
 * The app is at `http://localhost:<A>` and Tessera at `http://localhost:<B>`: another origin but
 * the same site (ports do not make a site), so the `SameSite=Strict` refresh cookie goes along,
 * as it would between app.example.com and auth.example.com. The foreign pages are at
 * `http://localhost:<C>` (same site, so they get the cookies too: only CORS and Tessera's Origin
 * checks stand in the way) and `http://127.0.0.1:<C>` (another site).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PASSWORD } from '../helpers/server.js';
import { BROWSER_TIMEOUT_MS, chromiumSkipReason, launchChromium } from './chromium.js';
import { expectResponse, fetchIn } from './page-fetch.js';
import { startForeignSite, startTessera } from './sites.js';
import type { FetchInit } from './page-fetch.js';
import type { ForeignSite, TesseraSite } from './sites.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';

const TEST = { timeout: 60_000 };
const BLANK = '<!doctype html><title>page</title>';

interface TokenBody {
  access_token: string;
  token_type: string;
  refresh_token?: string;
}

describe(
  'a browser app on an allowed origin, in a real browser (CORS)',
  { skip: chromiumSkipReason() },
  () => {
    let browser: Browser | undefined;
    let tessera: TesseraSite | undefined;
    let app: ForeignSite | undefined;
    let other: ForeignSite | undefined;
    const contexts: BrowserContext[] = [];
    let users = 0;

    before(
      async () => {
        browser = await launchChromium();
        app = await startForeignSite();
        other = await startForeignSite();
        // The app's origin must be known before Tessera starts: it is configuration.
        tessera = await startTessera({ alsoAllowed: [app.sameSite] });
        app.serve('/', BLANK);
        other.serve('/', BLANK);
      },
      { timeout: 60_000 },
    );

    after(
      async () => {
        await Promise.allSettled(contexts.map((context) => context.close()));
        await browser?.close();
        await other?.close();
        await app?.close();
        await tessera?.close();
      },
      { timeout: 30_000 },
    );

    function sites() {
      assert.ok(tessera && app && other && browser, 'set up by before()');
      return { tessera, app, other, browser };
    }

    /** A fresh browser profile with a page open at `base`. */
    async function pageAt(base: string, context?: BrowserContext) {
      let profile = context;
      if (!profile) {
        profile = await sites().browser.newContext();
        contexts.push(profile);
        profile.setDefaultTimeout(BROWSER_TIMEOUT_MS);
        profile.setDefaultNavigationTimeout(BROWSER_TIMEOUT_MS);
      }
      const page = await profile.newPage();
      await page.goto(`${base}/`);
      return { context: profile, page };
    }

    /** A cross-origin call to Tessera from the page's script, with cookies (credentials: include). */
    function call(page: Page, path: string, init: FetchInit = {}) {
      return fetchIn(page, `${sites().tessera.origin}${path}`, { credentials: 'include', ...init });
    }

    function json(body: unknown): FetchInit {
      return {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      };
    }

    const REFRESH: FetchInit = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token',
    };

    async function refreshCookie(context: BrowserContext) {
      const jar = await context.cookies(`${sites().tessera.origin}/oauth/token`);
      return jar.find((cookie) => cookie.name === 'tessera_refresh');
    }

    /** The app signs a new user up and in for tokens, from its own origin. */
    async function appSignedIn() {
      const { page, context } = await pageAt(sites().app.sameSite);
      const email = `spa${++users}@example.com`;
      expectResponse(await call(page, '/auth/signup', json({ email, password: PASSWORD })), 201);
      const login = expectResponse(
        await call(page, '/auth/token', json({ email, password: PASSWORD })),
        200,
      );
      return { page, context, email, tokens: JSON.parse(login) as TokenBody };
    }

    it(
      'a page on an allowed origin signs in for tokens, refreshes with the HttpOnly cookie and calls /auth/me with the bearer token',
      TEST,
      async () => {
        const { tessera, app } = sites();
        const start = tessera.exchanges.length;
        const { page, context, email, tokens } = await appSignedIn();
        assert.notEqual(new URL(page.url()).origin, tessera.origin, 'the app is cross-origin');
        assert.equal(tokens.token_type, 'Bearer');
        assert.equal(tokens.refresh_token, undefined, 'the refresh token stays in the cookie');

        const cookie = await refreshCookie(context);
        assert.ok(cookie, 'the browser kept the refresh cookie from a cross-origin answer');
        assert.equal(cookie.httpOnly, true);
        assert.equal(cookie.sameSite, 'Strict');
        assert.equal(cookie.path, '/oauth/token');
        const visible = await page.evaluate(
          () => (globalThis as unknown as { document: { cookie: string } }).document.cookie,
        );
        assert.ok(!visible.includes(cookie.value), 'scripts cannot read it');

        const refreshed = JSON.parse(
          expectResponse(await call(page, '/oauth/token', REFRESH), 200),
        ) as TokenBody;
        assert.notEqual(refreshed.access_token, tokens.access_token);
        assert.notEqual((await refreshCookie(context))?.value, cookie.value, 'the cookie rotated');

        const me = JSON.parse(
          expectResponse(
            await call(page, '/auth/me', {
              headers: { authorization: `Bearer ${refreshed.access_token}` },
            }),
            200,
          ),
        ) as { user: { email: string }; via: string };
        assert.equal(me.user.email, email);
        assert.equal(me.via, 'bearer');

        // Discovery is readable too, as from any origin.
        expectResponse(
          await call(page, '/.well-known/openid-configuration', { credentials: 'omit' }),
          200,
        );

        const seen = tessera.exchanges.slice(start);
        const preflights = seen.filter((x) => x.method === 'OPTIONS');
        assert.ok(
          preflights.some((x) => x.path === '/auth/token') &&
            preflights.some((x) => x.path === '/auth/me'),
          'JSON and bearer calls were preflighted',
        );
        assert.ok(preflights.every((x) => x.status === 204 && x.allowOrigin === app.sameSite));
      },
    );

    it('a page on a foreign origin reads nothing and changes nothing', TEST, async () => {
      const { tessera, other } = sites();
      const { page: spa, context, email, tokens } = await appSignedIn();
      const before = await refreshCookie(context);
      assert.ok(before);
      const start = tessera.exchanges.length;

      for (const base of [other.sameSite, other.crossSite]) {
        const { page } = await pageAt(base, context);
        const attempts = {
          login: await call(page, '/auth/token', json({ email, password: PASSWORD })),
          refresh: await call(page, '/oauth/token', REFRESH),
          me: await call(page, '/auth/me'),
          meWithToken: await call(page, '/auth/me', {
            headers: { authorization: `Bearer ${tokens.access_token}` },
          }),
          logoutEverywhere: await call(page, '/auth/sessions', { method: 'DELETE' }),
        };
        for (const [name, outcome] of Object.entries(attempts)) {
          assert.equal(
            outcome.ok,
            false,
            `${base} ${name}: the page read ${JSON.stringify(outcome)}`,
          );
        }
        const blind = await call(page, '/oauth/token', { ...REFRESH, mode: 'no-cors' });
        assert.deepEqual(blind, { ok: true, status: 0, type: 'opaque', body: '' });
        // The public documents stay public.
        const jwks = await call(page, '/.well-known/jwks.json', { credentials: 'omit' });
        assert.match(expectResponse(jwks, 200), /"keys"/);
      }

      await new Promise((resolve) => setTimeout(resolve, 50));
      const foreign = tessera.exchanges
        .slice(start)
        .filter((x) => x.origin === other.sameSite || x.origin === other.crossSite);
      for (const x of foreign) {
        if (x.path.startsWith('/.well-known/')) assert.equal(x.allowOrigin, '*');
        else assert.equal(x.allowOrigin, undefined, `${x.method} ${x.path} granted to ${x.origin}`);
        // Preflights are refused, so the JSON login, the bearer call and the DELETE never go out.
        if (x.method === 'OPTIONS') assert.equal(x.status, 404);
      }
      assert.ok(
        !foreign.some((x) => x.method === 'POST' && x.path === '/auth/token'),
        'no login request was sent',
      );
      assert.ok(!foreign.some((x) => x.method === 'DELETE'), 'no logout request was sent');
      const refreshes = foreign.filter((x) => x.method === 'POST' && x.path === '/oauth/token');
      assert.equal(refreshes.length, 4, 'the simple form POSTs reached Tessera');
      // Refused by the Origin check (403) on the same site; on another site the Strict cookie
      // did not even go along (400, no refresh token).
      assert.deepEqual(refreshes.map((x) => x.status).sort(), [400, 400, 403, 403]);

      // Nothing rotated: the app's cookie is the one it had, and it still refreshes.
      assert.equal((await refreshCookie(context))?.value, before.value);
      expectResponse(
        await call(spa, '/auth/me', {
          headers: { authorization: `Bearer ${tokens.access_token}` },
        }),
        200,
      );
      expectResponse(await call(spa, '/oauth/token', REFRESH), 200);
    });
  },
);
