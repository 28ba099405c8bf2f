/**
 * The one contract every store adapter passes (STYLE.md: one suite per port, run against every
 * adapter). Each test gets fresh stores from `make` and closes them, so tests never see each
 * other's rows, and sweeping or counting tests can assert exact numbers. The token ports' rules
 * live beside it in contract/, one file per port, registered here so there is still one suite.
 */
import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { SessionRecord, Stores, UserRecord } from '../../src/stores/ports.js';
import { createMemoryUserStore } from '../../src/stores/memory/users.js';
import { auditRules } from './contract/audit.js';
import { authorizationCodeRules } from './contract/authorization-codes.js';
import { clientRules } from './contract/clients.js';
import { consentRules } from './contract/consents.js';
import { oneTimeTokenRules } from './contract/one-time-tokens.js';
import { refreshFamilyRules } from './contract/refresh-families.js';
import { revocationRules } from './contract/revocations.js';
import { byId, hour, minute, t0, type Rule } from './contract/rule.js';
import { signingKeyRules } from './contract/signing-keys.js';
import { userAdminRules } from './contract/users-admin.js';

function aUser(overrides: Partial<UserRecord> = {}): UserRecord {
  const id = randomUUID();
  return {
    id,
    email: `${id}@example.com`,
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo',
    createdAt: t0,
    tokensValidAfter: 0,
    role: 'user',
    disabledAt: null,
    emailVerifiedAt: null,
    ...overrides,
  };
}

function aSession(userId: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: randomUUID(),
    secretHash: randomUUID().replaceAll('-', '').repeat(2),
    userId,
    createdAt: t0,
    lastSeenAt: t0,
    absoluteExpiresAt: t0 + 30 * 24 * hour,
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0',
    ip: '203.0.113.7',
    csrfSecret: randomUUID(),
    ...overrides,
  };
}

/** A port of `Stores` the contract has rules for. */
export type Port = Exclude<keyof Stores, 'ping' | 'close'>;

/** Some ports of `Stores` and the life cycle, for an adapter that holds only part of the state. */
export type PartialStores<P extends Port> = Pick<Stores, P | 'ping' | 'close'>;

/** Which ports to check; every port when left out. */
export interface ContractOptions<P extends Port> {
  /** Only these ports' rules run (and the life cycle's); for adapters like Redis. */
  only: readonly P[];
}

