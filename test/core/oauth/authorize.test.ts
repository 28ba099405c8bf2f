// The authorization endpoint's rules (RFC 6749 §4.1, RFC 9700, OpenID Connect Core §3.1.2): an
// untrusted client or redirect URI gets an error page and never a redirect; every other error is
// a redirect with error, state and iss; PKCE S256 for everyone; prompt, max_age and consent.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redirectUriMatches } from '../../../src/core/oauth/authorize/redirect-uri.js';
import { AUTH_AFTER } from '../../../src/core/oauth/authorize/request.js';
import { authorizeParams, flowCore, pkce, REDIRECT, registerClient, signedIn } from './flow.js';
import type { AuthorizeOutcome } from '../../../src/core/oauth/authorize/outcome.js';

/** `params` without the parameter `name`. */
function without(params: Record<string, string>, name: string): Record<string, string> {
  const { [name]: _dropped, ...rest } = params;
  void _dropped;
  return rest;
}

const ISSUER = 'https://auth.example.com';

/** The query of a redirect outcome; fails for any other outcome. */
function redirected(outcome: AuthorizeOutcome, to = REDIRECT): URLSearchParams {
  assert.equal(outcome.kind, 'redirect', JSON.stringify(outcome));
  assert.ok(outcome.kind === 'redirect');
  assert.ok(outcome.to.startsWith(`${to}${to.includes('?') ? '&' : '?'}`), outcome.to);
  return new URL(outcome.to).searchParams;
}

function redirectError(outcome: AuthorizeOutcome): string | null {
  const query = redirected(outcome);
  assert.equal(query.get('iss'), ISSUER, 'RFC 9207: iss in every authorization response');
  assert.equal(query.get('state'), 'xyz-state', 'state comes back unchanged');
  assert.equal(query.get('code'), null);
  return query.get('error');
}

async function setup() {
  const { core, stores, clock } = await flowCore();
  const client = await registerClient(stores);
  const user = await signedIn(core, stores);
  const { challenge } = pkce();
  const params = (extra: Record<string, string> = {}) => authorizeParams(client, challenge, extra);
  return { core, stores, clock, client, user, params };
}

describe('authorize: whom to answer', () => {
  it('an unknown client gets an error page, never a redirect', async () => {
    const { core, user, params } = await setup();
    const outcome = await core.authorization.authorize(params({ client_id: 'nobody' }), user);
    assert.equal(outcome.kind, 'error-page');
  });

  it('a missing client_id or redirect_uri gets an error page', async () => {
    const { core, user, params } = await setup();
    const noClient = without(params(), 'client_id');
    const noRedirect = without(params(), 'redirect_uri');
    assert.equal((await core.authorization.authorize(noClient, user)).kind, 'error-page');
    assert.equal((await core.authorization.authorize(noRedirect, user)).kind, 'error-page');
  });

  it('an unregistered or prefix-matching redirect URI gets an error page, never a redirect', async () => {
    const { core, user, params } = await setup();
    for (const uri of [
      'https://evil.example.com/callback',
      `${REDIRECT}/more`,
      `${REDIRECT}?x=1`,
      `${REDIRECT}/`,
      REDIRECT.toUpperCase(),
      'https://app.example.com/call',
    ]) {
      // Even a request that is wrong in other ways is not redirected to an unchecked address.
      const outcome = await core.authorization.authorize(
        params({ redirect_uri: uri, response_type: 'token' }),
        user,
      );
      assert.equal(outcome.kind, 'error-page', uri);
    }
  });

  it('a loopback redirect URI matches whatever its port, and nothing else varies (RFC 8252 §7.3)', async () => {
    const { core, stores, user } = await setup();
    const client = await registerClient(stores, {
      public: true,
      redirectUris: ['http://127.0.0.1/cb', 'http://[::1]:4000/cb'],
    });
    const { challenge } = pkce();
    for (const uri of ['http://127.0.0.1:53124/cb', 'http://127.0.0.1/cb', 'http://[::1]:9/cb']) {
      const outcome = await core.authorization.authorize(
        authorizeParams(client, challenge, { redirect_uri: uri }),
        user,
      );
      // A first consent page means the URI was trusted (no error page).
      assert.equal(outcome.kind, 'consent', uri);
    }
    for (const uri of [
      'http://127.0.0.1:53124/cb2',
      'http://127.0.0.1:53124/',
      'http://localhost:53124/cb',
      'https://127.0.0.1:53124/cb',
      'http://127.0.0.1:53124@evil.example/cb',
      'http://[::1]:4000/CB',
    ]) {
      const outcome = await core.authorization.authorize(
        authorizeParams(client, challenge, { redirect_uri: uri }),
        user,
      );
      assert.equal(outcome.kind, 'error-page', uri);
    }
    assert.equal(redirectUriMatches('https://a.example/cb', 'https://a.example:8443/cb'), false);
  });
});

