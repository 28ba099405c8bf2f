/**
 * Auth.js (`@auth/express` over `@auth/core`), configured with Tessera as a generic OpenID Connect
 * provider, signs a person in through a real headless Chromium: Auth.js's own sign-in page, its
 * POST to start the flow (PKCE, state and nonce checks kept in its cookies), Tessera's sign-in and
 * consent pages, Auth.js's callback (discovery, code exchange, ID token validation, userinfo), and
 * finally Auth.js's session naming the person's email. No network: Auth.js reaches only the
 * issuer's discovery document, token and userinfo endpoints on this machine.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { ExpressAuth, getSession } from '@auth/express';
import { chromiumSkipReason, launchChromium } from '../browser/chromium.js';
import { freePort } from '../helpers/live.js';
import {
  createAccount,
  decide,
  freshPage,
  reached,
  showsSignIn,
  signIn,
  startProvider,
} from './oidc-harness.js';
import type { Server } from 'node:http';
import type { ExpressAuthConfig } from '@auth/express';
import type { Provider } from './oidc-harness.js';
import type { Browser, BrowserContext } from 'playwright-core';

const TEST = { timeout: 30_000 };

/** An Express app whose only sign-in is Tessera through Auth.js, at `origin`. */
async function startAuthJsApp(
  origin: string,
  port: number,
  provider: { issuer: string; clientId: string; clientSecret: string },
): Promise<Server> {
  const config: ExpressAuthConfig = {
    // A fixed test secret: it only encrypts this test's Auth.js cookies.
    secret: 'an Auth.js test secret of at least thirty-two characters',
    trustHost: true,
    providers: [
      {
        id: 'tessera',
        name: 'Tessera',
        type: 'oidc',
        issuer: provider.issuer,
        clientId: provider.clientId,
        clientSecret: provider.clientSecret,
        checks: ['pkce', 'state', 'nonce'],
        authorization: { params: { scope: 'openid email' } },
        // Tessera's ID token names the user by `sub` only (API.md): the email is at userinfo, which
        // Auth.js fetches (after validating the ID token) when told the ID token is not the profile.
        idToken: false,
      },
    ],
  };
  const app = express();
  app.set('trust proxy', true);
  // Mounted at /auth, Auth.js's base path is /auth: sign-in page, callback, session all below it.
  app.use('/auth', ExpressAuth(config));
  app.get('/', (request, response, next) => {
    getSession(request, config)
      .then((session) => {
        const who = session?.user?.email ?? 'nobody';
        response
          .type('html')
          .send(`<!doctype html><html lang="en"><title>App</title><p>Signed in as ${who}</p>`);
      })
      .catch(next);
  });
  const server = app.listen(port, '127.0.0.1');
  await once(server, 'listening');
  assert.equal(`http://127.0.0.1:${port}`, origin);
  return server;
}

describe(
  'Auth.js signs a person in with Tessera as its OIDC provider',
  { skip: chromiumSkipReason() },
  () => {
    let browser: Browser | undefined;
    let provider: Provider | undefined;
    let app: Server | undefined;
    let origin = '';
    const contexts: BrowserContext[] = [];

    before(
      async () => {
        browser = await launchChromium();
        provider = await startProvider();
        const port = await freePort();
        origin = `http://127.0.0.1:${port}`;
        const registered = await provider.registerClient({
          name: 'Interop Auth.js app',
          scopes: ['openid', 'email'],
          // Auth.js's callback for a provider with id "tessera" under the base path /auth.
          redirectUris: [`${origin}/auth/callback/tessera`],
        });
        assert.ok(registered.client_secret, 'a confidential client');
        app = await startAuthJsApp(origin, port, {
          issuer: provider.issuer,
          clientId: registered.client_id,
          clientSecret: registered.client_secret,
        });
      },
      { timeout: 60_000 },
    );

    after(
      async () => {
        await Promise.allSettled(contexts.map((context) => context.close()));
        await browser?.close();
        if (app) {
          app.closeAllConnections();
          app.close();
        }
        await provider?.close();
      },
      { timeout: 30_000 },
    );

    it(
      'from Auth.js’s sign-in page through Tessera’s sign-in and consent to an Auth.js session with the person’s email',
      TEST,
      async () => {
        assert.ok(browser && provider, 'set up by before()');
        const email = 'authjs-person@example.com';
        await createAccount(provider.issuer, email);
        const page = await freshPage(browser, contexts);

        await page.goto(`${origin}/auth/signin`);
        await page.getByRole('button', { name: /Tessera/ }).click();
        await page.waitForURL((url) => url.href.startsWith(provider?.issuer ?? '-'));
        assert.ok(await showsSignIn(page), `no sign-in form at ${page.url()}`);
        await signIn(page, email);
        await decide(page, 'Allow');
        await reached(page, origin);

        const session = await page.evaluate(async () => {
          const response = await fetch('/auth/session');
          return (await response.json()) as { user?: { email?: string } } | null;
        });
        assert.equal(session?.user?.email, email, `Auth.js's session: ${JSON.stringify(session)}`);
        await page.goto(`${origin}/`);
        assert.match((await page.textContent('body')) ?? '', new RegExp(`Signed in as ${email}`));
      },
    );
  },
);
