/**
 * Account recovery through the pages in a real headless Chromium, with mail over a real SMTP
 * server started here (smtp-server on a loopback port): Forgot password? → the mail arrives →
 * its link sets a new password once; a second use and an expired link are refused with a clear
 * page (400); every session and token of the user is dead afterwards. The verification link of
 * sign-up works once. Forms from another origin are refused; axe-core finds nothing serious.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { RESET_LINK_TTL_MS } from '../../src/core/accounts/recovery.js';
import { PASSWORD } from '../helpers/server.js';
import { assertAccessible } from './account-axe.js';
import { startAccountSite } from './account-site.js';
import { BROWSER_TIMEOUT_MS, chromiumSkipReason, launchChromium } from './chromium.js';
import { autoSubmitPage, startForeignSite } from './sites.js';
import type { AccountSite } from './account-site.js';
import type { ForeignSite } from './sites.js';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';

const TEST = { timeout: 60_000 };
const NEW_PASSWORD = 'a brand new passphrase';

/** Mail as the SMTP server received it. */
interface Received {
  to: string[];
  raw: string;
}

describe('account recovery in a real browser', { skip: chromiumSkipReason() }, () => {
  let browser: Browser | undefined;
  let site: AccountSite | undefined;
  let foreign: ForeignSite | undefined;
  let smtp: SMTPServer | undefined;
  const inbox: Received[] = [];
  const contexts: BrowserContext[] = [];
  let users = 0;

  before(
    async () => {
      smtp = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS', 'AUTH'],
        logger: false,
        onData(stream, session, callback) {
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            const to = session.envelope.rcptTo.map((r) => r.address);
            inbox.push({ to, raw: Buffer.concat(chunks).toString('utf8') });
            callback();
          });
        },
      });
      const server = smtp;
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.server.address() as AddressInfo;
      browser = await launchChromium();
      site = await startAccountSite({ smtpUrl: `smtp://127.0.0.1:${port}` });
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
      await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    },
    { timeout: 30_000 },
  );

  function sites() {
    assert.ok(browser && site && foreign, 'set up by before()');
    return { browser, site, foreign };
  }

  async function newPage(): Promise<Page> {
    const context = await sites().browser.newContext();
    contexts.push(context);
    context.setDefaultTimeout(BROWSER_TIMEOUT_MS);
    context.setDefaultNavigationTimeout(BROWSER_TIMEOUT_MS);
    return context.newPage();
  }

  /** Signs a new person up on `page`; returns their email. */
  async function signUp(page: Page): Promise<string> {
    const email = `reader${++users}@example.com`;
    await page.goto(`${sites().site.origin}/signup`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${sites().site.origin}/account`);
    return email;
  }

  /** The last link to `path` mailed to `email`, once every mail on its way has arrived. */
  async function lastLink(email: string, path: string): Promise<string> {
    await sites().site.core.recovery.idle();
    const mails = inbox.filter((mail) => mail.to.includes(email));
    // Quoted-printable bodies wrap long lines with "=\r\n"; unwrap before reading the link.
    const text = (mails.at(-1)?.raw ?? '').replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    const pattern = new RegExp(`${sites().site.origin}${path}\\?token=[\\w-]+`, 'g');
    const link = [...text.matchAll(pattern)].at(-1)?.[0];
    assert.ok(link, `no ${path} link mailed to ${email}`);
    return link;
  }

  /** Forgot password? from the sign-in page, for `email`; returns the page's main text. */
  async function askForReset(page: Page, email: string): Promise<string> {
    await page.goto(`${sites().site.origin}/login`);
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    return (await page.getByRole('main').textContent()) ?? '';
  }

  /** Opens a reset link and sets `password`; returns the status of the form's answer. */
  async function useResetLink(page: Page, link: string, password: string): Promise<number> {
    const opened = await page.goto(link);
    assert.equal(opened?.headers()['referrer-policy'], 'no-referrer');
    await page.getByLabel('New password').fill(password);
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/reset-password')),
      page.getByRole('button', { name: 'Set new password' }).click(),
    ]);
    await page.waitForLoadState();
    return answer.status();
  }

  it(
    'a mailed reset link sets a new password once, and every old session and token is dead',
    TEST,
    async () => {
      const { site } = sites();
      const signedIn = await newPage();
      const email = await signUp(signedIn);
      const tokens = await fetch(`${site.origin}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: PASSWORD, refresh: 'body' }),
      }).then((r) => r.json() as Promise<{ access_token: string; refresh_token: string }>);
      const me = () =>
        fetch(`${site.origin}/auth/me`, {
          headers: { authorization: `Bearer ${tokens.access_token}` },
        });
      assert.equal((await me()).status, 200);

      const page = await newPage();
      await page.goto(`${site.origin}/forgot-password`);
      await assertAccessible(page, '/forgot-password');
      await askForReset(page, email);
      await assertAccessible(page, 'the reset link sent page');
      const link = await lastLink(email, '/reset-password');

      await page.goto(link);
      await assertAccessible(page, '/reset-password');
      assert.equal(await useResetLink(page, link, NEW_PASSWORD), 200);
      await page.getByRole('heading', { name: 'Your password is set' }).waitFor();

      // DESIGN.md: a reset revokes every session, refresh family and access token of the user.
      await signedIn.goto(`${site.origin}/account`);
      await signedIn.waitForURL(`${site.origin}/login?return_to=%2Faccount`);
      assert.equal((await me()).status, 401, 'the access token is refused');
      const refreshed = await fetch(`${site.origin}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: tokens.refresh_token,
        }),
      });
      assert.equal(refreshed.status, 400, 'the refresh token is refused');

      // The link works once.
      assert.equal(await useResetLink(page, link, 'yet another passphrase'), 400);
      await page.getByRole('heading', { name: 'This link does not work' }).waitFor();
      await assertAccessible(page, 'the invalid link page');

      await page.goto(`${site.origin}/login`);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${site.origin}/account`);
    },
  );

  it('Send reset link answers alike for an unknown address, and mails nothing', TEST, async () => {
    const page = await newPage();
    const known = await signUp(await newPage());
    await sites().site.core.recovery.idle(); // the sign-up's verification mail
    const mailed = inbox.length;
    const forKnown = await askForReset(page, known);
    const forUnknown = await askForReset(page, 'nobody-here@example.com');
    assert.equal(forUnknown, forKnown);
    await sites().site.core.recovery.idle();
    assert.equal(inbox.filter((m) => m.to.includes('nobody-here@example.com')).length, 0);
    assert.equal(inbox.length, mailed + 1);
  });

  it('the verification link of sign-up verifies the address once', TEST, async () => {
    const { site } = sites();
    const page = await newPage();
    const email = await signUp(page);
    const link = await lastLink(email, '/verify-email');
    const opened = await page.goto(link);
    assert.equal(opened?.status(), 200);
    assert.equal(opened.headers()['referrer-policy'], 'no-referrer');
    await page.getByRole('heading', { name: 'Your email address is verified' }).waitFor();
    await assertAccessible(page, '/verify-email');
    const user = await site.core.accounts.findByEmail(email);
    assert.notEqual(user?.emailVerifiedAt, null);
    const again = await page.goto(link);
    assert.equal(again?.status(), 400);
    await page.getByRole('heading', { name: 'This link does not work' }).waitFor();
  });

  it('recovery forms posted from another origin are refused', TEST, async () => {
    const { site, foreign } = sites();
    const page = await newPage();
    const email = await signUp(await newPage());
    await askForReset(page, email);
    const link = await lastLink(email, '/reset-password');
    await page.goto(link);
    const formToken = await page.locator('input[name=form_token]').inputValue();
    const token = new URL(link).searchParams.get('token') ?? '';
    const attacks: [string, string, Record<string, string>, boolean][] = [
      // Same site, other origin: the form cookie goes along; the Origin check alone stops it.
      ['/forgot-password', foreign.sameSite, { email }, false],
      ['/reset-password', foreign.sameSite, { token, new_password: 'attacker passphrase' }, false],
      // A page without a referrer posts Origin: null: the reset form accepts null only from
      // its own origin (Fetch Metadata), never from another site.
      ['/reset-password', foreign.crossSite, { token, new_password: 'attacker passphrase' }, true],
    ];
    for (const [action, from, fields, referrerless] of attacks) {
      const html = autoSubmitPage(`${site.origin}${action}`, 'application/x-www-form-urlencoded', {
        form_token: formToken,
        ...fields,
      });
      const path = `/attack${action}${referrerless ? '-null' : ''}`;
      foreign.serve(
        path,
        referrerless
          ? html.replace('<form', '<meta name="referrer" content="no-referrer"><form')
          : html,
      );
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.url() === `${site.origin}${action}`),
        page.goto(`${from}${path}`),
      ]);
      assert.equal(answer.status(), 403, `${action} from ${from}`);
      if (referrerless) assert.equal(await answer.request().headerValue('origin'), 'null');
    }
    // The link is still good: none of the attacks spent it.
    assert.equal(await useResetLink(page, link, NEW_PASSWORD), 200);
  });

  it('an expired reset link is refused with a clear page (moved clock)', TEST, async () => {
    const { site } = sites();
    const page = await newPage();
    const email = await signUp(await newPage());
    await askForReset(page, email);
    const link = await lastLink(email, '/reset-password');
    site.clock.advance(RESET_LINK_TTL_MS + 1000);
    assert.equal(await useResetLink(page, link, NEW_PASSWORD), 400);
    await page.getByRole('heading', { name: 'This link does not work' }).waitFor();
    await page.getByRole('link', { name: 'Ask for a new reset link' }).waitFor();
  });
});