describe('authorize: errors by redirect', () => {
  it('response_type=token is unsupported_response_type (no implicit flow)', async () => {
    const { core, user, params } = await setup();
    const outcome = await core.authorization.authorize(params({ response_type: 'token' }), user);
    assert.equal(redirectError(outcome), 'unsupported_response_type');
  });

  it('a client not allowed authorization_code is unauthorized_client', async () => {
    const { core, stores, user } = await setup();
    const client = await registerClient(stores, { grants: ['client_credentials'] });
    const outcome = await core.authorization.authorize(
      authorizeParams(client, pkce().challenge),
      user,
    );
    assert.equal(redirectError(outcome), 'unauthorized_client');
  });

  it('a missing code_challenge, a plain or missing method, or a malformed challenge is invalid_request', async () => {
    const { core, user, params } = await setup();
    const noChallenge = without(params(), 'code_challenge');
    const noMethod = without(params(), 'code_challenge_method');
    for (const request of [
      noChallenge,
      noMethod,
      params({ code_challenge_method: 'plain' }),
      params({ code_challenge: 'short' }),
      params({ code_challenge: `${'a'.repeat(42)}=` }),
    ]) {
      assert.equal(
        redirectError(await core.authorization.authorize(request, user)),
        'invalid_request',
      );
    }
  });

  it('request and request_uri are not supported', async () => {
    const { core, user, params } = await setup();
    assert.equal(
      redirectError(await core.authorization.authorize(params({ request: 'x.y.z' }), user)),
      'request_not_supported',
    );
    assert.equal(
      redirectError(await core.authorization.authorize(params({ request_uri: 'urn:x' }), user)),
      'request_uri_not_supported',
    );
  });

  it('a scope the client may not have is invalid_scope; offline_access only for clients that refresh', async () => {
    const { core, stores, user, params } = await setup();
    assert.equal(
      redirectError(await core.authorization.authorize(params({ scope: 'openid admin' }), user)),
      'invalid_scope',
    );
    const noRefresh = await registerClient(stores, { grants: ['authorization_code'] });
    const outcome = await core.authorization.authorize(
      authorizeParams(noRefresh, pkce().challenge, { scope: 'openid offline_access' }),
      user,
    );
    assert.equal(redirectError(outcome), 'invalid_scope');
  });

  it('an unknown prompt, prompt=none with another value, or a bad max_age is invalid_request', async () => {
    const { core, user, params } = await setup();
    for (const extra of [
      { prompt: 'select_account' },
      { prompt: 'none login' },
      { max_age: '-1' },
      { max_age: 'soon' },
    ]) {
      assert.equal(
        redirectError(await core.authorization.authorize(params(extra), user)),
        'invalid_request',
        JSON.stringify(extra),
      );
    }
  });
});

