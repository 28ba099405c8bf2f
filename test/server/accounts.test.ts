import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Browser, PASSWORD, testServer } from '../helpers/server.js';

describe('POST /auth/signup', () => {
  it('creates an account and answers 201 with the user', async () => {
    const { app, stores } = await testServer();
    const response = await new Browser(app).request('POST', '/auth/signup', {
      email: '  Ada@Example.COM ',
      password: PASSWORD,
    });
    assert.equal(response.statusCode, 201);
    const { user } = response.json();
    assert.deepEqual(Object.keys(user).sort(), ['createdAt', 'email', 'id']);
    assert.equal(user.email, 'ada@example.com');
    const stored = await stores.users.findByEmail('ada@example.com');
    assert.match(stored?.passwordHash ?? '', /^\$argon2id\$/);
  });

  it('answers 409 email_taken for an email that differs only in case', async () => {
    const { app } = await testServer();
    const browser = new Browser(app);
    await browser.request('POST', '/auth/signup', { email: 'ada@example.com', password: PASSWORD });
    const again = await browser.request('POST', '/auth/signup', {
      email: 'ADA@example.com',
      password: 'a different passphrase',
    });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().code, 'email_taken');
  });

  for (const [label, password] of [
    ['shorter than 8 characters', 'short1!'],
    ['on the common-password list', 'password1'],
    ['a common password in other case', 'QWERTYUIOP'],
    ['the email itself', 'ada@example.com'],
    ['one repeated character', 'aaaaaaaaaaaa'],
  ] as const) {
    it(`refuses a password ${label} with 400 weak_password and creates nothing`, async () => {
      const { app, stores } = await testServer();
      const response = await new Browser(app).request('POST', '/auth/signup', {
        email: 'ada@example.com',
        password,
      });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().code, 'weak_password');
      assert.equal(await stores.users.findByEmail('ada@example.com'), undefined);
    });
  }

  it('accepts long passphrases and needs no composition rules', async () => {
    const { app } = await testServer();
    const browser = new Browser(app);
    const long = 'the quick brown fox jumps over the lazy dog '.repeat(10);
    const response = await browser.request('POST', '/auth/signup', {
      email: 'ada@example.com',
      password: long,
    });
    assert.equal(response.statusCode, 201);
    assert.equal((await browser.login('ada@example.com', long)).statusCode, 200);
  });

  it('normalizes Unicode passwords (NFKC) so equivalent input logs in', async () => {
    const { app } = await testServer();
    const browser = new Browser(app);
    const composed = 'caf\u00e9 au lait, s\u2019il vous pla\u00eet';
    const decomposed = composed.normalize('NFD');
    await browser.request('POST', '/auth/signup', { email: 'ada@example.com', password: composed });
    assert.equal((await browser.login('ada@example.com', decomposed)).statusCode, 200);
  });

  for (const email of [
    'plainaddress',
    '@example.com',
    'ada@',
    'ada@localhost',
    'a b@example.com',
    'ada@@example.com',
    `${'a'.repeat(65)}@example.com`,
  ]) {
    it(`refuses the email ${JSON.stringify(email)} with 400 invalid_email`, async () => {
      const { app } = await testServer();
      const response = await new Browser(app).request('POST', '/auth/signup', {
        email,
        password: PASSWORD,
      });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().code, 'invalid_email');
    });
  }
});

describe('POST /auth/password', () => {
  it('changes the password, revokes every other session and rotates the caller’s session id', async () => {
    const { app } = await testServer();
    const laptop = new Browser(app);
    const phone = new Browser(app);
    await laptop.signupAndLogin('ada@example.com');
    await phone.login('ada@example.com');
    const before = laptop.cookie;
    const response = await laptop.request('POST', '/auth/password', {
      currentPassword: PASSWORD,
      newPassword: 'a brand new passphrase',
    });
    assert.equal(response.statusCode, 204);
    assert.ok(laptop.cookie);
    assert.notEqual(laptop.cookie, before, 'new session id');
    assert.equal((await laptop.request('GET', '/auth/session')).statusCode, 200);
    assert.equal((await phone.request('GET', '/auth/session')).statusCode, 401);
    const stale = new Browser(app);
    stale.cookie = before;
    assert.equal((await stale.request('GET', '/auth/session')).statusCode, 401);
    assert.equal((await new Browser(app).login('ada@example.com')).statusCode, 401);
    assert.equal(
      (await new Browser(app).login('ada@example.com', 'a brand new passphrase')).statusCode,
      200,
    );
  });

  it('raises the per-user token cutoff', async () => {
    const { app, stores, clock } = await testServer();
    const browser = new Browser(app);
    const login = await browser.signupAndLogin('ada@example.com');
    clock.advance(5000);
    await browser.request('POST', '/auth/password', {
      currentPassword: PASSWORD,
      newPassword: 'a brand new passphrase',
    });
    assert.equal(
      (await stores.users.findById(login.json().user.id))?.tokensValidAfter,
      clock.now(),
    );
  });

  it('answers 401 invalid_credentials for a wrong current password and changes nothing', async () => {
    const { app } = await testServer();
    const laptop = new Browser(app);
    const phone = new Browser(app);
    await laptop.signupAndLogin('ada@example.com');
    await phone.login('ada@example.com');
    const response = await laptop.request('POST', '/auth/password', {
      currentPassword: 'not my password',
      newPassword: 'a brand new passphrase',
    });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'invalid_credentials');
    assert.equal((await phone.request('GET', '/auth/session')).statusCode, 200);
    assert.equal((await laptop.request('GET', '/auth/session')).statusCode, 200);
    assert.equal((await new Browser(app).login('ada@example.com')).statusCode, 200);
  });

  it('answers 400 weak_password for a weak new password and changes nothing', async () => {
    const { app } = await testServer();
    const browser = new Browser(app);
    await browser.signupAndLogin('ada@example.com');
    const response = await browser.request('POST', '/auth/password', {
      currentPassword: PASSWORD,
      newPassword: '12345678',
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'weak_password');
    assert.equal((await new Browser(app).login('ada@example.com')).statusCode, 200);
  });

  it('needs a session (401) and the CSRF token (403)', async () => {
    const { app } = await testServer();
    const anonymous = await new Browser(app).request('POST', '/auth/password', {
      currentPassword: PASSWORD,
      newPassword: 'a brand new passphrase',
    });
    assert.equal(anonymous.statusCode, 401);
    const browser = new Browser(app);
    await browser.signupAndLogin('ada@example.com');
    browser.csrfToken = undefined;
    const noToken = await browser.request('POST', '/auth/password', {
      currentPassword: PASSWORD,
      newPassword: 'a brand new passphrase',
    });
    assert.equal(noToken.statusCode, 403);
    assert.equal((await new Browser(app).login('ada@example.com')).statusCode, 200);
  });
});
