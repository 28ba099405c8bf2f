// The session rules, with a moved clock: a session ends after `idleMs` unused or `absoluteMs`
// after it began, whichever comes first; activity is written at most once per `touchMs`; every
// login gets fresh random ids (no fixation); revocation is deletion, and it reaches the near
// cache at once; while the invalidation channel is down the cache is not trusted.
import { silentAudit } from '../../../src/core/audit/audit-log.js';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/core/clock.js';
import { sha256Hex } from '../../../src/core/random.js';
import { SessionNearCache } from '../../../src/core/sessions/near-cache.js';
import { Sessions } from '../../../src/core/sessions/sessions.js';
import { createMemoryStores } from '../../../src/stores/memory/index.js';
import { HOUR, MINUTE, testPolicy, insertTestUser } from '../policy.js';
import type { InvalidationChannel } from '../../../src/core/sessions/near-cache.js';

const IDLE = 30 * MINUTE;
const ABSOLUTE = 12 * HOUR;
const TOUCH = MINUTE;
const origin = { userAgent: 'Firefox', ip: '203.0.113.7' };

/** A channel whose connection the test switches; it has no other instance to talk to. */
function switchableChannel() {
  const statusListeners: ((connected: boolean) => void)[] = [];
  const state = { connected: true };
  const channel: InvalidationChannel = {
    get connected() {
      return state.connected;
    },
    publish: async () => {},
    subscribe: () => {},
    onStatus: (listener) => void statusListeners.push(listener),
  };
  const set = (connected: boolean) => {
    state.connected = connected;
    for (const listener of statusListeners) listener(connected);
  };
  return { channel, set };
}

async function setup(options: { cache?: SessionNearCache } = {}) {
  const stores = createMemoryStores();
  const clock = new ManualClock();
  const policy = testPolicy({ session: { idleMs: IDLE, absoluteMs: ABSOLUTE, touchMs: TOUCH } });
  const sessions = new Sessions({ stores, clock, policy, audit: silentAudit }, options.cache);
  const userId = await insertTestUser(stores);
  let touches = 0;
  let reads = 0;
  const touch = stores.sessions.touch.bind(stores.sessions);
  stores.sessions.touch = async (...args) => {
    touches += 1;
    return touch(...args);
  };
  const find = stores.sessions.findBySecretHash.bind(stores.sessions);
  stores.sessions.findBySecretHash = async (hash) => {
    reads += 1;
    return find(hash);
  };
  return { stores, clock, sessions, userId, touches: () => touches, reads: () => reads };
}

describe('session creation', () => {
  it('stores only the hash of the secret, with both expiries from the policy', async () => {
    const { clock, sessions, stores, userId } = await setup();
    const { secret, session } = await sessions.create(userId, origin);
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    const stored = (await stores.sessions.listByUser(userId))[0];
    assert.equal(stored?.secretHash, sha256Hex(secret));
    assert.ok(!JSON.stringify(stored).includes(secret));
    assert.equal(session.absoluteExpiresAt, clock.now() + ABSOLUTE);
    assert.equal(sessions.expiresAt(session), clock.now() + IDLE);
    assert.notEqual(session.csrfSecret, '');
  });

  it('every login gets a fresh session id, secret and CSRF secret (no fixation)', async () => {
    const { sessions, userId } = await setup();
    const one = await sessions.create(userId, origin);
    const two = await sessions.create(userId, origin);
    assert.notEqual(one.secret, two.secret);
    assert.notEqual(one.session.id, two.session.id);
    assert.notEqual(one.session.csrfSecret, two.session.csrfSecret);
  });

  it('keeps at most 512 characters of the user agent', async () => {
    const { sessions, userId } = await setup();
    const { session } = await sessions.create(userId, { ...origin, userAgent: 'x'.repeat(5000) });
    assert.equal(session.userAgent.length, 512);
  });
});

describe('session validation', () => {
  it('a secret of the wrong shape is refused without a store read', async () => {
    const { reads, sessions } = await setup();
    for (const secret of ['', 'short', 'a'.repeat(44), `${'a'.repeat(42)}!`]) {
      await assert.rejects(sessions.validate(secret), { code: 'unauthenticated' });
    }
    assert.equal(reads(), 0);
  });

  it('an unknown secret is unauthenticated', async () => {
    const { sessions } = await setup();
    await assert.rejects(sessions.validate('A'.repeat(43)), { code: 'unauthenticated' });
  });

  it('a session unused for the idle time expires, and is deleted', async () => {
    const { clock, sessions, userId } = await setup();
    const { secret } = await sessions.create(userId, origin);
    clock.advance(IDLE - 1);
    await sessions.validate(secret);
    clock.advance(IDLE);
    await assert.rejects(sessions.validate(secret), { code: 'session_expired' });
    await assert.rejects(sessions.validate(secret), { code: 'unauthenticated' });
  });

  it('activity slides the idle expiry', async () => {
    const { clock, sessions, userId } = await setup();
    const { secret } = await sessions.create(userId, origin);
    for (let n = 0; n < 10; n += 1) {
      clock.advance(IDLE - MINUTE);
      await sessions.validate(secret);
    }
  });

  it('the absolute expiry ends a session however active it is', async () => {
    const { clock, sessions, userId } = await setup();
    const { secret } = await sessions.create(userId, origin);
    const started = clock.now();
    while (clock.now() + 10 * MINUTE < started + ABSOLUTE) {
      clock.advance(10 * MINUTE);
      await sessions.validate(secret);
    }
    clock.set(started + ABSOLUTE);
    await assert.rejects(sessions.validate(secret), { code: 'session_expired' });
  });

  it('writes activity at most once per touch interval', async () => {
    const { clock, sessions, touches, userId } = await setup();
    const { secret } = await sessions.create(userId, origin);
    for (let n = 0; n < 5; n += 1) {
      clock.advance(TOUCH / 10);
      await sessions.validate(secret);
    }
    assert.equal(touches(), 0, 'no write inside the first interval');
    clock.advance(TOUCH / 2);
    const { session } = await sessions.validate(secret);
    assert.equal(touches(), 1);
    assert.equal(session.lastSeenAt, clock.now());
    await sessions.validate(secret);
    assert.equal(touches(), 1);
  });

  it('a session whose user is gone is refused and deleted', async () => {
    const { sessions, stores } = await setup();
    const gone = randomUUID();
    const { secret } = await sessions.create(gone, origin);
    await assert.rejects(sessions.validate(secret), { code: 'unauthenticated' });
    assert.deepEqual(await stores.sessions.listByUser(gone), []);
  });
});