/** Registers the store contract for one adapter; `make` returns fresh, empty stores. */
export function storeContract(name: string, make: () => Promise<Stores>): void;
/** Registers the rules of the ports in `options.only` for an adapter that holds only those. */
export function storeContract<P extends Port>(
  name: string,
  make: () => Promise<PartialStores<P>>,
  options: ContractOptions<P>,
): void;
export function storeContract(
  name: string,
  make: () => Promise<PartialStores<never>>,
  options?: ContractOptions<Port>,
): void {
  const covers = (port: Port): boolean => options === undefined || options.only.includes(port);
  // Rules are registered only for covered ports, so no body reaches a port `make` left out.
  const open = make as () => Promise<Stores>;
  const ports = (port: Port, title: string, rules: () => void): void => {
    if (covers(port)) void describe(title, rules);
  };
  // Fresh stores per rule, closed even when the rule fails.
  const rule: Rule = (title, body) => {
    void it(title, async () => {
      const stores = await open();
      try {
        await body(stores);
      } finally {
        await stores.close();
      }
    });
  };

  void describe(`${name} store contract`, () => {
    ports('users', 'users', () => {
      rule('a created user is found by id and by email, exactly as inserted', async ({ users }) => {
        const user = aUser({ createdAt: t0 + 1, tokensValidAfter: t0 - 1 });
        assert.equal(await users.insert(user), 'created');
        assert.deepEqual(await users.findById(user.id), user);
        assert.deepEqual(await users.findByEmail(user.email), user);
      });

      rule(
        'a second sign-up with a taken email is refused and changes nothing',
        async ({ users }) => {
          const first = aUser();
          const second = aUser({ email: first.email, passwordHash: 'other' });
          assert.equal(await users.insert(first), 'created');
          assert.equal(await users.insert(second), 'email_taken');
          assert.deepEqual(await users.findByEmail(first.email), first);
          assert.equal(await users.findById(second.id), undefined);
        },
      );

      rule('concurrent sign-ups with one email create exactly one user', async ({ users }) => {
        const email = `${randomUUID()}@example.com`;
        const attempts = Array.from({ length: 20 }, () => aUser({ email }));
        const outcomes = await Promise.all(attempts.map((user) => users.insert(user)));
        assert.equal(outcomes.filter((outcome) => outcome === 'created').length, 1);
        assert.equal(outcomes.filter((outcome) => outcome === 'email_taken').length, 19);
        const winner = attempts[outcomes.indexOf('created')];
        assert.deepEqual(await users.findByEmail(email), winner);
      });

      rule('a user id is never reused: inserting a taken id fails', async ({ users }) => {
        const user = aUser();
        await users.insert(user);
        await assert.rejects(users.insert(aUser({ id: user.id })));
        assert.deepEqual(await users.findById(user.id), user);
      });

      rule('unknown ids and emails find nothing', async ({ users }) => {
        await users.insert(aUser());
        assert.equal(await users.findById(randomUUID()), undefined);
        assert.equal(await users.findByEmail('nobody@example.com'), undefined);
      });

      rule('a password change replaces the hash of that user only', async ({ users }) => {
        const user = aUser();
        const other = aUser();
        await users.insert(user);
        await users.insert(other);
        assert.equal(await users.setPasswordHash(user.id, 'new-hash'), true);
        assert.deepEqual(await users.findById(user.id), { ...user, passwordHash: 'new-hash' });
        assert.deepEqual(await users.findById(other.id), other);
      });

      rule(
        'changing the password of an unknown user reports false and creates nothing',
        async ({ users }) => {
          const id = randomUUID();
          assert.equal(await users.setPasswordHash(id, 'new-hash'), false);
          assert.equal(await users.findById(id), undefined);
        },
      );

      rule('the token cutoff only moves forward', async ({ users }) => {
        const user = aUser({ tokensValidAfter: t0 });
        await users.insert(user);
        assert.equal(await users.setTokensValidAfter(user.id, t0 + hour), true);
        assert.equal((await users.findById(user.id))?.tokensValidAfter, t0 + hour);
        // An older cutoff arriving late must not revive the credentials revoked since.
        assert.equal(await users.setTokensValidAfter(user.id, t0 + minute), true);
        assert.equal((await users.findById(user.id))?.tokensValidAfter, t0 + hour);
        assert.equal(await users.setTokensValidAfter(user.id, t0 + hour), true);
        assert.equal((await users.findById(user.id))?.tokensValidAfter, t0 + hour);
      });

      rule('raising the cutoff of an unknown user reports false', async ({ users }) => {
        assert.equal(await users.setTokensValidAfter(randomUUID(), t0), false);
      });

      rule('times are kept to the millisecond up to the largest Date', async ({ users }) => {
        const latest = 8.64e15;
        const user = aUser({ createdAt: t0 + 123, tokensValidAfter: latest });
        await users.insert(user);
        const found = await users.findById(user.id);
        assert.equal(found?.createdAt, t0 + 123);
        assert.equal(found?.tokensValidAfter, latest);
        assert.equal(typeof found?.tokensValidAfter, 'number');
      });

      rule('a returned user is a copy: editing it does not change the store', async ({ users }) => {
        const user = aUser();
        await users.insert(user);
        user.passwordHash = 'edited after insert';
        const found = await users.findById(user.id);
        assert.ok(found);
        found.tokensValidAfter = t0 + hour;
        const again = await users.findById(user.id);
        assert.notEqual(again?.passwordHash, 'edited after insert');
        assert.equal(again?.tokensValidAfter, 0);
      });
    });

    ports('sessions', 'sessions', () => {
      rule(
        'a session is found by the hash of its secret, exactly as inserted',
        async ({ sessions }) => {
          const session = aSession(randomUUID(), { lastSeenAt: t0 + 5, createdAt: t0 + 1 });
          await sessions.insert(session);
          assert.deepEqual(await sessions.findBySecretHash(session.secretHash), session);
        },
      );

      rule('an unknown secret hash finds no session', async ({ sessions }) => {
        await sessions.insert(aSession(randomUUID()));
        assert.equal(await sessions.findBySecretHash('0'.repeat(64)), undefined);
      });

      // The uncached session check's one round trip (a JOIN on SQL; Redis reads the user store).
      rule(
        'a session is found with its user in one call, both exactly as stored',
        async (stores) => {
          const users = (stores as Partial<Stores>).users ?? createMemoryUserStore();
          const user = aUser({ tokensValidAfter: t0 + 5, disabledAt: t0 + 7 });
          await users.insert(user);
          const session = aSession(user.id);
          await stores.sessions.insert(session);
          await stores.sessions.insert(aSession(user.id));
          assert.deepEqual(
            await stores.sessions.findBySecretHashWithUser(session.secretHash, users),
            { session, user },
          );
        },
      );

      rule('a session whose user is gone is found without a user', async (stores) => {
        const users = (stores as Partial<Stores>).users ?? createMemoryUserStore();
        const session = aSession(randomUUID());
        await stores.sessions.insert(session);
        assert.deepEqual(
          await stores.sessions.findBySecretHashWithUser(session.secretHash, users),
          {
            session,
            user: undefined,
          },
        );
        assert.equal(
          await stores.sessions.findBySecretHashWithUser('0'.repeat(64), users),
          undefined,
        );
      });

      rule('two sessions can never share a secret hash', async ({ sessions }) => {
        const first = aSession(randomUUID());
        await sessions.insert(first);
        await assert.rejects(
          sessions.insert(aSession(randomUUID(), { secretHash: first.secretHash })),
        );
        assert.deepEqual(await sessions.findBySecretHash(first.secretHash), first);
      });

      rule('a session id is never reused: inserting a taken id fails', async ({ sessions }) => {
        const first = aSession(randomUUID());
        await sessions.insert(first);
        await assert.rejects(sessions.insert(aSession(first.userId, { id: first.id })));
        assert.deepEqual(await sessions.listByUser(first.userId), [first]);
      });

      rule('touch records the last activity of that session only', async ({ sessions }) => {
        const session = aSession(randomUUID());
        const other = aSession(session.userId);
        await sessions.insert(session);
        await sessions.insert(other);
        await sessions.touch(session.userId, session.id, t0 + minute);
        assert.deepEqual(await sessions.findBySecretHash(session.secretHash), {
          ...session,
          lastSeenAt: t0 + minute,
        });
        assert.deepEqual(await sessions.findBySecretHash(other.secretHash), other);
      });

      rule('touch never moves the last activity backwards', async ({ sessions }) => {
        const session = aSession(randomUUID(), { lastSeenAt: t0 });
        await sessions.insert(session);
        await sessions.touch(session.userId, session.id, t0 + 2 * minute);
        // A slower request that began earlier finishes last.
        await sessions.touch(session.userId, session.id, t0 + minute);
        await sessions.touch(session.userId, session.id, t0 - hour);
        assert.equal(
          (await sessions.findBySecretHash(session.secretHash))?.lastSeenAt,
          t0 + 2 * minute,
        );
        assert.equal(await sessions.deleteExpired(t0 + 31 * minute, 30 * minute), 0);
      });

      rule('touching a session that is gone does nothing', async ({ sessions }) => {
        const userId = randomUUID();
        await sessions.touch(userId, randomUUID(), t0);
        assert.deepEqual(await sessions.listByUser(userId), []);
      });

      rule("touch naming another user's session does nothing", async ({ sessions }) => {
        const session = aSession(randomUUID());
        await sessions.insert(session);
        await sessions.touch(randomUUID(), session.id, t0 + minute);
        assert.deepEqual(await sessions.findBySecretHash(session.secretHash), session);
      });

      rule("a user's list holds their sessions and no one else's", async ({ sessions }) => {
        const userId = randomUUID();
        const mine = [aSession(userId), aSession(userId, { createdAt: t0 + 1 })];
        const theirs = aSession(randomUUID());
        for (const session of [...mine, theirs]) await sessions.insert(session);
        const listed = await sessions.listByUser(userId);
        assert.deepEqual([...listed].sort(byId), [...mine].sort(byId));
        assert.deepEqual(await sessions.listByUser(randomUUID()), []);
      });

      rule("a user cannot revoke another user's session", async ({ sessions }) => {
        const owner = randomUUID();
        const session = aSession(owner);
        await sessions.insert(session);
        assert.equal(await sessions.deleteForUser(randomUUID(), session.id), false);
        assert.deepEqual(await sessions.findBySecretHash(session.secretHash), session);
        assert.equal(await sessions.deleteForUser(owner, session.id), true);
        assert.equal(await sessions.findBySecretHash(session.secretHash), undefined);
        assert.equal(await sessions.deleteForUser(owner, session.id), false);
      });

      rule('revoking an unknown session reports false', async ({ sessions }) => {
        assert.equal(await sessions.deleteForUser(randomUUID(), randomUUID()), false);
      });

      rule(
        "log out everywhere ends every session of the user and no one else's",
        async ({ sessions }) => {
          const userId = randomUUID();
          const theirs = aSession(randomUUID());
          for (const session of [aSession(userId), aSession(userId), aSession(userId), theirs]) {
            await sessions.insert(session);
          }
          assert.equal(await sessions.deleteAllForUser(userId), 3);
          assert.deepEqual(await sessions.listByUser(userId), []);
          assert.deepEqual(await sessions.listByUser(theirs.userId), [theirs]);
        },
      );

      rule('log out everywhere else keeps the current session', async ({ sessions }) => {
        const userId = randomUUID();
        const current = aSession(userId);
        for (const session of [current, aSession(userId), aSession(userId)]) {
          await sessions.insert(session);
        }
        assert.equal(await sessions.deleteAllForUser(userId, current.id), 2);
        assert.deepEqual(await sessions.listByUser(userId), [current]);
      });

      rule(
        "an exceptId of someone else's session spares none of the user's sessions",
        async ({ sessions }) => {
          const userId = randomUUID();
          const theirs = aSession(randomUUID());
          await sessions.insert(theirs);
          await sessions.insert(aSession(userId));
          await sessions.insert(aSession(userId));
          assert.equal(await sessions.deleteAllForUser(userId, theirs.id), 2);
          assert.deepEqual(await sessions.listByUser(theirs.userId), [theirs]);
        },
      );

      rule('log out everywhere for a user without sessions ends none', async ({ sessions }) => {
        await sessions.insert(aSession(randomUUID()));
        assert.equal(await sessions.deleteAllForUser(randomUUID()), 0);
        assert.equal(await sessions.deleteAllForUser(randomUUID(), randomUUID()), 0);
      });

      rule('the sweep removes sessions at or past their absolute expiry', async ({ sessions }) => {
        const now = t0 + 10 * hour;
        const userId = randomUUID();
        const idleMs = 24 * hour;
        const past = aSession(userId, { absoluteExpiresAt: now - 1, lastSeenAt: now });
        const atNow = aSession(userId, { absoluteExpiresAt: now, lastSeenAt: now });
        const future = aSession(userId, { absoluteExpiresAt: now + 1, lastSeenAt: now });
        for (const session of [past, atNow, future]) await sessions.insert(session);
        assert.equal(await sessions.deleteExpired(now, idleMs), 2);
        assert.deepEqual(await sessions.listByUser(userId), [future]);
      });

      rule('the sweep removes sessions idle for idleMs or longer', async ({ sessions }) => {
        const now = t0 + 10 * hour;
        const userId = randomUUID();
        const idleMs = 30 * minute;
        const far = now + 24 * hour;
        const stale = aSession(userId, { lastSeenAt: now - idleMs - 1, absoluteExpiresAt: far });
        const justIdle = aSession(userId, { lastSeenAt: now - idleMs, absoluteExpiresAt: far });
        const active = aSession(userId, { lastSeenAt: now - idleMs + 1, absoluteExpiresAt: far });
        for (const session of [stale, justIdle, active]) await sessions.insert(session);
        assert.equal(await sessions.deleteExpired(now, idleMs), 2);
        assert.deepEqual(await sessions.listByUser(userId), [active]);
        assert.equal(await sessions.deleteExpired(now, idleMs), 0);
      });

      rule('a touched session is not swept as idle', async ({ sessions }) => {
        const session = aSession(randomUUID(), { lastSeenAt: t0 });
        await sessions.insert(session);
        await sessions.touch(session.userId, session.id, t0 + 50 * minute);
        assert.equal(await sessions.deleteExpired(t0 + hour, 30 * minute), 0);
        assert.equal(await sessions.deleteExpired(t0 + 80 * minute, 30 * minute), 1);
      });

      rule(
        'a returned session is a copy: editing it does not change the store',
        async ({ sessions }) => {
          const session = aSession(randomUUID());
          await sessions.insert(session);
          session.userId = 'edited after insert';
          const found = await sessions.findBySecretHash(session.secretHash);
          assert.ok(found);
          found.absoluteExpiresAt = Number.MAX_SAFE_INTEGER;
          const [listed] = await sessions.listByUser(found.userId);
          assert.ok(listed);
          assert.notEqual(listed.absoluteExpiresAt, Number.MAX_SAFE_INTEGER);
        },
      );
    });

    ports('rateLimits', 'rate limits', () => {
      rule('the first hit opens a window of windowMs', async ({ rateLimits }) => {
        assert.deepEqual(await rateLimits.hit('login:ip:203.0.113.7', minute, t0), {
          count: 1,
          resetAt: t0 + minute,
        });
      });

      rule('hits inside the window count up and keep its end', async ({ rateLimits }) => {
        const key = 'login:email:a@example.com';
        await rateLimits.hit(key, minute, t0);
        assert.deepEqual(await rateLimits.hit(key, minute, t0 + 1), {
          count: 2,
          resetAt: t0 + minute,
        });
        assert.deepEqual(await rateLimits.hit(key, minute, t0 + minute - 1), {
          count: 3,
          resetAt: t0 + minute,
        });
      });

      rule('a hit at or after resetAt starts a new window', async ({ rateLimits }) => {
        const key = 'signup:ip:198.51.100.1';
        await rateLimits.hit(key, minute, t0);
        await rateLimits.hit(key, minute, t0 + 1);
        assert.deepEqual(await rateLimits.hit(key, minute, t0 + minute), {
          count: 1,
          resetAt: t0 + 2 * minute,
        });
        assert.deepEqual(await rateLimits.hit(key, minute, t0 + 5 * minute), {
          count: 1,
          resetAt: t0 + 6 * minute,
        });
      });

      rule('each key is counted on its own', async ({ rateLimits }) => {
        await rateLimits.hit('a', minute, t0);
        await rateLimits.hit('a', minute, t0);
        assert.deepEqual(await rateLimits.hit('b', hour, t0 + 1), {
          count: 1,
          resetAt: t0 + 1 + hour,
        });
        assert.equal((await rateLimits.hit('a', minute, t0 + 2)).count, 3);
      });

      rule('concurrent hits on one key are each counted exactly once', async ({ rateLimits }) => {
        const hits = await Promise.all(
          Array.from({ length: 50 }, () => rateLimits.hit('burst', minute, t0)),
        );
        const counts = hits.map((hit) => hit.count).sort((a, b) => a - b);
        assert.deepEqual(
          counts,
          Array.from({ length: 50 }, (_, index) => index + 1),
        );
        assert.ok(hits.every((hit) => hit.resetAt === t0 + minute));
      });

      rule('reset forgets the key and no other', async ({ rateLimits }) => {
        await rateLimits.hit('forgotten', minute, t0);
        await rateLimits.hit('forgotten', minute, t0);
        await rateLimits.hit('kept', minute, t0);
        await rateLimits.reset('forgotten');
        await rateLimits.reset('never-seen');
        assert.deepEqual(await rateLimits.hit('forgotten', minute, t0 + 1), {
          count: 1,
          resetAt: t0 + 1 + minute,
        });
        assert.equal((await rateLimits.hit('kept', minute, t0 + 1)).count, 2);
      });

      rule('the sweep deletes counters whose window has ended', async ({ rateLimits }) => {
        await rateLimits.hit('ended', minute, t0 - minute);
        await rateLimits.hit('ends-now', minute, t0);
        await rateLimits.hit('running', hour, t0);
        await rateLimits.hit('running', hour, t0);
        assert.equal(await rateLimits.deleteExpired(t0 + minute - 1), 1);
        assert.equal(await rateLimits.deleteExpired(t0 + minute), 1);
        assert.equal(await rateLimits.deleteExpired(t0 + minute), 0);
        // A sweep must not reset a window that is still running.
        assert.deepEqual(await rateLimits.hit('running', hour, t0 + minute), {
          count: 3,
          resetAt: t0 + hour,
        });
      });
    });

    ports('signingKeys', 'signing keys', () => signingKeyRules(rule));
    ports('clients', 'clients', () => clientRules(rule));
    ports('refreshFamilies', 'refresh families', () => refreshFamilyRules(rule));
    ports('revocations', 'revocations', () => revocationRules(rule));
    ports('consents', 'consents', () => consentRules(rule));
    ports('authorizationCodes', 'authorization codes', () => authorizationCodeRules(rule));
    ports('users', 'users: roles, disabling, verification, search', () => userAdminRules(rule));
    ports('audit', 'audit', () => auditRules(rule));
    ports('oneTimeTokens', 'one-time tokens', () => oneTimeTokenRules(rule));

    void describe('life cycle', () => {
      rule('ping answers while the stores are open', async (stores) => {
        await stores.ping();
      });
    });
  });
}
