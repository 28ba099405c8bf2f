import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sha256Hex } from '../../src/core/random.js';
import { Browser, setCookies, testServer } from '../helpers/server.js';

const MINUTE = 60_000;

describe('session cookie', () => {
  it('is HttpOnly, SameSite=Lax, Path=/, expires at the absolute expiry, and not Secure on http', async () => {
    const { app, clock } = await testServer();
    const browser = new Browser(app);
    const login = await browser.signupAndLogin('ada@example.com');
    assert.equal(login.statusCode, 200);
    const [cookie] = setCookies(login);
    assert.ok(cookie);
    assert.equal(cookie.name, 'tessera_session');
    assert.equal(cookie.attributes.httponly, true);
    assert.equal(cookie.attributes.samesite, 'Lax');
    assert.equal(cookie.attributes.path, '/');
    assert.equal(cookie.attributes.secure, undefined);
    assert.equal(Date.parse(String(cookie.attributes.expires)), clock.now() + 12 * 60 * MINUTE);
    assert.match(cookie.value, /^[A-Za-z0-9_-]{43}$/, '256-bit base64url id');
  });

  it('is Secure and __Host- prefixed when the issuer is https', async () => {
    const { app } = await testServer({ env: { TESSERA_ISSUER: 'https://auth.example.com' } });
    const browser = new Browser(app, 'https://auth.example.com');
    const login = await browser.signupAndLogin('ada@example.com');
    const [cookie] = setCookies(login);
    assert.ok(cookie);
    assert.equal(cookie.name, '__Host-tessera_session');
    assert.equal(cookie.attributes.secure, true);
    assert.equal(cookie.attributes.path, '/');
    assert.equal(cookie.attributes.domain, undefined, '__Host- cookies carry no Domain');
    assert.equal((await browser.request('GET', '/auth/session')).statusCode, 200);
  });

  it('stores only the SHA-256 of the session id, never the id itself', async () => {
    const { app, stores } = await testServer();
    const browser = new Browser(app);
    const login = await browser.signupAndLogin('ada@example.com');
    const secret = browser.cookie ?? '';
    const stored = await stores.sessions.findBySecretHash(sha256Hex(secret));
    assert.ok(stored);
    assert.notEqual(stored.id, secret);
    assert.ok(!JSON.stringify(stored).includes(secret));
    assert.notEqual(login.json().session.id, secret, 'the public handle is not the cookie value');
  });
});

describe('session fixation', () => {
  it('every login issues a new session id, and a cookie planted before login is not adopted', async () => {
    const { app } = await testServer();
    const browser = new Browser(app);
    await browser.signupAndLogin('ada@example.com');
    const first = browser.cookie;
    const planted = 'A'.repeat(43);
    browser.cookie = planted;
    await browser.login('ada@example.com');
    assert.ok(browser.cookie);
    assert.notEqual(browser.cookie, planted);
    assert.notEqual(browser.cookie, first);
    const attacker = new Browser(app);
    attacker.cookie = planted;
    assert.equal((await attacker.request('GET', '/auth/session')).statusCode, 401);
  });
});

describe('session validity', () => {
  it('GET /auth/session answers 401 without a cookie and with a forged one', async () => {
    const { app } = await testServer();
    const browser = new Browser(app);
    assert.equal((await browser.request('GET', '/auth/session')).statusCode, 401);
    browser.cookie = 'not-a-session';
    const forged = await browser.request('GET', '/auth/session');
    assert.equal(forged.statusCode, 401);
    assert.equal(forged.json().code, 'unauthenticated');
  });

  it('an idle session expires after the idle timeout', async () => {
    const { app, clock } = await testServer();
    const browser = new Browser(app);
    await browser.signupAndLogin('ada@example.com');
    clock.advance(29 * MINUTE);
    assert.equal((await browser.request('GET', '/auth/session')).statusCode, 200);
    clock.advance(30 * MINUTE + 1);
    const expired = await browser.request('GET', '/auth/session');
    assert.equal(expired.statusCode, 401);
    assert.equal(expired.json().code, 'session_expired');
  });

  it('activity slides the idle expiry but never past the absolute expiry', async () => {
    const { app, clock } = await testServer();
    const browser = new Browser(app);
    await browser.signupAndLogin('ada@example.com');
    for (let elapsed = 0; elapsed < 12 * 60 - 20; elapsed += 20) {
      clock.advance(20 * MINUTE);
      assert.equal(
        (await browser.request('GET', '/auth/session')).statusCode,
        200,
        `at ${elapsed}`,
      );
    }
    clock.advance(20 * MINUTE);
    const expired = await browser.request('GET', '/auth/session');
    assert.equal(expired.statusCode, 401);
    assert.equal(expired.json().code, 'session_expired');
  });

  it('the reported expiresAt is the earlier of idle and absolute expiry', async () => {
    const { app, clock } = await testServer();
    const browser = new Browser(app);
    const login = await browser.signupAndLogin('ada@example.com');
    assert.equal(Date.parse(login.json().session.expiresAt), clock.now() + 30 * MINUTE);
  });

  it('last-seen is written at most once per touch interval, not on every request', async () => {
    const { app, clock, stores } = await testServer();
    let touches = 0;
    const touch = stores.sessions.touch.bind(stores.sessions);
    stores.sessions.touch = async (userId, id, at) => {
      touches += 1;
      return touch(userId, id, at);
    };
    const browser = new Browser(app);
    await browser.signupAndLogin('ada@example.com');
    for (let i = 0; i < 10; i += 1) {
      clock.advance(5_000);
      await browser.request('GET', '/auth/session');
    }
    assert.equal(touches, 0, '50 s of requests: no write');
    clock.advance(10_000);
    await browser.request('GET', '/auth/session');
    assert.equal(touches, 1);
  });
});