describe('listing, revoking and sweeping sessions', () => {
  it('lists only live sessions, newest first', async () => {
    const { clock, sessions, userId } = await setup();
    const old = await sessions.create(userId, origin);
    clock.advance(IDLE);
    const middle = await sessions.create(userId, origin);
    clock.advance(MINUTE);
    const newest = await sessions.create(userId, origin);
    const ids = (await sessions.list(userId)).map((session) => session.id);
    assert.deepEqual(ids, [newest.session.id, middle.session.id]);
    assert.ok(!ids.includes(old.session.id));
  });

  it('a user cannot revoke another user’s session', async () => {
    const { sessions, userId } = await setup();
    const { secret, session } = await sessions.create(userId, origin);
    await assert.rejects(sessions.revoke(randomUUID(), session.id), { code: 'not_found' });
    await sessions.validate(secret);
    await sessions.revoke(userId, session.id);
    await assert.rejects(sessions.validate(secret), { code: 'unauthenticated' });
  });

  it('revoking all sessions but the current one keeps only that one', async () => {
    const { sessions, userId } = await setup();
    const current = await sessions.create(userId, origin);
    const other = await sessions.create(userId, origin);
    assert.equal(await sessions.revokeAll(userId, current.session.id), 1);
    await sessions.validate(current.secret);
    await assert.rejects(sessions.validate(other.secret), { code: 'unauthenticated' });
  });

  it('a sweep deletes sessions past either expiry and keeps live ones', async () => {
    const { clock, sessions, userId } = await setup();
    await sessions.create(userId, origin);
    clock.advance(IDLE);
    const live = await sessions.create(userId, origin);
    assert.equal(await sessions.sweep(), 1);
    await sessions.validate(live.secret);
  });
});

describe('sessions with the near cache', () => {
  it('a revocation on this instance is refused at once, though the session was cached', async () => {
    const { channel } = switchableChannel();
    const { sessions, userId } = await setup({ cache: new SessionNearCache(channel, TOUCH) });
    const { secret, session } = await sessions.create(userId, origin);
    await sessions.validate(secret);
    await sessions.revoke(userId, session.id);
    await assert.rejects(sessions.validate(secret), { code: 'unauthenticated' });
  });

  it('revoking every session of the user empties the cache of them', async () => {
    const { channel } = switchableChannel();
    const { sessions, userId } = await setup({ cache: new SessionNearCache(channel, TOUCH) });
    const one = await sessions.create(userId, origin);
    const two = await sessions.create(userId, origin);
    await sessions.validate(one.secret);
    await sessions.validate(two.secret);
    await sessions.revokeAll(userId);
    await assert.rejects(sessions.validate(one.secret), { code: 'unauthenticated' });
    await assert.rejects(sessions.validate(two.secret), { code: 'unauthenticated' });
  });

  it('a cached session does not outlive its idle expiry or skip a due touch', async () => {
    const { channel } = switchableChannel();
    const { clock, sessions, touches, userId } = await setup({
      cache: new SessionNearCache(channel, TOUCH),
    });
    const { secret } = await sessions.create(userId, origin);
    await sessions.validate(secret);
    clock.advance(TOUCH);
    await sessions.validate(secret);
    assert.equal(touches(), 1);
    clock.advance(IDLE);
    await assert.rejects(sessions.validate(secret), { code: 'session_expired' });
  });

  it('while the invalidation channel is down every check reads the store (fail closed)', async () => {
    const { channel, set } = switchableChannel();
    const { reads, sessions, stores, userId } = await setup({
      cache: new SessionNearCache(channel, TOUCH),
    });
    const { secret, session } = await sessions.create(userId, origin);
    await sessions.validate(secret);
    const cachedReads = reads();
    await sessions.validate(secret);
    assert.equal(reads(), cachedReads, 'served from the cache while connected');
    set(false);
    await sessions.validate(secret);
    await sessions.validate(secret);
    assert.equal(reads(), cachedReads + 2);
    // A deletion this instance never heard about is honoured at once.
    await stores.sessions.deleteForUser(userId, session.id);
    await assert.rejects(sessions.validate(secret), { code: 'unauthenticated' });
  });

  it('after the channel comes back, nothing cached before the outage is served', async () => {
    const { channel, set } = switchableChannel();
    const { sessions, stores, userId } = await setup({
      cache: new SessionNearCache(channel, TOUCH),
    });
    const { secret, session } = await sessions.create(userId, origin);
    await sessions.validate(secret);
    set(false);
    await stores.sessions.deleteForUser(userId, session.id);
    set(true);
    await assert.rejects(sessions.validate(secret), { code: 'unauthenticated' });
  });
});
