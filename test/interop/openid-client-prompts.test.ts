/**
 * openid-client (v6) in Chromium, for what decides which pages a person sees: a first-party
 * client (registered with `--first-party`) gets no consent page, `prompt=none` answers
 * `login_required` or `consent_required` by redirect instead of showing a page, and
 * `prompt=login` shows the sign-in page to a person who already has a session.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { chromiumSkipReason, launchChromium } from '../browser/chromium.js';
import {
  createAccount,
  freshPage,
  reached,
  REQUEST_TIMEOUT_MS,
  showsSignIn,
  signIn,
  startProvider,
  startRelyingParty,
} from './oidc-harness.js';
import type { Provider, RelyingParty } from './oidc-harness.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';

const TEST = { timeout: 30_000 };

describe(
  'openid-client: first-party clients and prompt in Chromium',
  { skip: chromiumSkipReason() },
  () => {
    let browser: Browser | undefined;
    let provider: Provider | undefined;
    let rp: RelyingParty | undefined;
    /** A first-party client: Tessera's own app, never asked about. */
    let own: client.Configuration;
    /** A third-party client: asked about once per person and scopes. */
    let third: client.Configuration;
    const contexts: BrowserContext[] = [];
    let people = 0;

    before(
      async () => {
        browser = await launchChromium();
        provider = await startProvider();
        rp = await startRelyingParty();
        const configure = async (name: string, firstParty: boolean) => {
          const registered = await provider!.registerClient({
            name,
            scopes: ['openid', 'email'],
            redirectUris: [rp!.callback],
            public: true,
            firstParty,
          });
          // openid-client refuses http:// issuers unless told: the local test issuer has no TLS.
          return client.discovery(
            new URL(provider!.issuer),
            registered.client_id,
            undefined,
            client.None(),
            { execute: [client.allowInsecureRequests], timeout: REQUEST_TIMEOUT_MS / 1000 },
          );
        };
        own = await configure('Tessera Dashboard', true);
        third = await configure('Interop Third Party', false);
      },
      { timeout: 60_000 },
    );

    after(
      async () => {
        await Promise.allSettled(contexts.map((context) => context.close()));
        await browser?.close();
        await rp?.close();
        await provider?.close();
      },
      { timeout: 30_000 },
    );

    function stage() {
      assert.ok(browser && provider && rp, 'set up by before()');
      return { browser, provider, rp };
    }

    async function person(): Promise<{ page: Page; email: string }> {
      const { browser, provider } = stage();
      const email = `prompt-person${++people}@example.com`;
      await createAccount(provider.issuer, email);
      return { page: await freshPage(browser, contexts), email };
    }

    async function request(config: client.Configuration, extra: Record<string, string> = {}) {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: stage().rp.callback,
        scope: 'openid email',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        ...extra,
      });
      return { url, verifier, state };
    }

    async function exchange(
      config: client.Configuration,
      sent: { verifier: string; state: string },
    ) {
      return client.authorizationCodeGrant(config, stage().rp.last('/callback'), {
        pkceCodeVerifier: sent.verifier,
        expectedState: sent.state,
        idTokenExpected: true,
      });
    }

    /** What openid-client throws for the error that came back to the callback. */
    async function callbackError(
      config: client.Configuration,
      sent: { verifier: string; state: string },
    ) {
      const thrown = await exchange(config, sent).then(
        () => undefined,
        (error: unknown) => error,
      );
      assert.ok(thrown instanceof client.AuthorizationResponseError, String(thrown));
      return thrown.error;
    }

    /** Signs `email` in through the first-party client, leaving a Tessera session behind. */
    async function signInFirstParty(page: Page, email: string) {
      const sent = await request(own);
      await page.goto(sent.url.href);
      await signIn(page, email);
      // No consent page: straight back to the app.
      await reached(page, stage().rp.callback);
      return exchange(own, sent);
    }

    it(
      'a first-party client gets no consent page: sign-in leads straight back to it',
      TEST,
      async () => {
        const { page, email } = await person();
        const tokens = await signInFirstParty(page, email);
        const info = await client.fetchUserInfo(
          own,
          tokens.access_token,
          tokens.claims()?.sub ?? '',
        );
        assert.equal(info.email, email);
      },
    );

    it(
      'prompt=none without a session answers login_required to the app, showing no page',
      TEST,
      async () => {
        const { page } = await person();
        const sent = await request(third, { prompt: 'none' });
        await page.goto(sent.url.href);
        await reached(page, stage().rp.callback);
        assert.equal(await callbackError(third, sent), 'login_required');
      },
    );

    it(
      'prompt=none with a session but no consent for the client answers consent_required',
      TEST,
      async () => {
        const { page, email } = await person();
        await signInFirstParty(page, email);
        const sent = await request(third, { prompt: 'none' });
        await page.goto(sent.url.href);
        await reached(page, stage().rp.callback);
        assert.equal(await callbackError(third, sent), 'consent_required');
      },
    );

    it('prompt=login shows the sign-in page to a person who is signed in', TEST, async () => {
      const { page, email } = await person();
      const first = await signInFirstParty(page, email);
      const sent = await request(own, { prompt: 'login' });
      await page.goto(sent.url.href);
      assert.ok(await showsSignIn(page), `no sign-in page at ${page.url()}`);
      await signIn(page, email);
      await reached(page, stage().rp.callback);
      const again = await exchange(own, sent);
      const before = Number(first.claims()?.auth_time);
      assert.ok(Number(again.claims()?.auth_time) >= before, 'auth_time of the new sign-in');
    });
  },
);
