/**
 * API.md "Pages" `/account` in a real headless Chromium, driven by label and button name: one
 * person signed in on several browsers ends the others' sessions, takes an app's access back and
 * changes their password; every change shows at once and the ended browsers are refused on their
 * next request. Forms posted from another origin are refused; axe-core finds nothing serious.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PASSWORD } from '../helpers/server.js';
import { authorizeParams, pkce, registerClient } from '../core/oauth/flow.js';
import { assertAccessible } from './account-axe.js';
import { startAccountSite } from './account-site.js';
import { BROWSER_TIMEOUT_MS, chromiumSkipReason, launchChromium } from './chromium.js';
import { autoSubmitPage, startForeignSite } from './sites.js';
import type { AccountSite } from './account-site.js';
import type { ForeignSite } from './sites.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';

const TEST = { timeout: 60_000 };
const FIREFOX_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0';

describe('the account page in a real browser', { skip: chromiumSkipReason() }, () => {
  let browser: Browser | undefined;
  let site: AccountSite | undefined;
  let foreign: ForeignSite | undefined;
  const contexts: BrowserContext[] = [];
  let users = 0;

  before(
    async () => {
      browser = await launchChromium();
      site = await startAccountSite();
      foreign = await startForeignSite();
    },
    { timeout: 60_000 },
  );

  after(
    async () => {
      await Promise.allSettled(contexts.map((context) => context.close()));
      await browser?.close();
      await foreign?.close();
      await site?.close();
    },
    { timeout: 30_000 },
  );

  function sites() {
    assert.ok(browser && site && foreign, 'set up by before()');
    return { browser, site, foreign };
  }

  /** A fresh browser profile (with another browser's user agent if given) and a page. */
  async function newPage(userAgent?: string): Promise<Page> {
    const context = await sites().browser.newContext(userAgent ? { userAgent } : {});
    contexts.push(context);
    context.setDefaultTimeout(BROWSER_TIMEOUT_MS);
    context.setDefaultNavigationTimeout(BROWSER_TIMEOUT_MS);
    return context.newPage();
  }

  /** Signs a new person up on `page`; returns their email. */
  async function signUp(page: Page): Promise<string> {
    const email = `owner${++users}@example.com`;
    await page.goto(`${sites().site.origin}/signup`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${sites().site.origin}/account`);
    return email;
  }

  /** Signs `email` in on `page`, landing on /account. */
  async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
    await page.goto(`${sites().site.origin}/login`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${sites().site.origin}/account`);
  }

  /** The device list's rows. */
  const devices = (page: Page) =>
    page.getByRole('region', { name: 'Where you are signed in' }).getByRole('listitem');

  /** Loads /account on `page` and expects to be sent to the sign-in page instead. */
  async function expectSentToLogin(page: Page): Promise<void> {
    await page.goto(`${sites().site.origin}/account`);
    await page.waitForURL(`${sites().site.origin}/login?return_to=%2Faccount`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  }

  it(
    'Sign out everywhere else from one browser sends the other to /login on its next request',
    TEST,
    async () => {
      const { site } = sites();
      const here = await newPage();
      const email = await signUp(here);
      const there = await newPage(FIREFOX_MAC);
      await signIn(there, email);

      await here.goto(`${site.origin}/account`);
      assert.equal(await devices(here).count(), 2);
      const current = devices(here).filter({ hasText: 'This device' });
      assert.match((await current.textContent()) ?? '', /^Chrome \d+ on Linux/);
      assert.equal(await current.getByRole('button').count(), 0, 'no Sign out on this device');
      const other = devices(here).filter({ hasText: 'Firefox 128 on Mac OS 14.5' });
      assert.match((await other.textContent()) ?? '', /IP 127\.0\.0\.1 · signed in just now/);
      assert.equal(
        await other.locator('time').first().getAttribute('datetime').then(Boolean),
        true,
      );
      await assertAccessible(here, 'account page with two devices');

      await here.getByRole('button', { name: 'Sign out everywhere else' }).click();
      await here.getByText('Every other device is signed out.').waitFor();
      assert.equal(await devices(here).count(), 1);
      assert.equal(await here.getByRole('button', { name: 'Sign out everywhere else' }).count(), 0);

      await expectSentToLogin(there);
      await here.reload();
      assert.equal(await here.getByRole('heading', { level: 1 }).textContent(), 'Your account');
    },
  );

  it('Sign out on one other device ends that device only', TEST, async () => {
    const { site } = sites();
    const here = await newPage();
    const email = await signUp(here);
    const firefox = await newPage(FIREFOX_MAC);
    await signIn(firefox, email);
    const third = await newPage();
    await signIn(third, email);

    await here.goto(`${site.origin}/account`);
    assert.equal(await devices(here).count(), 3);
    await devices(here)
      .filter({ hasText: 'Firefox' })
      .getByRole('button', { name: 'Sign out' })
      .click();
    await here.getByText('That device is signed out.').waitFor();
    assert.equal(await devices(here).filter({ hasText: 'Firefox' }).count(), 0);
    assert.equal(await devices(here).count(), 2);

    await expectSentToLogin(firefox);
    await third.goto(`${site.origin}/account`);
    assert.equal(third.url(), `${site.origin}/account`);
  });

  it(
    'Revoke access ends the app’s tokens and its next authorize asks for consent again',
    TEST,
    async () => {
      const { site, foreign } = sites();
      foreign.serve('/cb', '<!doctype html><title>app</title>');
      const client = await registerClient(site.stores, {
        name: 'Photo Prints',
        scopes: ['openid', 'email', 'offline_access'],
        redirectUris: [`${foreign.crossSite}/cb`],
        public: true,
      });
      const page = await newPage();
      await signUp(page);

      /** Runs the code flow in the browser up to the consent page or the code. */
      const authorize = async () => {
        const { verifier, challenge } = pkce();
        const params = authorizeParams(client, challenge, { scope: 'openid email offline_access' });
        await page.goto(`${site.origin}/oauth/authorize?${new URLSearchParams(params).toString()}`);
        return verifier;
      };
      const verifier = await authorize();
      await page.getByRole('heading', { name: 'Allow Photo Prints?' }).waitFor();
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.waitForURL(`${foreign.crossSite}/cb?**`);
      const code = new URL(page.url()).searchParams.get('code');
      assert.ok(code);
      const token = async (form: Record<string, string>) =>
        fetch(`${site.origin}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ client_id: client.id, ...form }),
        });
      const issued = await token({
        grant_type: 'authorization_code',
        code,
        redirect_uri: `${foreign.crossSite}/cb`,
        code_verifier: verifier,
      });
      assert.equal(issued.status, 200);
      const tokens = (await issued.json()) as { access_token: string; refresh_token: string };
      const userinfo = () =>
        fetch(`${site.origin}/oauth/userinfo`, {
          headers: { authorization: `Bearer ${tokens.access_token}` },
        });
      assert.equal((await userinfo()).status, 200);

      await page.goto(`${site.origin}/account`);
      const apps = page.getByRole('region', { name: 'Apps you allowed' });
      const app = apps.getByRole('listitem').filter({ hasText: 'Photo Prints' }).first();
      assert.ok((await app.textContent())?.includes('See your email address'));
      await assertAccessible(page, 'account page with an app');
      await app.getByRole('button', { name: 'Revoke access' }).click();
      await page.getByText('The app’s access is revoked').waitFor();
      assert.equal(await apps.getByRole('button', { name: 'Revoke access' }).count(), 0);

      assert.equal((await userinfo()).status, 401, 'the access token is refused');
      const refreshed = await token({
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
      });
      assert.equal(refreshed.status, 400, 'the refresh token is refused');
      await authorize();
      await page.getByRole('heading', { name: 'Allow Photo Prints?' }).waitFor();
    },
  );

  it(
    'Change password ends every other session, keeps this browser on a new session id',
    TEST,
    async () => {
      const { site } = sites();
      const here = await newPage();
      const email = await signUp(here);
      const there = await newPage(FIREFOX_MAC);
      await signIn(there, email);
      const cookieOf = async (page: Page) =>
        (await page.context().cookies()).find((c) => c.name === 'tessera_session')?.value;
      const before = await cookieOf(here);

      await here.goto(`${site.origin}/account`);
      await here.getByLabel('Current password').fill('not my password');
      await here.getByLabel('New password').fill('a brand new passphrase');
      const [refused] = await Promise.all([
        here.waitForResponse((r) => r.url().endsWith('/account/password')),
        here.getByRole('button', { name: 'Change password' }).click(),
      ]);
      assert.equal(refused.status(), 401);
      assert.equal(await here.getByRole('alert').textContent(), 'The current password is wrong.');

      await here.getByLabel('Current password').fill(PASSWORD);
      await here.getByLabel('New password').fill('a brand new passphrase');
      await here.getByRole('button', { name: 'Change password' }).click();
      await here.getByText('Your password is changed.').waitFor();
      const after = await cookieOf(here);
      assert.ok(after && after !== before, 'a new session id');
      assert.equal(await devices(here).count(), 1);
      const events = here.getByRole('region', { name: 'Recent security events' });
      const changed = events.getByRole('listitem').filter({ hasText: 'Password changed' }).first();
      // What, when and from where, in words.
      assert.match(
        (await changed.textContent()) ?? '',
        /^Password changedjust now · Chrome \d+ on Linux · IP 127\.0\.0\.1$/,
      );

      await expectSentToLogin(there);
      await signIn(there, email, 'a brand new passphrase');
    },
  );

  it(
    'forms posted to /account from another origin are refused, even with the CSRF token',
    TEST,
    async () => {
      const { site, foreign } = sites();
      const here = await newPage();
      const email = await signUp(here);
      const there = await newPage();
      await signIn(there, email);
      await here.goto(`${site.origin}/account`);
      const csrf = await here.locator('input[name=csrf_token]').first().inputValue();
      const sessionId = await devices(here)
        .filter({ hasNotText: 'This device' })
        .locator('input[name=session_id]')
        .inputValue();
      const forms: [string, Record<string, string>][] = [
        ['/account/sessions/revoke-others', {}],
        ['/account/sessions/revoke', { session_id: sessionId }],
        ['/account/apps/revoke', { client_id: 'tessera' }],
        [
          '/account/password',
          { current_password: PASSWORD, new_password: 'attacker passphrase 1' },
        ],
      ];
      for (const [action, fields] of forms) {
        // Same site, other origin: the session cookie goes along; only the Origin check stops it.
        foreign.serve(
          `/attack${action}`,
          autoSubmitPage(`${site.origin}${action}`, 'application/x-www-form-urlencoded', {
            csrf_token: csrf,
            ...fields,
          }),
        );
        const [answer] = await Promise.all([
          here.waitForResponse((r) => r.url() === `${site.origin}${action}`),
          here.goto(`${foreign.sameSite}/attack${action}`),
        ]);
        assert.equal(answer.status(), 403, action);
      }
      await here.goto(`${site.origin}/account`);
      assert.equal(await devices(here).count(), 2, 'nothing was signed out');
      await there.goto(`${site.origin}/account`);
      assert.equal(there.url(), `${site.origin}/account`);
    },
  );
});
