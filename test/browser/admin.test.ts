/**
 * API.md "Pages", `/admin`, in a real headless Chromium, found by label and button name as a
 * person (and an outside test) finds them: an admin disables a user, whose bearer token and
 * session are refused on their next request, and enables them again; a non-admin gets 403; a
 * form posted from another origin is refused; a client created and its secret rotated on the
 * pages works at /oauth/token; axe-core finds no serious or critical violation on any admin page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import { PASSWORD } from '../helpers/server.js';
import { BROWSER_TIMEOUT_MS, chromiumSkipReason, launchChromium } from './chromium.js';
import { startPagesSite } from './pages-site.js';
import { autoSubmitPage, startForeignSite } from './sites.js';
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

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe('the admin console in a real browser', { skip: chromiumSkipReason() }, () => {
  let browser: Browser | undefined;
  let site: PagesSite | undefined;
  let foreign: ForeignSite | undefined;
  const contexts: BrowserContext[] = [];
  let people = 0;

  before(
    async () => {
      browser = await launchChromium();
      site = await startPagesSite();
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

  /** A fresh browser profile and page. */
  async function newPage(): Promise<Page> {
    const context = await sites().browser.newContext();
    contexts.push(context);
    context.setDefaultTimeout(BROWSER_TIMEOUT_MS);
    context.setDefaultNavigationTimeout(BROWSER_TIMEOUT_MS);
    return context.newPage();
  }

  /** Signs `email` in on `page`, on the sign-in page. */
  async function signIn(page: Page, email: string) {
    await page.goto(`${sites().site.origin}/login`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  /** A new person signed up on a fresh page; an admin when `admin` (given the role in the store). */
  async function person(admin = false) {
    const { site } = sites();
    const email = `${admin ? 'admin' : 'person'}${++people}@example.com`;
    const page = await newPage();
    await page.goto(`${site.origin}/signup`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${site.origin}/account`);
    const user = await site.stores.users.findByEmail(email);
    assert.ok(user);
    if (admin) await site.core.accounts.setRole(user.id, 'admin');
    return { page, email, id: user.id };
  }

  /** The admin opens the user's page through the search, as a person would. */
  async function openUser(page: Page, email: string) {
    await page.goto(`${sites().site.origin}/admin`);
    await page.getByLabel('Search by email').fill(email);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: email }).click();
    await page.getByRole('heading', { level: 1, name: email }).waitFor();
  }

  it(
    'an admin disables a user: their bearer token and session are refused next; Enable lets them back',
    TEST,
    async () => {
      const { site } = sites();
      const admin = await person(true);
      const user = await person();
      const tokens = await fetch(`${site.origin}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: user.email, password: PASSWORD }),
      });
      assert.equal(tokens.status, 200);
      const { access_token: bearer } = (await tokens.json()) as { access_token: string };
      const me = () =>
        fetch(`${site.origin}/auth/me`, { headers: { authorization: `Bearer ${bearer}` } });
      assert.equal((await me()).status, 200);

      await openUser(admin.page, user.email);
      await admin.page.getByRole('button', { name: 'Disable' }).click();
      await admin.page.getByText('The user is disabled').waitFor();

      assert.equal((await me()).status, 401, 'the bearer token is refused');
      await user.page.goto(`${site.origin}/account`);
      await user.page.waitForURL(/\/login\?return_to=/);
      const [refused] = await Promise.all([
        user.page.waitForResponse(
          (r) => r.url() === `${site.origin}/login` && r.request().method() === 'POST',
        ),
        signIn(user.page, user.email),
      ]);
      assert.equal(refused.status(), 403, 'no sign-in while disabled');
      await user.page
        .getByText(/disabled/)
        .first()
        .waitFor();

      await admin.page.getByRole('button', { name: 'Enable' }).click();
      await admin.page.getByText('The user is enabled').waitFor();
      await signIn(user.page, user.email);
      await user.page.waitForURL(`${site.origin}/account`);
    },
  );

  it('a signed-in user without the admin role gets 403 on /admin', TEST, async () => {
    const { site } = sites();
    const user = await person();
    const response = await user.page.goto(`${site.origin}/admin`);
    assert.equal(response?.status(), 403);
    assert.equal(user.page.url(), `${site.origin}/admin`, 'not redirected');
  });

  it('an admin form posted from another origin is refused, even with the token', TEST, async () => {
    const { site, foreign } = sites();
    const admin = await person(true);
    const user = await person();
    await openUser(admin.page, user.email);
    const token = await admin.page.locator('input[name=csrf_token]').first().inputValue();
    // The same site on another origin: the cookie goes along; only the Origin check stands.
    foreign.serve(
      '/disable',
      autoSubmitPage(
        `${site.origin}/admin/users/${user.id}/disable`,
        'application/x-www-form-urlencoded',
        {
          csrf_token: token,
        },
      ),
    );
    const [answer] = await Promise.all([
      admin.page.waitForResponse(
        (r) => r.url().endsWith('/disable') && r.request().method() === 'POST',
      ),
      admin.page.goto(`${foreign.sameSite}/disable`),
    ]);
    assert.equal(answer.status(), 403);
    assert.equal((await site.stores.users.findById(user.id))?.disabledAt, null, 'still enabled');
  });

  it(
    'Create client shows its secret once, it works at /oauth/token, and Rotate secret replaces it',
    TEST,
    async () => {
      const { site } = sites();
      const admin = await person(true);
      const page = admin.page;
      await page.goto(`${site.origin}/admin/clients`);
      await page.getByLabel('Name').fill('Nightly export');
      await page.getByLabel('Scopes').fill('reports:read');
      await page.getByLabel('client_credentials').check();
      await page.getByRole('button', { name: 'Create client' }).click();
      await page.getByRole('heading', { name: 'Client created' }).waitFor();
      await assertAccessible(page, 'client created page');
      const secret = await page.locator('code.secret').textContent();
      const clientId = await page.locator('dd code').first().textContent();
      assert.ok(secret && clientId);
      const token = (value: string) =>
        fetch(`${site.origin}/oauth/token`, {
          method: 'POST',
          headers: {
            authorization: basic(clientId, value),
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: 'grant_type=client_credentials&scope=reports%3Aread',
        });
      assert.equal((await token(secret)).status, 200);

      await page.getByRole('link', { name: 'Back to the client' }).click();
      await page.getByLabel('Redirect URIs', { exact: true }).fill('https://export.example/cb');
      await page.getByLabel('authorization_code').check();
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('The client is saved.').waitFor();
      const stored = await site.stores.clients.findById(clientId);
      assert.deepEqual(stored?.redirectUris, ['https://export.example/cb']);
      assert.deepEqual(stored?.grants, ['authorization_code', 'client_credentials']);

      await page.getByRole('button', { name: 'Rotate secret' }).click();
      await page.getByRole('heading', { name: 'New client secret' }).waitFor();
      const rotated = await page.locator('code.secret').textContent();
      assert.ok(rotated && rotated !== secret);
      assert.equal((await token(rotated)).status, 200);
      assert.equal((await token(secret)).status, 401, 'the old secret is refused');
    },
  );

  it('no admin page has a serious or critical accessibility violation', TEST, async () => {
    const { site } = sites();
    const admin = await person(true);
    const user = await person();
    const { client } = await site.core.clients.create({
      name: 'Photo Prints',
      scopes: ['openid'],
      audiences: [],
      redirectUris: ['https://photoprints.example/cb'],
    });
    await site.stores.consents.grant(user.id, client.id, ['openid'], Date.now());
    const page = admin.page;
    for (const path of [
      '/admin/users',
      `/admin/users/${user.id}`,
      `/admin/users/${user.id}/delete`,
      '/admin/clients',
      `/admin/clients/${client.id}`,
      `/admin/clients/${client.id}/delete`,
      '/admin/keys',
      '/admin/audit',
      '/admin/live',
    ]) {
      const response = await page.goto(`${site.origin}${path}`);
      assert.equal(response?.status(), 200, path);
      await assertAccessible(page, path);
    }
  });
});