describe('authorize: sign-in and consent', () => {
  it('without a session the user signs in first; prompt=none answers login_required', async () => {
    const { core, params } = await setup();
    const outcome = await core.authorization.authorize(params(), undefined);
    assert.equal(outcome.kind, 'login');
    assert.equal(
      redirectError(await core.authorization.authorize(params({ prompt: 'none' }), undefined)),
      'login_required',
    );
  });

  it('prompt=login forces a new sign-in, and the sign-in after it satisfies it (no loop)', async () => {
    const { core, stores, clock, params } = await setup();
    const user = await signedIn(core, stores);
    clock.advance(5_000);
    const outcome = await core.authorization.authorize(params({ prompt: 'login consent' }), user);
    assert.ok(outcome.kind === 'login');
    assert.equal(outcome.params.prompt, 'consent', 'prompt=login is dropped, the rest kept');
    assert.equal(outcome.params[AUTH_AFTER], String(clock.now()));
    // Coming back with the same old session is still not enough.
    assert.equal((await core.authorization.authorize(outcome.params, user)).kind, 'login');
    // A sign-in made now is.
    const fresh = { ...user, authTime: clock.now() };
    assert.equal((await core.authorization.authorize(outcome.params, fresh)).kind, 'consent');
  });

  it('max_age passed asks for a new sign-in; within it does not', async () => {
    const { core, clock, user, params } = await setup();
    clock.advance(61_000);
    assert.equal(
      (await core.authorization.authorize(params({ max_age: '120' }), user)).kind,
      'consent',
    );
    const outcome = await core.authorization.authorize(params({ max_age: '60' }), user);
    assert.ok(outcome.kind === 'login');
    assert.equal(outcome.params.max_age, undefined);
    assert.equal(
      redirectError(
        await core.authorization.authorize(params({ max_age: '60', prompt: 'none' }), user),
      ),
      'login_required',
    );
  });

  it('a third-party client needs consent; prompt=none without it is consent_required', async () => {
    const { core, client, user, params } = await setup();
    const outcome = await core.authorization.authorize(
      params({ scope: 'openid reports:read' }),
      user,
    );
    assert.ok(outcome.kind === 'consent');
    assert.equal(outcome.client.id, client.id);
    assert.deepEqual(outcome.scopes, ['openid', 'reports:read']);
    assert.equal(
      redirectError(await core.authorization.authorize(params({ prompt: 'none' }), user)),
      'consent_required',
    );
  });

  it('Deny on the consent page redirects with access_denied and stores nothing', async () => {
    const { core, stores, client, user, params } = await setup();
    assert.equal(
      redirectError(await core.authorization.decide(params(), user, false)),
      'access_denied',
    );
    assert.equal(await stores.consents.find(user.userId, client.id), undefined);
  });

  it('Allow remembers the consent per user, client and scopes; more scopes ask again', async () => {
    const { core, user, params } = await setup();
    const allowed = redirected(await core.authorization.decide(params(), user, true));
    assert.match(allowed.get('code') ?? '', /^[A-Za-z0-9_-]{43}$/, '256-bit code');
    assert.equal(allowed.get('state'), 'xyz-state');
    assert.equal(allowed.get('iss'), ISSUER);
    const again = redirected(await core.authorization.authorize(params({ prompt: 'none' }), user));
    assert.ok(again.get('code'), 'consent remembered: prompt=none succeeds');
    const more = await core.authorization.authorize(params({ scope: 'openid reports:read' }), user);
    assert.equal(more.kind, 'consent');
    assert.equal(
      (await core.authorization.authorize(params({ prompt: 'consent' }), user)).kind,
      'consent',
      'prompt=consent asks even when consent is stored',
    );
  });

  it('decide checks the parameters again: a tampered redirect URI gets an error page', async () => {
    const { core, user, params } = await setup();
    const outcome = await core.authorization.decide(
      params({ redirect_uri: 'https://evil.example.com/cb' }),
      user,
      true,
    );
    assert.equal(outcome.kind, 'error-page');
  });

  it('a first-party client never asks for consent', async () => {
    const { core, stores, user } = await setup();
    const client = await registerClient(stores, { firstParty: true });
    const outcome = await core.authorization.authorize(
      authorizeParams(client, pkce().challenge, { prompt: 'none' }),
      user,
    );
    assert.ok(redirected(outcome).get('code'));
  });

  it('state is left out of the redirect when not sent; a registered query is kept', async () => {
    const { core, stores, user } = await setup();
    const uri = 'https://app.example.com/cb?tenant=7';
    const client = await registerClient(stores, { firstParty: true, redirectUris: [uri] });
    const params = without(authorizeParams(client, pkce().challenge), 'state');
    const query = redirected(await core.authorization.authorize(params, user), uri);
    assert.equal(query.get('tenant'), '7');
    assert.equal(query.has('state'), false);
  });
});
