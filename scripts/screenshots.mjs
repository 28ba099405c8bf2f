// Draws docs/sign-in.png, docs/consent.png and docs/account.png from a real Tessera in headless Chromium (Debian's
// chromium through playwright-core); run with tsx loaded: `npm run docs:screenshots`.
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

  // The account page of a person signed in on two browsers who allowed one app.
  const user = await site.core.accounts.findByEmail('ada@example.com');
  await site.stores.consents.grant(user.id, client.id, ['openid', 'email', 'profile'], Date.now());
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
  console.log('wrote docs/sign-in.png, docs/consent.png and docs/account.png');
} finally {
  await browser.close();
  await site.close();
}
