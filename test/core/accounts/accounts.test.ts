// The account rules of DESIGN.md, checked on the core without HTTP: sign-up normalizes the email
// and applies the password policy, a failed login looks the same for an unknown email and a wrong
// password, a stale hash is upgraded at login, and a password change revokes everything else.
import { silentAudit } from '../../../src/core/audit/audit-log.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Accounts } from '../../../src/core/accounts/accounts.js';
import { normalizeEmail } from '../../../src/core/accounts/email.js';
import {
  checkPasswordPolicy,
  MAX_PASSWORD_LENGTH,
} from '../../../src/core/accounts/password-policy.js';
import { ManualClock } from '../../../src/core/clock.js';
import { TesseraError } from '../../../src/core/errors.js';
import { RefreshFamilies } from '../../../src/core/oauth/refresh-families.js';
import { hashPassword } from '../../../src/core/passwords/hash.js';
import { Revocations } from '../../../src/core/revocation/revocations.js';
import { UserRevoker } from '../../../src/core/revocation/revoke-user.js';
import { Sessions } from '../../../src/core/sessions/sessions.js';
import { createMemoryStores } from '../../../src/stores/memory/index.js';
import { MINUTE, testPolicy } from '../policy.js';
import type { Policy } from '../../../src/core/policy.js';

const PASSWORD = 'correct horse battery staple';
const caller = { ip: '203.0.113.7' };

