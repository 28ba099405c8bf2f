/**
 * API.md "Pages" in a real headless Chromium: a person signs up, signs out, gets a wrong password
 * refused, signs in, and allows an app through the consent page; axe-core finds no serious or
 * critical accessibility violation on any page. Controls are found by their label and role name,
 * as outside tests find them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import { PASSWORD } from '../helpers/server.js';
import { authorizeParams, pkce, registerClient } from '../core/oauth/flow.js';
import { BROWSER_TIMEOUT_MS, chromiumSkipReason, launchChromium } from './chromium.js';
import { startPagesSite } from './pages-site.js';
import { startForeignSite } from './sites.js';
import type { PagesSite } from './pages-site.js';
import type { ForeignSite } from './sites.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';

const TEST = { timeout: 60_000 };

/** Fails on any serious or critical axe violation of the page as it is now. */
async function assertAccessible(page: Page, what: string) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
    [],
    `${what}: serious or critical accessibility violations`,
  );
}

describe('the hosted pages in a real browser', { skip: chromiumSkipReason() }, () => {
  let browser: Browser | undefined;
  let site: PagesSite | undefined;
  let app: ForeignSite | undefined;
  const contexts: BrowserContext[] = [];
  let users = 0;

  before(
    async () => {
      browser = await launchChromium();
      site = await startPagesSite();
      app = await startForeignSite();
      app.serve('/', '<!doctype html><title>app</title>');
    },
    { timeout: 60_000 },
  );

  after(
    async () => {
      await Promise.allSettled(contexts.map((context) => context.close()));
      await browser?.close();
      await app?.close();
      await site?.close();
    },
    { timeout: 30_000 },
  );

  function sites() {
    assert.ok(browser && site && app, 'set up by before()');
    return { browser, site, app };
  }

  /** A fresh browser profile and page. */
  async function newPage(): Promise<Page> {
    const context = await sites().browser.newContext();
    contexts.push(context);
    context.setDefaultTimeout(BROWSER_TIMEOUT_MS);
    context.setDefaultNavigationTimeout(BROWSER_TIMEOUT_MS);
    return context.newPage();
  }

  /** Signs a new person up through the sign-up page; returns their email. */
  async function signUp(page: Page): Promise<string> {
    const email = `person${++users}@example.com`;
    await page.goto(`${sites().site.origin}/signup`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${sites().site.origin}/account`);
    return email;
  }

  it('sign up, sign out, a wrong password (401), sign in', TEST, async () => {
    const { site } = sites();
    const page = await newPage();
    const email = await signUp(page);
    assert.ok((await page.getByRole('main').textContent())?.includes(email));
    await assertAccessible(page, 'account page');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You have signed out.').waitFor();
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Sign in');
    assert.equal(
      (await page.context().cookies()).some((c) => c.name === 'tessera_session'),
      false,
    );

    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('not the password');
    const [refused] = await Promise.all([
      page.waitForResponse(
        (r) => r.url() === `${site.origin}/login` && r.request().method() === 'POST',
      ),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    assert.equal(refused.status(), 401);
    assert.equal(await page.getByRole('alert').textContent(), 'Email or password is wrong.');
    await assertAccessible(page, 'sign-in page with an error');

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${site.origin}/account`);
  });

  it(
    'the sign-in, sign-up and error pages have no serious accessibility violation',
    TEST,
    async () => {
      const { site } = sites();
      const page = await newPage();
      for (const path of [
        '/login',
        '/signup',
        '/oauth/authorize?client_id=nobody',
        '/oauth/logout',
      ]) {
        await page.goto(`${site.origin}${path}`);
        await assertAccessible(page, path);
      }
    },
  );

  it(
    'an app sends the person through sign-in and consent, and Allow returns a code to it',
    TEST,
    async () => {
      const { site, app } = sites();
      const client = await registerClient(site.stores, {
        name: 'Photo Prints',
        scopes: ['openid', 'email', 'offline_access'],
        redirectUris: [`${app.crossSite}/cb`],
        postLogoutRedirectUris: [`${app.crossSite}/`],
      });
      const page = await newPage();
      const email = await signUp(page);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByText('You have signed out.').waitFor();

      const params = authorizeParams(client, pkce().challenge, {
        scope: 'openid email offline_access',
      });
      await page.goto(`${app.crossSite}/`);
      await page.goto(`${site.origin}/oauth/authorize?${new URLSearchParams(params).toString()}`);
      await page.waitForURL(/\/login\?return_to=/);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();

      await page.getByRole('heading', { name: 'Allow Photo Prints?' }).waitFor();
      const items = await page.getByRole('listitem').allTextContents();
      assert.deepEqual(items, [
        'Confirm who you are',
        'See your email address',
        'Stay signed in to Photo Prints when you are away',
      ]);
      await assertAccessible(page, 'consent page');

      // The form's answer redirects to another origin: the page's CSP form-action must allow it.
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.waitForURL(`${app.crossSite}/cb?**`);
      const back = new URL(page.url());
      assert.ok(back.searchParams.get('code'));
      assert.equal(back.searchParams.get('state'), 'xyz-state');
      assert.equal(back.searchParams.get('iss'), site.origin);

      // RP-initiated logout without a hint asks first.
      const logout = new URLSearchParams({
        client_id: client.id,
        post_logout_redirect_uri: `${app.crossSite}/`,
      });
      await page.goto(`${site.origin}/oauth/logout?${logout.toString()}`);
      await page.getByRole('heading', { name: 'Sign out?' }).waitFor();
      await assertAccessible(page, 'logout confirm page');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${app.crossSite}/`);
      assert.equal(
        (await page.context().cookies()).some((c) => c.name === 'tessera_session'),
        false,
      );
      await page.goto(`${site.origin}/oauth/logout`);
      await page.getByRole('heading', { name: 'You have signed out' }).waitFor();
      await assertAccessible(page, 'signed-out page');
    },
  );

  it(
    'signing in for a first-party app goes straight back to it (the sign-in page allows that redirect)',
    TEST,
    async () => {
      const { site, app } = sites();
      const client = await registerClient(site.stores, {
        name: 'Our Dashboard',
        scopes: ['openid'],
        firstParty: true,
        redirectUris: [`${app.crossSite}/cb`],
      });
      const page = await newPage();
      const email = await signUp(page);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByText('You have signed out.').waitFor();
      const params = authorizeParams(client, pkce().challenge);
      await page.goto(`${site.origin}/oauth/authorize?${new URLSearchParams(params).toString()}`);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(PASSWORD);
      // POST /login → 303 /oauth/authorize → 303 the app: form-action covers the whole chain.
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${app.crossSite}/cb?**`);
      assert.ok(new URL(page.url()).searchParams.get('code'));
    },
  );

  it('Deny on the consent page returns access_denied to the app', TEST, async () => {
    const { site, app } = sites();
    const client = await registerClient(site.stores, {
      name: 'Other App',
      scopes: ['openid'],
      redirectUris: [`${app.crossSite}/cb`],
    });
    const page = await newPage();
    await signUp(page);
    const params = authorizeParams(client, pkce().challenge);
    await page.goto(`${site.origin}/oauth/authorize?${new URLSearchParams(params).toString()}`);
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.waitForURL(`${app.crossSite}/cb?**`);
    assert.equal(new URL(page.url()).searchParams.get('error'), 'access_denied');
  });
});
