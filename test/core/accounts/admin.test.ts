// What an administrator does to accounts, on the core with memory stores: disabling refuses
// sign-in only once the password checked out and revokes every credential at once, deleting
// takes everything that hangs on the user, roles and the search by email.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/core/clock.js';
import { TesseraError } from '../../../src/core/errors.js';
import { createCore } from '../../../src/core/tessera.js';
import { createMemoryStores } from '../../../src/stores/memory/index.js';
import { testPolicy } from '../policy.js';
import type { Policy } from '../../../src/core/policy.js';

const PASSWORD = 'correct horse battery staple';
const caller = { ip: '203.0.113.7' };
const origin = { userAgent: 'test', ip: '203.0.113.7' };

async function setup(policy: Policy = testPolicy()) {
  const stores = createMemoryStores();
  const clock = new ManualClock();
  const core = await createCore({ stores, clock, policy });
  /** The audit events recorded so far, oldest first. */
  const events = async () => (await core.audit.list({ limit: 1000 })).reverse();
  return { stores, clock, core, events };
}

/** The error a promise rejects with, which must be a TesseraError. */
async function failure(promise: Promise<unknown>): Promise<TesseraError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof TesseraError, String(error));
    return error;
  }
  assert.fail('expected a rejection');
}

/** A user signed in everywhere: a session, a refresh family and an access token. */
async function signedIn(core: Awaited<ReturnType<typeof setup>>['core'], clock: ManualClock) {
  const user = await core.accounts.signup({ email: 'ada@example.com', password: PASSWORD }, caller);
  clock.advance(2000); // tokens are dated in whole seconds: keep them clear of the cutoff
  const session = await core.sessions.create(user.id, origin);
  const tokens = await core.tokenService.login(
    { email: 'ada@example.com', password: PASSWORD },
    caller,
  );
  clock.advance(2000);
  return { user, session, tokens };
}

describe('disabling an account', () => {
  it('refuses sign-in with account_disabled, but only after the right password', async () => {
    const { core, clock } = await setup();
    const { user } = await signedIn(core, clock);
    await core.accounts.disable(user.id);
    const right = await failure(
      core.accounts.authenticate({ email: 'ada@example.com', password: PASSWORD }, caller),
    );
    assert.equal(right.code, 'account_disabled');
    assert.equal(right.status, 403);
    // A wrong password gets the answer any wrong password gets: no enumeration oracle.
    const wrong = await failure(
      core.accounts.authenticate({ email: 'ada@example.com', password: 'wrong password!' }, caller),
    );
    assert.equal(wrong.code, 'invalid_credentials');
    const token = await failure(
      core.tokenService.login({ email: 'ada@example.com', password: PASSWORD }, caller),
    );
    assert.equal(token.code, 'account_disabled');
  });

  it('revokes every session, refresh family and access token at once', async () => {
    const { core, clock } = await setup();
    const { user, session, tokens } = await signedIn(core, clock);
    assert.ok(await core.accessTokens.verify(tokens.access.token));
    await core.accounts.disable(user.id);
    assert.equal((await failure(core.sessions.validate(session.secret))).code, 'unauthenticated');
    assert.equal(
      (await failure(core.accessTokens.verify(tokens.access.token))).code,
      'token_revoked',
    );
    assert.ok(tokens.refreshToken);
    assert.equal(
      (await failure(core.tokenService.refresh(tokens.refreshToken))).code,
      'invalid_grant',
    );
    // Verifiers elsewhere learn it from the feed: the user's cutoff is on it.
    const feed = await core.feed.since(0);
    assert.ok(feed.some((event) => event.kind === 'user' && event.value === user.id));
  });

  it('enabling lets the user sign in again; old credentials stay revoked', async () => {
    const { core, clock, events } = await setup();
    const { user, tokens } = await signedIn(core, clock);
    await core.accounts.disable(user.id);
    await core.accounts.enable(user.id);
    const back = await core.accounts.authenticate(
      { email: 'ada@example.com', password: PASSWORD },
      caller,
    );
    assert.equal(back.disabledAt, null);
    await failure(core.accessTokens.verify(tokens.access.token));
    assert.deepEqual(
      (await events())
        .filter((e) => e.kind === 'user.disabled' || e.kind === 'user.enabled')
        .map((e) => [e.kind, e.subjectId]),
      [
        ['user.disabled', user.id],
        ['user.enabled', user.id],
      ],
    );
  });

  it('unknown users are not_found', async () => {
    const { core } = await setup();
    assert.equal((await failure(core.accounts.disable('nobody'))).code, 'not_found');
    assert.equal((await failure(core.accounts.delete('nobody'))).code, 'not_found');
  });
});

describe('requiring a verified email', () => {
  const policy = { ...testPolicy(), accounts: { requireVerifiedEmail: true } };

  it('refuses an unverified email with email_unverified, only after the right password', async () => {
    const { core, stores, clock } = await setup(policy);
    const user = await core.accounts.signup(
      { email: 'ada@example.com', password: PASSWORD },
      caller,
    );
    const login = { email: 'ada@example.com', password: PASSWORD };
    const refused = await failure(core.accounts.authenticate(login, caller));
    assert.equal(refused.code, 'email_unverified');
    assert.equal(refused.status, 403);
    const wrong = await failure(
      core.accounts.authenticate({ ...login, password: 'wrong password!' }, caller),
    );
    assert.equal(wrong.code, 'invalid_credentials');
    await stores.users.setEmailVerifiedAt(user.id, clock.now());
    assert.equal((await core.accounts.authenticate(login, caller)).id, user.id);
  });

  it('is off by default', async () => {
    const { core } = await setup();
    const login = { email: 'ada@example.com', password: PASSWORD };
    await core.accounts.signup(login, caller);
    assert.ok(await core.accounts.authenticate(login, caller));
  });
});

