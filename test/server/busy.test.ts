import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashGate } from '../../src/core/passwords/hash.js';
import { Browser, PASSWORD, testServer } from '../helpers/server.js';
import type { LightMyRequestResponse } from 'fastify';

/** Takes the one hashing slot (concurrency 1, no queue) until the returned function is called. */
function occupyHashing(): () => Promise<void> {
  let release!: () => void;
  const held = hashGate().run(() => new Promise<void>((resolve) => (release = resolve)));
  return async () => {
    release();
    await held;
  };
}

function assertBusy(response: LightMyRequestResponse): void {
  assert.equal(response.statusCode, 503, response.body);
  assert.equal(response.json().code, 'busy');
  assert.equal(response.headers['retry-after'], '1');
}

const FULL = { hashConcurrency: 1, hashQueue: 0 };

describe('a full password-hashing queue answers 503 busy and changes nothing', () => {
  it('refuses a sign-up before the account is written, and takes it once hashing is free', async () => {
    const { app, stores } = await testServer({ config: FULL });
    const release = occupyHashing();
    const refused = await new Browser(app).request('POST', '/auth/signup', {
      email: 'ada@example.com',
      password: PASSWORD,
    });
    assertBusy(refused);
    assert.equal(await stores.users.findByEmail('ada@example.com'), undefined);
    await release();
    const accepted = await new Browser(app).request('POST', '/auth/signup', {
      email: 'ada@example.com',
      password: PASSWORD,
    });
    assert.equal(accepted.statusCode, 201, accepted.body);
  });

  it('refuses a sign-in (known or unknown email) without a session, then lets it through', async () => {
    const { app } = await testServer({ config: FULL });
    await new Browser(app).request('POST', '/auth/signup', {
      email: 'ada@example.com',
      password: PASSWORD,
    });
    const release = occupyHashing();
    for (const email of ['ada@example.com', 'nobody@example.com']) {
      const refused = await new Browser(app).login(email);
      assertBusy(refused);
      assert.equal(refused.headers['set-cookie'], undefined);
    }
    await release();
    assert.equal((await new Browser(app).login('ada@example.com')).statusCode, 200);
    // The decoy hash refused above is made again: an unknown email still fails the usual way.
    assert.equal((await new Browser(app).login('nobody@example.com')).statusCode, 401);
  });

  it('refuses a password change and keeps the old password', async () => {
    const { app } = await testServer({ config: FULL });
    const browser = new Browser(app);
    await browser.signupAndLogin('ada@example.com');
    const release = occupyHashing();
    const refused = await browser.request('POST', '/auth/password', {
      currentPassword: PASSWORD,
      newPassword: 'a different long passphrase',
    });
    assertBusy(refused);
    await release();
    assert.equal((await new Browser(app).login('ada@example.com')).statusCode, 200);
  });

  it('lets sign-ins beyond the bound wait in the queue and all succeed', async () => {
    const { app } = await testServer({ config: { hashConcurrency: 1, hashQueue: 8 } });
    await new Browser(app).request('POST', '/auth/signup', {
      email: 'ada@example.com',
      password: PASSWORD,
    });
    const release = occupyHashing();
    const logins = Array.from({ length: 8 }, () => new Browser(app).login('ada@example.com'));
    await new Promise(setImmediate);
    await release();
    const statuses = (await Promise.all(logins)).map((response) => response.statusCode);
    assert.deepEqual(
      statuses,
      Array.from({ length: 8 }, () => 200),
    );
  });
});
