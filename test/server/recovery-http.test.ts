// The account rules of Step 8 as HTTP clients see them: a disabled account gets 403
// account_disabled only with the right password, and its cookie session and bearer tokens stop
// working at once; email_verified in userinfo and the ID token follows the verification.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Browser, PASSWORD, signup, testServer, tokenLogin } from '../helpers/server.js';
import { decodeJwt, flowServer, type Tokens } from './code-flow.js';

describe('a disabled account over HTTP', () => {
  it('sign-in answers 403 account_disabled for the right password, 401 for a wrong one', async () => {
    const { app, core, clock } = await testServer();
    const browser = new Browser(app);
    await browser.signupAndLogin('ada@example.com');
    const user = await core.accounts.findByEmail('ada@example.com');
    assert.ok(user);
    const bearer = (await tokenLogin(app, { refresh: 'body' })).json() as Tokens;
    assert.equal((await browser.request('GET', '/auth/me')).statusCode, 200);
    clock.advance(1500); // a token and a cutoff in one whole second would be a tie
    await core.accounts.disable(user.id);
    assert.equal((await browser.request('GET', '/auth/me')).statusCode, 401);
    const me = await app.inject({
      method: 'GET',
      url: '/auth/me',
      headers: { authorization: `Bearer ${bearer.access_token}` },
    });
    assert.equal(me.statusCode, 401);
    const right = await app.inject({
      method: 'POST',
      url: '/auth/session',
      payload: { email: 'ada@example.com', password: PASSWORD },
    });
    assert.equal(right.statusCode, 403);
    assert.equal((right.json() as { code: string }).code, 'account_disabled');
    const wrong = await app.inject({
      method: 'POST',
      url: '/auth/session',
      payload: { email: 'ada@example.com', password: 'not the password' },
    });
    assert.equal(wrong.statusCode, 401);
    assert.equal((await tokenLogin(app)).statusCode, 403);
  });

  it('TESSERA_REQUIRE_VERIFIED_EMAIL=on answers 403 email_unverified until verified', async () => {
    const { app, core, clock } = await testServer({
      env: { TESSERA_REQUIRE_VERIFIED_EMAIL: 'on' },
    });
    await signup(app);
    const refused = await tokenLogin(app);
    assert.equal(refused.statusCode, 403);
    assert.equal((refused.json() as { code: string }).code, 'email_unverified');
    const user = await core.accounts.findByEmail('ada@example.com');
    assert.ok(user);
    await core.deps.stores.users.setEmailVerifiedAt(user.id, clock.now());
    assert.equal((await tokenLogin(app)).statusCode, 200);
  });
});

describe('email_verified', () => {
  it('userinfo and the ID token say whether the email was verified', async () => {
    const { exchange, code, publicClient, app, core, user, clock } = await flowServer();
    const before = (
      await exchange(publicClient, await code(publicClient, { scope: 'openid email' }))
    ).json() as Tokens & { id_token: string };
    assert.equal(decodeJwt(before.id_token).claims.email_verified, false);
    await core.deps.stores.users.setEmailVerifiedAt(user.userId, clock.now());
    const after = (
      await exchange(publicClient, await code(publicClient, { scope: 'openid email' }))
    ).json() as Tokens & { id_token: string };
    assert.equal(decodeJwt(after.id_token).claims.email_verified, true);
    const info = await app.inject({
      method: 'GET',
      url: '/oauth/userinfo',
      headers: { authorization: `Bearer ${after.access_token}` },
    });
    assert.equal((info.json() as { email_verified: boolean }).email_verified, true);
  });
});