describe('deleting an account', () => {
  it('removes the user and what hangs on it; tokens die; audit keeps the id only', async () => {
    const { core, stores, clock, events } = await setup();
    const { user, session, tokens } = await signedIn(core, clock);
    await stores.consents.grant(user.id, 'tessera', ['account'], clock.now());
    await stores.audit.append([
      {
        id: 'e1',
        at: clock.now(),
        kind: 'login.succeeded',
        actorId: user.id,
        subjectId: user.id,
        ip: '203.0.113.7',
        userAgent: 'test',
        requestId: 'r1',
        reason: null,
        details: {},
      },
    ]);
    await core.accounts.delete(user.id);
    assert.equal(await stores.users.findById(user.id), undefined);
    assert.deepEqual(await stores.sessions.listByUser(user.id), []);
    assert.deepEqual(await stores.consents.listByUser(user.id), []);
    assert.ok(tokens.refreshToken);
    assert.equal(await core.families.find(tokens.refreshToken), undefined);
    await failure(core.sessions.validate(session.secret));
    await failure(core.accessTokens.verify(tokens.access.token));
    const feed = await core.feed.since(0);
    assert.ok(feed.some((event) => event.kind === 'user' && event.value === user.id));
    const [kept] = await stores.audit.list({ subjectId: user.id, limit: 10 });
    assert.equal(kept?.subjectId, user.id);
    assert.equal(kept?.ip, null);
    assert.equal(kept?.userAgent, null);
    const deleted = (await events()).find((e) => e.kind === 'user.deleted');
    assert.equal(deleted?.subjectId, user.id);
    // The email is free again.
    await core.accounts.signup({ email: 'ada@example.com', password: PASSWORD }, caller);
  });
});

describe('roles and search', () => {
  it('sets a role and records the change once', async () => {
    const { core, events } = await setup();
    const user = await core.accounts.signup(
      { email: 'ada@example.com', password: PASSWORD },
      caller,
    );
    assert.equal(user.role, 'user');
    await core.accounts.setRole(user.id, 'admin');
    await core.accounts.setRole(user.id, 'admin');
    assert.equal((await core.accounts.find(user.id))?.role, 'admin');
    const changes = (await events()).filter((e) => e.kind === 'user.role_changed');
    assert.deepEqual(
      changes.map((e) => e.details),
      [{ from: 'user', to: 'admin' }],
    );
    const bad = await failure(core.accounts.setRole(user.id, 'root' as 'admin'));
    assert.equal(bad.code, 'invalid_request');
  });

  it('pages through users by email, with a prefix, and counts them', async () => {
    const { core } = await setup();
    for (const name of ['carol', 'ada', 'bob', 'adam', 'dave']) {
      await core.accounts.signup({ email: `${name}@example.com`, password: PASSWORD }, caller);
    }
    assert.equal(await core.accounts.count(), 5);
    const first = await core.accounts.search({ limit: 2 });
    assert.deepEqual(
      first.users.map((u) => u.email),
      ['ada@example.com', 'adam@example.com'],
    );
    assert.equal(first.next, 'adam@example.com');
    const rest = await core.accounts.search({
      limit: 10,
      ...(first.next ? { after: first.next } : {}),
    });
    assert.deepEqual(
      rest.users.map((u) => u.email),
      ['bob@example.com', 'carol@example.com', 'dave@example.com'],
    );
    assert.equal(rest.next, undefined);
    const prefixed = await core.accounts.search({ limit: 10, emailPrefix: 'AD' });
    assert.equal(prefixed.users.length, 2);
    assert.equal((await core.accounts.findByEmail(' Bob@Example.com'))?.email, 'bob@example.com');
  });
});

describe('user records kept for the bearer path', () => {
  it('a role change and an email verification are seen by the next bearer check', async () => {
    const mails: string[] = [];
    const stores = createMemoryStores();
    const clock = new ManualClock();
    const core = await createCore({
      stores,
      clock,
      policy: testPolicy(),
      mailer: { send: async (mail) => void mails.push(mail.text) },
    });
    const { user, tokens } = await signedIn(core, clock);
    core.liveRevocations.busStatus(true); // the server does this when its bus is up
    await new Promise((resolve) => setTimeout(resolve, 5));
    const seen = async () => (await core.accessTokens.verify(tokens.access.token)).user;
    assert.equal((await seen())?.role, 'user');
    // Behind the core's back the record is kept: this shows the check keeps it at all.
    await stores.users.setRole(user.id, 'admin');
    assert.equal((await seen())?.role, 'user', 'the kept record was used');
    await stores.users.setRole(user.id, 'user');
    await core.accounts.setRole(user.id, 'admin');
    assert.equal((await seen())?.role, 'admin', 'read again after the role change');

    assert.equal((await seen())?.emailVerifiedAt, null);
    await core.recovery.sendVerification(user.id);
    await core.recovery.idle();
    const link = /token=([\w-]+)/.exec(mails.at(-1) ?? '')?.[1];
    assert.ok(link);
    await core.recovery.verifyEmail(link);
    assert.notEqual((await seen())?.emailVerifiedAt, null);
  });
});
