/**
 * openid-client (v6, panva), a certified OpenID relying-party library we did not write, signs
 * people in with Tessera through a real headless Chromium: discovery, an authorization URL with
 * PKCE S256, state and nonce, the hosted sign-in and consent pages, the code exchange (the library
 * validates the ID token's iss, aud, nonce and signature, and the response's iss, RFC 9207),
 * userinfo, refresh, and RP-initiated logout. A public client: no secret. axe-core checks every
 * page the flows reach.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { chromiumSkipReason, launchChromium } from '../browser/chromium.js';
import {
  assertAccessible,
  createAccount,
  decide,
  freshPage,
  reached,
  REQUEST_TIMEOUT_MS,
  showsSignIn,
  signIn,
  startProvider,
  watchConsole,
  startRelyingParty,
} from './oidc-harness.js';
import type { Provider, RegisteredClient, RelyingParty } from './oidc-harness.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';

const TEST = { timeout: 30_000 };
const CLIENT_NAME = 'Interop Notes';
const SCOPE = 'openid email offline_access';

describe(
  'openid-client signs a user in with Tessera in Chromium',
  { skip: chromiumSkipReason() },
  () => {
    let browser: Browser | undefined;
    let provider: Provider | undefined;
    let rp: RelyingParty | undefined;
    let registered: RegisteredClient;
    let config: client.Configuration;
    const contexts: BrowserContext[] = [];
    let people = 0;

    before(
      async () => {
        browser = await launchChromium();
        provider = await startProvider();
        rp = await startRelyingParty();
        registered = await provider.registerClient({
          name: CLIENT_NAME,
          scopes: SCOPE.split(' '),
          redirectUris: [rp.callback],
          postLogoutRedirectUris: [rp.signedOut],
          public: true,
        });
        assert.equal(registered.client_secret, undefined, 'a public client has no secret');
        // openid-client refuses http:// issuers unless told: the local test issuer has no TLS.
        config = await client.discovery(
          new URL(provider.issuer),
          registered.client_id,
          undefined,
          client.None(),
          { execute: [client.allowInsecureRequests], timeout: REQUEST_TIMEOUT_MS / 1000 },
        );
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

    /** A new person with an account, and a fresh browser. */
    async function person(): Promise<{ page: Page; email: string }> {
      const { browser, provider } = stage();
      const email = `oidc-person${++people}@example.com`;
      await createAccount(provider.issuer, email);
      return { page: await freshPage(browser, contexts), email };
    }

    /** A new authorization request, as the relying party's back end would prepare it. */
    async function authorizationRequest(extra: Record<string, string> = {}) {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: stage().rp.callback,
        scope: SCOPE,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        ...extra,
      });
      return { url, verifier, state, nonce };
    }

    /** The code exchange, with every check openid-client offers. */
    function exchange(request: Awaited<ReturnType<typeof authorizationRequest>>, callback: URL) {
      return client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
        idTokenExpected: true,
      });
    }

    it(
      'discovery names the authorization, userinfo and end-session endpoints, S256 and the iss response parameter',
      TEST,
      () => {
        const { issuer } = stage().provider;
        const meta = config.serverMetadata();
        assert.equal(meta.issuer, issuer);
        assert.equal(meta.authorization_endpoint, `${issuer}/oauth/authorize`);
        assert.equal(meta.userinfo_endpoint, `${issuer}/oauth/userinfo`);
        assert.equal(meta.end_session_endpoint, `${issuer}/oauth/logout`);
        assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
        assert.equal(meta.authorization_response_iss_parameter_supported, true);
        assert.ok(meta.supportsPKCE('S256'));
      },
    );

    it(
      'a public client completes sign-in, consent, code + PKCE, ID token, userinfo and refresh; RP-initiated logout then ends the Tessera session and the refresh token',
      TEST,
      async () => {
        const { provider, rp } = stage();
        const { page, email } = await person();
        const consoleErrors = watchConsole(page, provider.issuer);
        const request = await authorizationRequest();

        await page.goto(request.url.href);
        assert.ok(await showsSignIn(page), `no sign-in form at ${page.url()}`);
        await assertAccessible(page, 'the sign-in page');
        await signIn(page, email);

        // A third-party client: the consent page names it before anything is sent back.
        await page.getByRole('button', { name: 'Allow', exact: true }).waitFor();
        assert.ok((await page.textContent('body'))?.includes(CLIENT_NAME), 'names the client');
        await assertAccessible(page, 'the consent page');
        await decide(page, 'Allow');

        await reached(page, rp.callback);
        const callback = rp.last('/callback');
        assert.equal(callback.searchParams.get('iss'), provider.issuer);
        const tokens = await exchange(request, callback);

        const claims = tokens.claims();
        assert.ok(claims, 'an ID token');
        assert.equal(claims.iss, provider.issuer);
        assert.deepEqual([claims.aud].flat(), [registered.client_id]);
        assert.equal(claims.nonce, request.nonce);
        assert.equal(typeof claims.auth_time, 'number');
        assert.equal(typeof claims.sid, 'string');
        assert.equal(tokens.token_type, 'bearer');
        assert.ok(tokens.refresh_token, 'offline_access gives a refresh token');

        const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
        assert.equal(info.sub, claims.sub);
        assert.equal(info.email, email);
        assert.equal(typeof info.email_verified, 'boolean');

        const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
        assert.ok(refreshed.refresh_token, 'rotation gives a new refresh token');
        assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
        assert.notEqual(refreshed.access_token, tokens.access_token);

        const logoutState = client.randomState();
        const endSession = client.buildEndSessionUrl(config, {
          id_token_hint: tokens.id_token ?? '',
          post_logout_redirect_uri: rp.signedOut,
          state: logoutState,
        });
        await page.goto(endSession.href);
        await reached(page, rp.signedOut);
        assert.equal(rp.last('/signed-out').searchParams.get('state'), logoutState);

        // The refresh families of that sign-in are revoked with the session.
        const refused = await client.refreshTokenGrant(config, refreshed.refresh_token ?? '').then(
          () => undefined,
          (error: unknown) => error,
        );
        assert.ok(
          refused instanceof client.ResponseBodyError,
          `refresh after logout: ${String(refused)}`,
        );
        assert.equal(refused.error, 'invalid_grant');

        // And the Tessera session is gone: the next authorization request asks to sign in again.
        await page.goto((await authorizationRequest()).url.href);
        assert.ok(await showsSignIn(page), `signed out, yet ${page.url()} shows no sign-in form`);
        // Every page rendered under its strict CSP without the browser blocking anything.
        assert.deepEqual(consoleErrors, []);
      },
    );

    it(
      'consent is remembered: the same person signing in again for the same scopes goes straight back to the app',
      TEST,
      async () => {
        const { rp } = stage();
        const { page, email } = await person();
        const first = await authorizationRequest();
        await page.goto(first.url.href);
        await signIn(page, email);
        await decide(page, 'Allow');
        await reached(page, rp.callback);
        await exchange(first, rp.last('/callback'));

        const second = await authorizationRequest();
        await page.goto(second.url.href);
        await reached(page, rp.callback);
        const tokens = await exchange(second, rp.last('/callback'));
        assert.equal(tokens.claims()?.nonce, second.nonce);
      },
    );

    it(
      'Deny on the consent page sends the browser back with access_denied, the state and iss, and no code',
      TEST,
      async () => {
        const { provider, rp } = stage();
        const { page, email } = await person();
        const request = await authorizationRequest();
        await page.goto(request.url.href);
        await signIn(page, email);
        await decide(page, 'Deny');
        await reached(page, rp.callback);
        const callback = rp.last('/callback');
        assert.equal(callback.searchParams.get('error'), 'access_denied');
        assert.equal(callback.searchParams.get('state'), request.state);
        assert.equal(callback.searchParams.get('iss'), provider.issuer);
        assert.equal(callback.searchParams.get('code'), null);
        const thrown = await exchange(request, callback).then(
          () => undefined,
          (error: unknown) => error,
        );
        assert.ok(thrown instanceof client.AuthorizationResponseError, String(thrown));
        assert.equal(thrown.error, 'access_denied');
      },
    );

    it(
      'a redirect URI that is not registered gets an error page, and the browser is never sent there',
      TEST,
      async () => {
        const { provider, rp } = stage();
        const { page, email } = await person();
        // Signed in first, so that nothing but the redirect URI stands between the request and a code.
        const good = await authorizationRequest();
        await page.goto(good.url.href);
        await signIn(page, email);
        await decide(page, 'Allow');
        await reached(page, rp.callback);

        for (const redirect of [`${rp.origin}/elsewhere`, `${rp.callback}/more`]) {
          const bad = await authorizationRequest({ redirect_uri: redirect });
          const response = await page.goto(bad.url.href);
          assert.equal(response?.status(), 400, redirect);
          assert.ok(page.url().startsWith(provider.issuer), `left Tessera for ${page.url()}`);
          assert.ok(
            !rp.received.some((url) => url.href.startsWith(redirect)),
            `${redirect} was reached`,
          );
        }
        await assertAccessible(page, 'the error page');
      },
    );

    it(
      'a new person signs up from the sign-in page’s link and comes back to the app signed in',
      TEST,
      async () => {
        const { browser, rp } = stage();
        const page = await freshPage(browser, contexts);
        const email = `oidc-newcomer${++people}@example.com`;
        const request = await authorizationRequest();
        await page.goto(request.url.href);
        await page.getByRole('link', { name: /sign up|create (an )?account/i }).click();
        await page.getByRole('button', { name: 'Create account', exact: true }).waitFor();
        await assertAccessible(page, 'the sign-up page');
        await page.getByLabel('Email', { exact: true }).fill(email);
        await page.getByLabel('Password', { exact: true }).fill('a long and memorable passphrase');
        await page.getByRole('button', { name: 'Create account', exact: true }).click();
        // API.md leaves open whether a new account is signed in at once or asked to sign in.
        await page.waitForLoadState();
        if (await showsSignIn(page)) await signIn(page, email, 'a long and memorable passphrase');
        await decide(page, 'Allow');
        await reached(page, rp.callback);
        const tokens = await exchange(request, rp.last('/callback'));
        const info = await client.fetchUserInfo(
          config,
          tokens.access_token,
          client.skipSubjectCheck,
        );
        assert.equal(info.email, email);
      },
    );

    it(
      'RP-initiated logout without an ID token asks the person first, and signing out there ends the session',
      TEST,
      async () => {
        const { provider, rp } = stage();
        const { page, email } = await person();
        const request = await authorizationRequest();
        await page.goto(request.url.href);
        await signIn(page, email);
        await decide(page, 'Allow');
        await reached(page, rp.callback);

        // Nothing proves the request comes from the client the session signed in to: confirm.
        const endSession = client.buildEndSessionUrl(config, {
          client_id: registered.client_id,
          post_logout_redirect_uri: rp.signedOut,
        });
        await page.goto(endSession.href);
        assert.ok(page.url().startsWith(provider.issuer), `not asked first: at ${page.url()}`);
        await assertAccessible(page, 'the logout page');
        await page.getByRole('button', { name: /sign out|log out/i }).click();
        await page.waitForLoadState();

        await page.goto((await authorizationRequest()).url.href);
        assert.ok(await showsSignIn(page), `still signed in at ${page.url()}`);
      },
    );

    it(
      'a native app registered with a loopback redirect URI without a port is sent back to whatever port it listens on (RFC 8252 §7.3)',
      TEST,
      async () => {
        const { provider, rp } = stage();
        const native = await provider.registerClient({
          name: 'Interop Native',
          scopes: ['openid'],
          redirectUris: ['http://127.0.0.1/callback'],
          public: true,
        });
        const nativeConfig = await client.discovery(
          new URL(provider.issuer),
          native.client_id,
          undefined,
          client.None(),
          { execute: [client.allowInsecureRequests], timeout: REQUEST_TIMEOUT_MS / 1000 },
        );
        const { page, email } = await person();
        const verifier = client.randomPKCECodeVerifier();
        const state = client.randomState();
        // The app's listener picked its port at start: rp.callback is http://127.0.0.1:<port>/callback.
        const url = client.buildAuthorizationUrl(nativeConfig, {
          redirect_uri: rp.callback,
          scope: 'openid',
          code_challenge: await client.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
          state,
        });
        await page.goto(url.href);
        await signIn(page, email);
        await decide(page, 'Allow');
        await reached(page, rp.callback);
        const tokens = await client.authorizationCodeGrant(nativeConfig, rp.last('/callback'), {
          pkceCodeVerifier: verifier,
          expectedState: state,
          idTokenExpected: true,
        });
        assert.deepEqual([tokens.claims()?.aud].flat(), [native.client_id]);
      },
    );

    it('the account page of a person signed in through the flow is accessible', TEST, async () => {
      const { provider, rp } = stage();
      const { page, email } = await person();
      const request = await authorizationRequest();
      await page.goto(request.url.href);
      await signIn(page, email);
      await decide(page, 'Allow');
      await reached(page, rp.callback);
      const response = await page.goto(`${provider.issuer}/account`);
      assert.equal(response?.status(), 200);
      await assertAccessible(page, 'the account page');
    });
  },
);
