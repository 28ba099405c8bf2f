// Draws docs/sign-in.png and docs/consent.png from a real Tessera in headless Chromium (Debian's
// chromium through playwright-core); run with tsx loaded: `npm run docs:screenshots`.
import { URLSearchParams } from 'node:url';
import { launchChromium } from '../test/browser/chromium.ts';
import { startPagesSite } from '../test/browser/pages-site.ts';

const site = await startPagesSite();
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
  console.log('wrote docs/sign-in.png and docs/consent.png');
} finally {
  await browser.close();
  await site.close();
}
