// Draws docs/sign-in.png, docs/consent.png, docs/account.png, docs/admin.png and docs/phone-*.png from a real
// Tessera in headless Chromium (Debian's chromium through playwright-core); run with tsx loaded:
// `npm run docs:screenshots`.
import { URLSearchParams } from 'node:url';
import { launchChromium } from '../test/browser/chromium.ts';
import { startAccountSite } from '../test/browser/account-site.ts';

const site = await startAccountSite();
const browser = await launchChromium();
try {
  const { client } = await site.core.clients.create({
    name: 'Photo Prints',
    scopes: ['openid', 'email', 'profile', 'offline_access'],
    audiences: [],
    public: true,
    redirectUris: ['https://photoprints.example/callback'],
  });
  const page = await browser.newPage({ viewport: { width: 720, height: 640 } });
  const fill = async (email) => {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('correct horse battery staple');
  };

  await page.goto(`${site.origin}/signup`);
  await fill('ada@example.com');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL('**/account');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByText('You have signed out.').waitFor();

  const authorize = new URLSearchParams({
    response_type: 'code',
    client_id: client.id,
    redirect_uri: 'https://photoprints.example/callback',
    scope: 'openid email profile offline_access',
    state: 'screenshot',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  });
  await page.goto(`${site.origin}/oauth/authorize?${authorize}`);
  await page.waitForURL('**/login?**');
  await page.getByLabel('Email').fill('ada@example.com');
  await page.screenshot({ path: 'docs/sign-in.png' });

  await page.getByLabel('Password').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Allow' }).waitFor();
  await page.screenshot({ path: 'docs/consent.png' });
  await page.getByRole('button', { name: 'Allow' }).click();
  console.log('wrote docs/sign-in.png and docs/consent.png');
  await accountScreenshot(site, browser, page);
  await adminScreenshot(site, browser);
  await phoneScreenshots(site, browser, authorize);
} finally {
  await browser.close();
  await site.close();
}

/** docs/account.png: ada's account page, signed in on two browsers, having allowed Photo Prints. */
async function accountScreenshot(site, browser, page) {
  const laptop = await browser.newContext({
    userAgent:
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0',
  });
  const other = await laptop.newPage();
  await other.goto(`${site.origin}/login`);
  await other.getByLabel('Email').fill('ada@example.com');
  await other.getByLabel('Password').fill('correct horse battery staple');
  await other.getByRole('button', { name: 'Sign in' }).click();
  await other.waitForURL('**/account');
  await laptop.close();
  await page.goto(`${site.origin}/account`);
  await page.screenshot({ path: 'docs/account.png', fullPage: true });
  console.log('wrote docs/account.png');
}

/** docs/admin.png: the admin console's page of one user, with sessions, apps and events. */
async function adminScreenshot(site, browser) {
  const password = 'correct horse battery staple';
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const signIn = async (email, secret = password, userAgent) => {
    const other = await browser.newContext(userAgent ? { userAgent } : {});
    const tab = await other.newPage();
    await tab.goto(`${site.origin}/login`);
    await tab.getByLabel('Email').fill(email);
    await tab.getByLabel('Password').fill(secret);
    await tab.getByRole('button', { name: 'Sign in' }).click();
    await tab.waitForLoadState();
    await other.close();
  };
  // ada (signed up above, allowed Photo Prints) signs in once more from a phone, and fails once.
  await signIn(
    'ada@example.com',
    password,
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  );
  await signIn('ada@example.com', 'not the password');

  await page.goto(`${site.origin}/signup`);
  await page.getByLabel('Email').fill('admin@example.com');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL('**/account');
  const admin = await site.core.accounts.findByEmail('admin@example.com');
  await site.core.accounts.setRole(admin.id, 'admin');
  await site.core.audit.flush();

  await page.goto(`${site.origin}/admin`);
  await page.getByLabel('Search by email').fill('ada');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: 'ada@example.com' }).click();
  await page.getByRole('heading', { level: 1, name: 'ada@example.com' }).waitFor();
  await page.screenshot({ path: 'docs/admin.png', fullPage: true });
  await context.close();
  console.log('wrote docs/admin.png');
}

/** docs/phone-*.png: the pages a person meets first, at a phone's width (390 CSS px). */
async function phoneScreenshots(site, browser, authorize) {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await phone.newPage();
  for (const [path, name] of [
    ['/signup', 'sign-up'],
    ['/forgot-password', 'forgot-password'],
  ]) {
    await page.goto(`${site.origin}${path}`);
    await page.screenshot({ path: `docs/phone-${name}.png`, fullPage: true });
  }
  authorize.set('prompt', 'consent');
  await page.goto(`${site.origin}/oauth/authorize?${authorize}`);
  await page.waitForURL('**/login?**');
  await page.getByLabel('Email').fill('ada@example.com');
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.screenshot({ path: 'docs/phone-sign-in-error.png', fullPage: true });
  await page.getByLabel('Password').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Allow' }).waitFor();
  await page.screenshot({ path: 'docs/phone-consent.png', fullPage: true });
  await page.goto(`${site.origin}/account`);
  await page.screenshot({ path: 'docs/phone-account.png', fullPage: true });
  await phone.close();
  console.log('wrote docs/phone-*.png');
}
