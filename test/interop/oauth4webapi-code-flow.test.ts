/**
 * oauth4webapi (v3, panva), a strict OAuth 2.0 / OpenID Connect client we did not write, runs the
 * authorization code flow with a confidential client (client_secret_basic) through a real
 * headless Chromium: its own processing functions judge the authorization response (state, iss
 * per RFC 9207), the token response and ID token (iss, aud, nonce, signature), userinfo and
 * refresh; then RP-initiated logout. Also what a strict client must see when a code is replayed
 * or the verifier is wrong.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oauth from 'oauth4webapi';
import { chromiumSkipReason, launchChromium } from '../browser/chromium.js';
import {
  createAccount,
  decide,
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
const SCOPE = 'openid email offline_access';

// oauth4webapi refuses http:// unless told; the local test issuer has no TLS.
const options = {
  [oauth.allowInsecureRequests]: true,
  signal: () => AbortSignal.timeout(REQUEST_TIMEOUT_MS),
};

/** What `promise` rejected with; a failure when it resolved. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}

describe(
  'oauth4webapi runs the code flow for a confidential client in Chromium',
  { skip: chromiumSkipReason() },
  () => {
    let browser: Browser | undefined;
    let provider: Provider | undefined;
    let rp: RelyingParty | undefined;
    let as: oauth.AuthorizationServer;
    let client: oauth.Client;
    let auth: oauth.ClientAuth;
    const contexts: BrowserContext[] = [];
    let people = 0;

    before(
      async () => {
        browser = await launchChromium();
        provider = await startProvider();
        rp = await startRelyingParty();
        const registered = await provider.registerClient({
          name: 'Interop Reports',
          scopes: SCOPE.split(' '),
          redirectUris: [rp.callback],
          postLogoutRedirectUris: [rp.signedOut],
        });
        assert.ok(registered.client_secret, 'a confidential client has a secret');
        const issuer = new URL(provider.issuer);
        as = await oauth.processDiscoveryResponse(
          issuer,
          await oauth.discoveryRequest(issuer, { ...options, algorithm: 'oidc' }),
        );
        client = { client_id: registered.client_id };
        auth = oauth.ClientSecretBasic(registered.client_secret);
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
      const email = `o4w-person${++people}@example.com`;
      await createAccount(provider.issuer, email);
      return { page: await freshPage(browser, contexts), email };
    }

    /** Signs `email` in through the browser and returns what came back to the callback. */
    async function authorize(page: Page, email: string) {
      const { rp } = stage();
      const verifier = oauth.generateRandomCodeVerifier();
      const state = oauth.generateRandomState();
      const nonce = oauth.generateRandomNonce();
      const url = new URL(as.authorization_endpoint ?? '');
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: rp.callback,
        scope: SCOPE,
        code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      }).toString();
      await page.goto(url.href);
      if (await showsSignIn(page)) await signIn(page, email);
      await decide(page, 'Allow');
      await reached(page, rp.callback);
      const params = oauth.validateAuthResponse(as, client, rp.last('/callback'), state);
      return { params, verifier, nonce };
    }

    async function codeGrant(
      params: URLSearchParams,
      verifier: string,
      nonce: string,
    ): Promise<oauth.TokenEndpointResponse> {
      const response = await oauth.authorizationCodeGrantRequest(
        as,
        client,
        auth,
        params,
        stage().rp.callback,
        verifier,
        options,
      );
      return oauth.processAuthorizationCodeResponse(as, client, response, {
        expectedNonce: nonce,
        requireIdToken: true,
      });
    }

    function refresh(token: string) {
      return oauth
        .refreshTokenGrantRequest(as, client, auth, token, options)
        .then((response) => oauth.processRefreshTokenResponse(as, client, response));
    }

    async function assertInvalidGrant(promise: Promise<unknown>) {
      const thrown = await rejection(promise);
      assert.ok(thrown instanceof oauth.ResponseBodyError, String(thrown));
      assert.equal(thrown.error, 'invalid_grant');
      assert.equal(thrown.status, 400);
    }

    it(
      'sign-in, consent, code + PKCE with client_secret_basic, ID token, userinfo and refresh; RP-initiated logout ends the session and the refresh token',
      TEST,
      async () => {
        const { provider, rp } = stage();
        const { page, email } = await person();
        const { params, verifier, nonce } = await authorize(page, email);
        const tokens = await codeGrant(params, verifier, nonce);

        const claims = oauth.getValidatedIdTokenClaims(tokens);
        assert.ok(claims);
        assert.equal(claims.iss, provider.issuer);
        assert.deepEqual([claims.aud].flat(), [client.client_id]);
        assert.equal(claims.nonce, nonce);
        assert.ok(tokens.refresh_token);

        const info = await oauth.processUserInfoResponse(
          as,
          client,
          claims.sub,
          await oauth.userInfoRequest(as, client, tokens.access_token, options),
        );
        assert.equal(info.email, email);

        const refreshed = await refresh(tokens.refresh_token);
        assert.ok(refreshed.refresh_token);

        const logout = new URL(as.end_session_endpoint ?? '');
        logout.search = new URLSearchParams({
          id_token_hint: tokens.id_token ?? '',
          post_logout_redirect_uri: rp.signedOut,
          state: 'bye',
        }).toString();
        await page.goto(logout.href);
        await reached(page, rp.signedOut);
        assert.equal(rp.last('/signed-out').searchParams.get('state'), 'bye');

        await assertInvalidGrant(refresh(refreshed.refresh_token ?? ''));
        const again = await authorizeAfterLogout(page);
        assert.ok(again, `signed out, yet ${page.url()} shows no sign-in form`);
      },
    );

    /** Whether a fresh authorization request now meets the sign-in form. */
    async function authorizeAfterLogout(page: Page): Promise<boolean> {
      const url = new URL(as.authorization_endpoint ?? '');
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: stage().rp.callback,
        scope: SCOPE,
        code_challenge: await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier()),
        code_challenge_method: 'S256',
        state: oauth.generateRandomState(),
      }).toString();
      await page.goto(url.href);
      return showsSignIn(page);
    }

    it(
      'a code used twice is invalid_grant, and the refresh token the first use issued stops working',
      TEST,
      async () => {
        const { page, email } = await person();
        const { params, verifier, nonce } = await authorize(page, email);
        const tokens = await codeGrant(params, verifier, nonce);
        await assertInvalidGrant(codeGrant(params, verifier, nonce));
        await assertInvalidGrant(refresh(tokens.refresh_token ?? ''));
      },
    );

    it('a code exchanged with another PKCE verifier is invalid_grant', TEST, async () => {
      const { page, email } = await person();
      const { params, nonce } = await authorize(page, email);
      await assertInvalidGrant(codeGrant(params, oauth.generateRandomCodeVerifier(), nonce));
    });

    it(
      'the ID token is not an access token: userinfo refuses it as a bearer token',
      TEST,
      async () => {
        const { page, email } = await person();
        const { params, verifier, nonce } = await authorize(page, email);
        const tokens = await codeGrant(params, verifier, nonce);
        const response = await oauth.userInfoRequest(as, client, tokens.id_token ?? '', options);
        const thrown = await rejection(
          oauth.processUserInfoResponse(as, client, oauth.skipSubjectCheck, response),
        );
        assert.ok(thrown instanceof oauth.WWWAuthenticateChallengeError, String(thrown));
        assert.equal(thrown.status, 401);
        assert.equal(thrown.cause[0]?.parameters.error, 'invalid_token');
      },
    );
  },
);