describe('logout and revocation', () => {
  it('DELETE /auth/session removes the session from the store and clears the cookie', async () => {
    const { app, stores } = await testServer();
    const browser = new Browser(app);
    await browser.signupAndLogin('ada@example.com');
    const secret = browser.cookie ?? '';
    const response = await browser.request('DELETE', '/auth/session');
    assert.equal(response.statusCode, 204);
    assert.equal(await stores.sessions.findBySecretHash(sha256Hex(secret)), undefined);
    const cleared = setCookies(response)[0];
    assert.equal(cleared?.value, '');
    browser.cookie = secret;
    assert.equal((await browser.request('GET', '/auth/session')).statusCode, 401);
  });

  it('lists only the caller’s own sessions and marks the current one', async () => {
    const { app } = await testServer();
    const laptop = new Browser(app);
    const phone = new Browser(app);
    const mallory = new Browser(app);
    await laptop.signupAndLogin('ada@example.com');
    await phone.login('ada@example.com');
    await mallory.signupAndLogin('mallory@example.com');
    const list = await laptop.request('GET', '/auth/sessions');
    assert.equal(list.statusCode, 200);
    const { sessions } = list.json() as { sessions: { current: boolean; userAgent: string }[] };
    assert.equal(sessions.length, 2);
    assert.equal(sessions.filter((s) => s.current).length, 1);
    assert.equal(sessions[0]?.userAgent, 'test-browser/1.0');
  });

  it('revokes one session by id, and answers 404 for another user’s id', async () => {
    const { app } = await testServer();
    const laptop = new Browser(app);
    const phone = new Browser(app);
    const mallory = new Browser(app);
    await laptop.signupAndLogin('ada@example.com');
    const phoneLogin = await phone.login('ada@example.com');
    const malloryLogin = await mallory.signupAndLogin('mallory@example.com');
    const phoneId = phoneLogin.json().session.id as string;
    const malloryId = malloryLogin.json().session.id as string;
    const foreign = await laptop.request('DELETE', `/auth/sessions/${malloryId}`);
    assert.equal(foreign.statusCode, 404);
    assert.equal((await mallory.request('GET', '/auth/session')).statusCode, 200);
    assert.equal((await laptop.request('DELETE', `/auth/sessions/${phoneId}`)).statusCode, 204);
    assert.equal((await phone.request('GET', '/auth/session')).statusCode, 401);
    assert.equal((await laptop.request('GET', '/auth/session')).statusCode, 200);
  });

  it('DELETE /auth/sessions revokes every other session and keeps the current one', async () => {
    const { app } = await testServer();
    const laptop = new Browser(app);
    const phone = new Browser(app);
    const tablet = new Browser(app);
    await laptop.signupAndLogin('ada@example.com');
    await phone.login('ada@example.com');
    await tablet.login('ada@example.com');
    assert.equal((await laptop.request('DELETE', '/auth/sessions')).statusCode, 204);
    assert.equal((await phone.request('GET', '/auth/session')).statusCode, 401);
    assert.equal((await tablet.request('GET', '/auth/session')).statusCode, 401);
    assert.equal((await laptop.request('GET', '/auth/session')).statusCode, 200);
  });

  it('DELETE /auth/sessions?include=current revokes the current session too', async () => {
    const { app } = await testServer();
    const laptop = new Browser(app);
    const phone = new Browser(app);
    await laptop.signupAndLogin('ada@example.com');
    await phone.login('ada@example.com');
    const response = await laptop.request('DELETE', '/auth/sessions?include=current');
    assert.equal(response.statusCode, 204);
    assert.equal((await phone.request('GET', '/auth/session')).statusCode, 401);
    assert.equal((await laptop.request('GET', '/auth/session')).statusCode, 401);
  });

  it('log out everywhere raises the per-user cutoff for tokens', async () => {
    const { app, stores, clock } = await testServer();
    const laptop = new Browser(app);
    const login = await laptop.signupAndLogin('ada@example.com');
    clock.advance(1000);
    await laptop.request('DELETE', '/auth/sessions');
    const user = await stores.users.findById(login.json().user.id);
    assert.equal(user?.tokensValidAfter, clock.now());
  });
});

describe('GET /auth/me', () => {
  it('answers the user and via "session" for a session cookie, 401 without one', async () => {
    const { app } = await testServer();
    const browser = new Browser(app);
    await browser.signupAndLogin('ada@example.com');
    const me = await browser.request('GET', '/auth/me');
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().via, 'session');
    assert.equal(me.json().user.email, 'ada@example.com');
    assert.equal((await new Browser(app).request('GET', '/auth/me')).statusCode, 401);
  });
});
