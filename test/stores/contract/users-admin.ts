import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { UserRecord } from '../../../src/stores/ports.js';
import { t0, type Rule } from './rule.js';

function aUser(email: string, overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    id: randomUUID(),
    email,
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo',
    createdAt: t0,
    tokensValidAfter: 0,
    role: 'user',
    disabledAt: null,
    emailVerifiedAt: null,
    ...overrides,
  };
}

const emailsOf = (users: UserRecord[]): string[] => users.map((user) => user.email);

/** The UserStore rules of account administration: roles, disabling, verification, search. */
export function userAdminRules(rule: Rule): void {
  rule('role, disabled and verified times are stored as inserted', async ({ users }) => {
    const admin = aUser('root@example.com', {
      role: 'admin',
      disabledAt: t0 + 1,
      emailVerifiedAt: t0 + 2,
    });
    const plain = aUser('plain@example.com');
    await users.insert(admin);
    await users.insert(plain);
    assert.deepEqual(await users.findById(admin.id), admin);
    assert.deepEqual(await users.findByEmail(plain.email), plain);
  });

  rule(
    'setRole, setDisabledAt and setEmailVerifiedAt change only that field',
    async ({ users }) => {
      const user = aUser('change@example.com');
      const other = aUser('other@example.com');
      await users.insert(user);
      await users.insert(other);
      assert.equal(await users.setRole(user.id, 'admin'), true);
      assert.equal(await users.setDisabledAt(user.id, t0 + 5), true);
      assert.equal(await users.setEmailVerifiedAt(user.id, t0 + 6), true);
      const changed = {
        ...user,
        role: 'admin' as const,
        disabledAt: t0 + 5,
        emailVerifiedAt: t0 + 6,
      };
      assert.deepEqual(await users.findById(user.id), changed);
      assert.deepEqual(await users.findById(other.id), other);
      // Enabling again and un-verifying (an email change) store null.
      assert.equal(await users.setDisabledAt(user.id, null), true);
      assert.equal(await users.setEmailVerifiedAt(user.id, null), true);
      assert.equal(await users.setRole(user.id, 'user'), true);
      assert.deepEqual(await users.findById(user.id), user);
    },
  );

  rule('changing or deleting an unknown user answers false', async ({ users }) => {
    const ghost = randomUUID();
    assert.equal(await users.setRole(ghost, 'admin'), false);
    assert.equal(await users.setDisabledAt(ghost, t0), false);
    assert.equal(await users.setEmailVerifiedAt(ghost, t0), false);
    assert.equal(await users.delete(ghost), false);
    assert.equal(await users.findById(ghost), undefined);
  });

  rule('a deleted user is gone, and their email is free again', async ({ users }) => {
    const user = aUser('gone@example.com');
    const kept = aUser('kept@example.com');
    await users.insert(user);
    await users.insert(kept);
    assert.equal(await users.delete(user.id), true);
    assert.equal(await users.delete(user.id), false);
    assert.equal(await users.findById(user.id), undefined);
    assert.equal(await users.findByEmail(user.email), undefined);
    assert.equal(await users.count(), 1);
    assert.equal(await users.insert(aUser('gone@example.com')), 'created');
    assert.deepEqual(await users.findById(kept.id), kept);
  });

  rule('count counts every user', async ({ users }) => {
    assert.equal(await users.count(), 0);
    for (const n of [1, 2, 3]) await users.insert(aUser(`u${n}@example.com`));
    await users.insert(aUser('u1@example.com'));
    assert.equal(await users.count(), 3);
  });

  rule('search lists users in byte order of email, a page at a time', async ({ users }) => {
    // Byte order, not dictionary order: '-' < '.' < '0' < '@' < '_' < 'a'.
    const emails = [
      'b@example.com',
      'a_b@x.io',
      'a.b@x.io',
      'a-b@x.io',
      'a0@x.io',
      'a@x.io',
      'ab@x.io',
    ];
    for (const email of emails) await users.insert(aUser(email));
    const all = [...emails].sort();
    assert.deepEqual(emailsOf(await users.search({ limit: 50 })), all);
    const first = await users.search({ limit: 3 });
    assert.deepEqual(emailsOf(first), all.slice(0, 3));
    const second = await users.search({ limit: 3, after: first.at(-1)?.email ?? '' });
    assert.deepEqual(emailsOf(second), all.slice(3, 6));
    const last = await users.search({ limit: 3, after: second.at(-1)?.email ?? '' });
    assert.deepEqual(emailsOf(last), all.slice(6));
    assert.deepEqual(await users.search({ limit: 3, after: all.at(-1) ?? '' }), []);
    // Full records, not just emails.
    const [one] = await users.search({ emailPrefix: 'b@', limit: 1 });
    assert.deepEqual(one, await users.findByEmail('b@example.com'));
  });

  rule(
    'search by prefix finds exactly the emails starting with it, whatever its case',
    async ({ users }) => {
      const emails = [
        'ann@example.com',
        'anna@example.com',
        'annb@x.io',
        'ano@x.io',
        'an@x.io',
        'bob@ann.io',
      ];
      for (const email of emails) await users.insert(aUser(email));
      assert.deepEqual(emailsOf(await users.search({ emailPrefix: 'ann', limit: 50 })), [
        'ann@example.com',
        'anna@example.com',
        'annb@x.io',
      ]);
      assert.deepEqual(
        emailsOf(await users.search({ emailPrefix: 'ANN', limit: 50 })),
        emailsOf(await users.search({ emailPrefix: 'ann', limit: 50 })),
      );
      assert.deepEqual(emailsOf(await users.search({ emailPrefix: 'an', limit: 2 })), [
        'an@x.io',
        'ann@example.com',
      ]);
      // The cursor and the prefix together: the next page of the same search.
      assert.deepEqual(
        emailsOf(await users.search({ emailPrefix: 'ann', after: 'ann@example.com', limit: 50 })),
        ['anna@example.com', 'annb@x.io'],
      );
      assert.deepEqual(await users.search({ emailPrefix: 'zz', limit: 50 }), []);
      // An exact email is a prefix of itself; a prefix ending in the last ASCII letter still works.
      assert.deepEqual(emailsOf(await users.search({ emailPrefix: 'an@x.io', limit: 50 })), [
        'an@x.io',
      ]);
      await users.insert(aUser('z@x.io'));
      await users.insert(aUser('zz{@x.io'));
      assert.deepEqual(emailsOf(await users.search({ emailPrefix: 'z', limit: 50 })), [
        'z@x.io',
        'zz{@x.io',
      ]);
    },
  );

  rule('search returns at most 1000 users, and none for a limit of 0', async ({ users }) => {
    const n = 1003;
    for (let start = 0; start < n; start += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, n - start) }, (_, k) =>
          users.insert(aUser(`user${String(start + k).padStart(5, '0')}@example.com`)),
        ),
      );
    }
    assert.equal((await users.search({ limit: 5000 })).length, 1000);
    assert.deepEqual(await users.search({ limit: 0 }), []);
  });
}
