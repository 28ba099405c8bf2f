import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OWASP_ARGON2 } from '../../src/core/passwords/hash.js';
import { Browser, PASSWORD, testServer } from '../helpers/server.js';

const MINUTE = 60_000;

describe('login does not reveal whether an email has an account', () => {
  it('answers an unknown email and a wrong password with the same status and body', async () => {
    const { app } = await testServer();
    await new Browser(app).request('POST', '/auth/signup', {
      email: 'ada@example.com',
      password: PASSWORD,
    });
    const unknown = await new Browser(app).login('nobody@example.com', 'whatever password');
    const wrong = await new Browser(app).login('ada@example.com', 'whatever password');
    assert.equal(unknown.statusCode, 401);
    assert.equal(wrong.statusCode, 401);
    assert.equal(unknown.body, wrong.body);
    assert.equal(unknown.json().code, 'invalid_credentials');
    assert.equal(unknown.headers['set-cookie'], undefined);
  });

  it('takes about as long for an unknown email as for a wrong password (argon2 runs for both)', async () => {
    // Real OWASP parameters: without the decoy hash the unknown email would answer ~50x faster.
    const { app } = await testServer({
      config: {
        argon2MemoryKiB: OWASP_ARGON2.memoryKiB,
        argon2Iterations: OWASP_ARGON2.iterations,
        argon2Parallelism: OWASP_ARGON2.parallelism,
      },
    });
    await new Browser(app).request('POST', '/auth/signup', {
      email: 'ada@example.com',
      password: PASSWORD,
    });
    const time = async (email: string) => {
      const start = process.hrtime.bigint();
      await new Browser(app).login(email, 'whatever password');
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    const median = (values: number[]) =>
      values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const unknown: number[] = [];
    const wrong: number[] = [];
    await time('warm-up@example.com');
    for (let i = 0; i < 5; i += 1) {
      unknown.push(await time(`nobody${i}@example.com`));
      wrong.push(await time('ada@example.com'));
    }
    const ratio = median(unknown) / median(wrong);
    // A wide band: the check is that both paths do the same expensive work, not a benchmark.
    assert.ok(ratio > 0.5 && ratio < 2, `unknown/wrong median ratio ${ratio.toFixed(2)}`);
  });
});

describe('brute-force protection', () => {
  it('answers 429 with Retry-After after too many failures for one account, unknown or not', async () => {
    for (const email of ['ada@example.com', 'nobody@example.com']) {
      const { app } = await testServer();
      await new Browser(app).request('POST', '/auth/signup', {
        email: 'ada@example.com',
        password: PASSWORD,
      });
      for (let i = 0; i < 10; i += 1) {
        // Different IPs: the per-account limit must hold on its own.
        const response = await app.inject({
          method: 'POST',
          url: '/auth/session',
          remoteAddress: `10.0.0.${i}`,
          payload: { email, password: 'wrong password here' },
        });
        assert.equal(response.statusCode, 401);
      }
      const blocked = await new Browser(app).login(email, 'wrong password here');
      assert.equal(blocked.statusCode, 429, email);
      assert.equal(blocked.json().code, 'rate_limited');
      assert.equal(blocked.headers['retry-after'], String(15 * 60));
    }
  });

  it('refuses even the right password while an account is locked, until the window ends', async () => {
    const { app, clock } = await testServer();
    const browser = new Browser(app);
    await browser.request('POST', '/auth/signup', { email: 'ada@example.com', password: PASSWORD });
    for (let i = 0; i < 10; i += 1) await browser.login('ada@example.com', 'wrong password here');
    assert.equal((await browser.login('ada@example.com')).statusCode, 429);
    clock.advance(15 * MINUTE);
    assert.equal((await browser.login('ada@example.com')).statusCode, 200);
  });

  it('a successful login resets the account’s failure count', async () => {
    const { app } = await testServer();
    const browser = new Browser(app);
    await browser.request('POST', '/auth/signup', { email: 'ada@example.com', password: PASSWORD });
    for (let i = 0; i < 9; i += 1) await browser.login('ada@example.com', 'wrong password here');
    assert.equal((await browser.login('ada@example.com')).statusCode, 200);
    for (let i = 0; i < 9; i += 1) {
      assert.equal((await browser.login('ada@example.com', 'wrong password here')).statusCode, 401);
    }
  });

  it('limits attempts per client IP across many accounts', async () => {
    const { app } = await testServer({ config: { loginIpLimit: 5 } });
    for (let i = 0; i < 5; i += 1) {
      assert.equal(
        (await new Browser(app).login(`user${i}@example.com`, 'x'.repeat(9))).statusCode,
        401,
      );
    }
    const blocked = await new Browser(app).login('user99@example.com', 'x'.repeat(9));
    assert.equal(blocked.statusCode, 429);
    assert.ok(Number(blocked.headers['retry-after']) > 0);
  });

  it('limits sign-ups per client IP', async () => {
    const { app, stores } = await testServer({ config: { signupIpLimit: 2 } });
    const browser = new Browser(app);
    for (let i = 0; i < 2; i += 1) {
      const response = await browser.request('POST', '/auth/signup', {
        email: `u${i}@example.com`,
        password: PASSWORD,
      });
      assert.equal(response.statusCode, 201);
    }
    const blocked = await browser.request('POST', '/auth/signup', {
      email: 'u2@example.com',
      password: PASSWORD,
    });
    assert.equal(blocked.statusCode, 429);
    assert.equal(await stores.users.findByEmail('u2@example.com'), undefined);
  });
});

describe('password hashing', () => {
  it('re-hashes a stored hash transparently at login when the parameters changed', async () => {
    const old = await testServer();
    await new Browser(old.app).request('POST', '/auth/signup', {
      email: 'ada@example.com',
      password: PASSWORD,
    });
    const before = (await old.stores.users.findByEmail('ada@example.com'))?.passwordHash ?? '';
    assert.match(before, /m=1024,t=1,p=1/);
    const upgraded = await testServer({
      stores: old.stores,
      config: { argon2MemoryKiB: 2048, argon2Iterations: 2 },
    });
    assert.equal((await new Browser(upgraded.app).login('ada@example.com')).statusCode, 200);
    const after = (await old.stores.users.findByEmail('ada@example.com'))?.passwordHash ?? '';
    assert.match(after, /^\$argon2id\$v=19\$m=2048,t=2,p=1\$/);
    assert.equal((await new Browser(upgraded.app).login('ada@example.com')).statusCode, 200);
  });

  it('defaults to OWASP’s argon2id parameters', async () => {
    const { config } = await testServer({ config: {}, env: {} });
    // testServer lowers the cost for speed; the defaults come from loadConfig without overrides.
    const { loadConfig } = await import('../../src/config.js');
    const defaults = loadConfig();
    assert.deepEqual(
      [defaults.argon2MemoryKiB, defaults.argon2Iterations, defaults.argon2Parallelism],
      [19456, 2, 1],
    );
    assert.equal(config.argon2MemoryKiB, 1024);
  });
});