function setup(policy: Policy = testPolicy()) {
  const stores = createMemoryStores();
  const clock = new ManualClock();
  const deps = { stores, clock, policy, audit: silentAudit };
  const revocations = new Revocations(stores, clock, 11 * MINUTE, 30_000);
  const families = new RefreshFamilies(stores, revocations, clock, {
    lifetimeMs: policy.tokens.refreshLifetimeMs,
    graceMs: policy.tokens.refreshGraceMs,
  });
  const sessions = new Sessions(deps);
  const accounts = new Accounts(deps, new UserRevoker(sessions, families, revocations));
  return { stores, clock, accounts, sessions, families };
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

describe('email normalization', () => {
  it('trims and lower-cases the whole address, so case variants are one account', () => {
    assert.equal(normalizeEmail('  Ada.Lovelace@Example.COM \n'), 'ada.lovelace@example.com');
  });

  it('refuses addresses a sign-up form should not accept', () => {
    for (const bad of [
      'ada',
      '@example.com',
      'ada@',
      'ada@localhost',
      'ada@example',
      '.ada@example.com',
      'ada.@example.com',
      'a..da@example.com',
      'ada@-example.com',
      'ada@example.123',
      '"ada"@example.com',
      `${'a'.repeat(65)}@example.com`,
      `ada@${'a'.repeat(250)}.com`,
    ]) {
      assert.throws(() => normalizeEmail(bad), { code: 'invalid_email' }, bad);
    }
  });
});

describe('password policy', () => {
  it('accepts a long passphrase without composition rules', () => {
    assert.equal(checkPasswordPolicy(PASSWORD), PASSWORD);
  });

  it('counts code points, not UTF-16 units: seven emoji are too short', () => {
    assert.throws(() => checkPasswordPolicy('🐙🦑🐳🐬🦈🐟🐠'), { code: 'weak_password' });
    assert.equal(checkPasswordPolicy('🐙🦑🐳🐬🦈🐟🐠🐡').length, 16);
  });

  it('bounds the length so hashing cost stays bounded', () => {
    assert.throws(() => checkPasswordPolicy('ab'.repeat(MAX_PASSWORD_LENGTH)), {
      code: 'weak_password',
    });
  });

  it('refuses a common password whatever its case', () => {
    assert.throws(() => checkPasswordPolicy('PassWord123'), { code: 'weak_password' });
  });

  it('refuses the email or its local part as password', () => {
    assert.throws(
      () => checkPasswordPolicy('Ada.Lovelace@example.com', 'ada.lovelace@example.com'),
      {
        code: 'weak_password',
      },
    );
    assert.throws(() => checkPasswordPolicy('ada.lovelace', 'ada.lovelace@example.com'), {
      code: 'weak_password',
    });
  });

  it('refuses one character repeated', () => {
    assert.throws(() => checkPasswordPolicy('qqqqqqqqqqqq'), { code: 'weak_password' });
  });

  it('normalizes to NFKC, so the same passphrase typed two ways is one password', () => {
    const composed = 'caf\u00e9 au lait noir';
    const decomposed = 'cafe\u0301 au lait noir';
    assert.equal(checkPasswordPolicy(decomposed), checkPasswordPolicy(composed));
  });
});

describe('sign-up', () => {
  it('stores the normalized email and an argon2id hash, never the password', async () => {
    const { accounts, stores } = setup();
    const user = await accounts.signup({ email: ' Ada@Example.com ', password: PASSWORD }, caller);
    assert.equal(user.email, 'ada@example.com');
    assert.match(user.passwordHash, /^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    assert.ok(!user.passwordHash.includes(PASSWORD));
    assert.equal((await stores.users.findByEmail('ada@example.com'))?.id, user.id);
  });

  it('an email that differs only in case is taken', async () => {
    const { accounts } = setup();
    await accounts.signup({ email: 'ada@example.com', password: PASSWORD }, caller);
    const error = await failure(
      accounts.signup({ email: 'ADA@example.com', password: PASSWORD }, caller),
    );
    assert.equal(error.code, 'email_taken');
    assert.equal(error.details.field, 'email');
  });

  it('a weak password creates no account', async () => {
    const { accounts, stores } = setup();
    await assert.rejects(accounts.signup({ email: 'ada@example.com', password: 'short' }, caller), {
      code: 'weak_password',
    });
    assert.equal(await stores.users.findByEmail('ada@example.com'), undefined);
  });

  it('sign-ups from one IP are limited per window', async () => {
    const { accounts, clock } = setup(
      testPolicy({ limits: { signupPerIp: { limit: 2, windowMs: MINUTE } } }),
    );
    await accounts.signup({ email: 'a@example.com', password: PASSWORD }, caller);
    await accounts.signup({ email: 'b@example.com', password: PASSWORD }, caller);
    await assert.rejects(accounts.signup({ email: 'c@example.com', password: PASSWORD }, caller), {
      code: 'rate_limited',
    });
    clock.advance(MINUTE);
    await accounts.signup({ email: 'c@example.com', password: PASSWORD }, caller);
  });
});

describe('login', () => {
  it('an unknown email and a wrong password fail with the same error', async () => {
    const { accounts } = setup();
    await accounts.signup({ email: 'ada@example.com', password: PASSWORD }, caller);
    const unknown = await failure(
      accounts.authenticate({ email: 'bob@example.com', password: PASSWORD }, caller),
    );
    const wrong = await failure(
      accounts.authenticate({ email: 'ada@example.com', password: 'not the password' }, caller),
    );
    const malformed = await failure(
      accounts.authenticate({ email: 'not an email', password: PASSWORD }, caller),
    );
    for (const error of [unknown, wrong, malformed]) {
      assert.deepEqual(
        { code: error.code, message: error.message, status: error.status, details: error.details },
        { code: wrong.code, message: wrong.message, status: wrong.status, details: wrong.details },
      );
    }
    assert.equal(wrong.code, 'invalid_credentials');
  });

  it('an unknown email costs one argon2 verification too, against a decoy hash', async () => {
    const { accounts } = setup();
    await failure(accounts.authenticate({ email: 'bob@example.com', password: PASSWORD }, caller));
    // Timing itself cannot be asserted reliably in a unit test; what can be is the mechanism:
    // the unknown-email path built a decoy hash at the policy's own parameters to verify against,
    // so its argon2 work is the same as for a real account. (A private field, read on purpose.)
    const decoy = await (accounts as unknown as { decoy: Promise<string> | undefined }).decoy;
    assert.match(decoy ?? '', /^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
  });

  it('failed logins count against the account whatever the IP, and success resets the count', async () => {
    const { accounts } = setup(
      testPolicy({ limits: { loginPerAccount: { limit: 3, windowMs: 15 * MINUTE } } }),
    );
    await accounts.signup({ email: 'ada@example.com', password: PASSWORD }, caller);
    const attempt = (password: string, ip: string) =>
      accounts.authenticate({ email: 'ada@example.com', password }, { ip });
    await failure(attempt('wrong password 1', '198.51.100.1'));
    await failure(attempt('wrong password 2', '198.51.100.2'));
    await attempt(PASSWORD, '198.51.100.3');
    await failure(attempt('wrong password 3', '198.51.100.4'));
    await failure(attempt('wrong password 4', '198.51.100.5'));
    await failure(attempt('wrong password 5', '198.51.100.6'));
    const limited = await failure(attempt(PASSWORD, '198.51.100.7'));
    assert.equal(limited.code, 'rate_limited');
  });

  it('an unknown email is rate-limited like a known one, so the limit reveals nothing', async () => {
    const { accounts } = setup(
      testPolicy({ limits: { loginPerAccount: { limit: 1, windowMs: MINUTE } } }),
    );
    await failure(accounts.authenticate({ email: 'bob@example.com', password: PASSWORD }, caller));
    const second = await failure(
      accounts.authenticate({ email: 'BOB@example.com', password: PASSWORD }, caller),
    );
    assert.equal(second.code, 'rate_limited');
  });

  it('a hash made with other argon2 parameters is re-hashed at the next login', async () => {
    const { accounts, stores } = setup();
    const user = await accounts.signup({ email: 'ada@example.com', password: PASSWORD }, caller);
    const old = await hashPassword(PASSWORD, { memoryKiB: 2048, iterations: 1, parallelism: 1 });
    await stores.users.setPasswordHash(user.id, old);
    await accounts.authenticate({ email: 'ada@example.com', password: PASSWORD }, caller);
    const stored = (await stores.users.findById(user.id))?.passwordHash ?? '';
    assert.notEqual(stored, old);
    assert.match(stored, /^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
  });

  it('a hash at the current parameters is left as it is', async () => {
    const { accounts, stores } = setup();
    const user = await accounts.signup({ email: 'ada@example.com', password: PASSWORD }, caller);
    await accounts.authenticate({ email: 'ada@example.com', password: PASSWORD }, caller);
    assert.equal((await stores.users.findById(user.id))?.passwordHash, user.passwordHash);
  });
});

describe('password change', () => {
  it('needs the current password, and a wrong one changes nothing', async () => {
    const { accounts, stores } = setup();
    const user = await accounts.signup({ email: 'ada@example.com', password: PASSWORD }, caller);
    const error = await failure(
      accounts.changePassword(
        user.id,
        { currentPassword: 'not the password', newPassword: 'a brand new passphrase' },
        caller,
      ),
    );
    assert.equal(error.code, 'invalid_credentials');
    assert.equal(error.details.field, 'currentPassword');
    assert.equal((await stores.users.findById(user.id))?.passwordHash, user.passwordHash);
  });

  it('applies the password policy to the new password', async () => {
    const { accounts } = setup();
    const user = await accounts.signup({ email: 'ada@example.com', password: PASSWORD }, caller);
    await assert.rejects(
      accounts.changePassword(user.id, { currentPassword: PASSWORD, newPassword: 'ada' }, caller),
      { code: 'weak_password' },
    );
  });

  it('revokes every session, every refresh family and every access token of the user', async () => {
    const { accounts, clock, stores, sessions, families } = setup();
    const user = await accounts.signup({ email: 'ada@example.com', password: PASSWORD }, caller);
    const { secret } = await sessions.create(user.id, { userAgent: 'test', ip: caller.ip });
    const family = await families.start(user.id, 'tessera', 'account');
    clock.advance(5_000);
    const newPassword = 'a brand new passphrase';
    await accounts.changePassword(user.id, { currentPassword: PASSWORD, newPassword }, caller);
    await assert.rejects(sessions.validate(secret), { code: 'unauthenticated' });
    assert.notEqual((await stores.refreshFamilies.findById(family.family.id))?.revokedAt, null);
    assert.equal((await stores.users.findById(user.id))?.tokensValidAfter, clock.now());
    await accounts.authenticate({ email: 'ada@example.com', password: newPassword }, caller);
    await assert.rejects(
      accounts.authenticate({ email: 'ada@example.com', password: PASSWORD }, caller),
      { code: 'invalid_credentials' },
    );
  });

  it('log out everywhere keeps only the session it is asked to keep', async () => {
    const { accounts, sessions } = setup();
    const user = await accounts.signup({ email: 'ada@example.com', password: PASSWORD }, caller);
    const kept = await sessions.create(user.id, { userAgent: 'kept', ip: caller.ip });
    const other = await sessions.create(user.id, { userAgent: 'other', ip: caller.ip });
    await accounts.revokeEverything(user.id, kept.session.id);
    await sessions.validate(kept.secret);
    await assert.rejects(sessions.validate(other.secret), { code: 'unauthenticated' });
  });
});
