/**
 * The server's bearer check keeps the toolkit's revocation state in memory
 * (core/revocation/live-state.ts): while the bus is up and a store read begun after it came up
 * has succeeded, no store is read per check; this instance's revocations count at once, other
 * instances' once the feed reads them; while the bus is down, before the catch-up read, or after
 * a failed read, every check reads the store (fail closed), and the state catches up after.
 */
import { insertTestUser } from '../policy.js';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ManualClock } from '../../../src/core/clock.js';
import { RevocationFeed } from '../../../src/core/revocation/feed.js';
import { LiveRevocations } from '../../../src/core/revocation/live-state.js';
import { Revocations } from '../../../src/core/revocation/revocations.js';
import { SessionNearCache, soloChannel } from '../../../src/core/sessions/near-cache.js';
import { createMemoryStores } from '../../../src/stores/memory/index.js';
import type { RevocationEvent, Stores } from '../../../src/stores/ports.js';

const SKEW_MS = 30_000;
const HORIZON_MS = 10 * 60_000 + SKEW_MS;
/** How long the near cache keeps a user record (the session touch interval in the server). */
const KEEP_USER_MS = 60_000;

/** One instance (live state on) and another writing to the same stores (no live state). */
async function setup() {
  const base = createMemoryStores();
  const clock = new ManualClock(Date.UTC(2026, 10, 30, 12));
  const reads = { revocations: 0, users: 0, feed: 0 };
  let gate: Promise<void> | undefined;
  let failing = false;
  const stores = {
    ...base,
    revocations: {
      ...base.revocations,
      isRevoked: (query: { jti: string; sid?: string }, now: number) => {
        reads.revocations += 1;
        return base.revocations.isRevoked(query, now);
      },
      listSince: async (afterSeq: number, now: number): Promise<RevocationEvent[]> => {
        reads.feed += 1;
        await gate;
        if (failing) throw new Error('store down');
        return base.revocations.listSince(afterSeq, now);
      },
    },
    users: {
      ...base.users,
      findById: (id: string) => {
        reads.users += 1;
        return base.users.findById(id);
      },
    },
  } satisfies Stores;
  const userCache = new SessionNearCache(soloChannel, KEEP_USER_MS);
  const revocations = new Revocations(stores, clock, HORIZON_MS, SKEW_MS, userCache);
  const feed = new RevocationFeed(stores.revocations, clock);
  const live = new LiveRevocations(feed, clock);
  revocations.follow(live);
  revocations.subscribe(() => feed.notify());
  const other = new Revocations(base, clock, HORIZON_MS, SKEW_MS);
  const userId = await insertTestUser(base);
  const seconds = () => Math.floor(clock.now() / 1000);
  const token = (sid = 'sid-1') => ({ jti: randomUUID(), sub: userId, iat: seconds(), sid });
  /** Holds every feed read until the returned function is called. */
  const hold = () => {
    let release = () => {};
    gate = new Promise((resolve) => (release = resolve));
    return () => {
      gate = undefined;
      release();
    };
  };
  const settle = () => sleep(5);
  const fail = (on: boolean) => (failing = on);
  return {
    clock,
    revocations,
    feed,
    live,
    other,
    userId,
    userCache,
    reads,
    token,
    hold,
    settle,
    fail,
  };
}

void describe('live revocation state (the bearer check)', () => {
  void it('reads the store on every check until the bus is up and a read has caught up', async () => {
    const { revocations, live, other, reads, token, hold, settle } = await setup();
    const revoked = token();
    await other.revokeToken(revoked.jti, revoked.iat + 600);
    await assert.rejects(revocations.check(revoked), { code: 'token_revoked' });
    assert.equal(reads.revocations, 1);
    const release = hold();
    live.busStatus(true);
    await settle();
    assert.equal(live.live, false, 'not before the catch-up read has succeeded');
    release();
    await settle();
    assert.equal(live.live, true);
    const before = { ...reads };
    await assert.rejects(revocations.check(revoked), { code: 'token_revoked' });
    await revocations.check(token(), { withUser: false });
    assert.deepEqual(reads, before, 'no store read while live');
  });

  void it('a read begun before the bus came up does not make the state trusted', async () => {
    const { live, feed, hold, settle } = await setup();
    const releaseFirst = hold();
    feed.notify(); // a wake-up while the bus is still down: this read may miss a lost message
    await settle();
    live.busStatus(true);
    releaseFirst();
    const releaseSecond = hold(); // the read that began after 'up'
    await settle();
    assert.equal(live.live, false);
    releaseSecond();
    await settle();
    assert.equal(live.live, true);
  });

  void it("counts this instance's revocations at once, before any feed read", async () => {
    const { revocations, live, reads, token, hold, settle } = await setup();
    live.busStatus(true);
    await settle();
    hold(); // the feed's reads never finish from here on
    const jti = token();
    const sid = token('sid-2');
    await revocations.revokeToken(jti.jti, jti.iat + 600);
    await revocations.revokeSid('sid-2');
    const before = reads.revocations;
    await assert.rejects(revocations.check(jti), { code: 'token_revoked' });
    await assert.rejects(revocations.check(sid), { code: 'token_revoked' });
    assert.equal(reads.revocations, before, 'from memory');
    assert.equal(live.live, true);
  });

  void it("learns other instances' revocations, user cutoffs included, from the feed", async () => {
    const { revocations, feed, live, other, userId, reads, token, clock, settle } = await setup();
    live.busStatus(true);
    await settle();
    const old = token('sid-3');
    clock.advance(5_000);
    await other.revokeUser(userId);
    await other.revokeSid('sid-4');
    // Until the bus message wakes the feed, this instance has not heard (the feed's latency).
    await revocations.check(token('sid-4'), { withUser: false });
    feed.notify(); // what the bus message does (instances.ts)
    await settle();
    const before = { ...reads };
    await assert.rejects(revocations.check(old, { withUser: false }), { code: 'token_revoked' });
    await assert.rejects(revocations.check(token('sid-4'), { withUser: false }), {
      code: 'token_revoked',
    });
    clock.advance(1_000);
    await revocations.check(token('sid-5'), { withUser: false });
    assert.deepEqual(reads, before, 'no revocation or user read');
  });

  void it('the user record, when the caller needs it, is the one read left', async () => {
    const { revocations, live, reads, token, settle } = await setup();
    live.busStatus(true);
    await settle();
    const before = { ...reads };
    const user = await revocations.check(token());
    assert.ok(user);
    assert.deepEqual(reads, { ...before, users: before.users + 1 });
  });

  void it('a kept user record spares that read, until a user invalidation or the bound', async () => {
    const { revocations, live, reads, token, settle, userId, userCache, clock } = await setup();
    live.busStatus(true);
    await settle();
    const before = reads.users;
    await revocations.check(token());
    await revocations.check(token());
    assert.equal(reads.users, before + 1, 'the second check used the kept record');
    await userCache.invalidate({ kind: 'user', userId }); // what a role change sends
    await revocations.check(token());
    assert.equal(reads.users, before + 2, 'read again after the invalidation');
    clock.advance(KEEP_USER_MS);
    await revocations.check(token());
    assert.equal(reads.users, before + 3, 'read again past the bound');
  });

  void it('keeps no user record while the live state is not trusted', async () => {
    const { revocations, reads, token } = await setup();
    const before = reads.users;
    await revocations.check(token());
    await revocations.check(token());
    assert.equal(reads.users, before + 2);
  });

  void it('reads the store while the bus is down, and trusts memory again once caught up', async () => {
    const { revocations, feed, live, other, reads, token, settle } = await setup();
    live.busStatus(true);
    await settle();
    live.busStatus(false);
    const revoked = token();
    // Announced while the bus was down: the message is lost, only the store knows.
    await other.revokeToken(revoked.jti, revoked.iat + 600);
    feed.notify(); // even a wake-up does not make the state trusted while the bus is down
    await settle();
    assert.equal(live.live, false);
    const before = reads.revocations;
    await assert.rejects(revocations.check(revoked), { code: 'token_revoked' });
    assert.equal(reads.revocations, before + 1, 'from the store');
    live.busStatus(true);
    await settle();
    assert.equal(live.live, true);
    await assert.rejects(revocations.check(revoked), { code: 'token_revoked' });
    assert.equal(reads.revocations, before + 1, 'caught up: from memory');
  });

  void it('after a failed read the store decides, until a later read (asked by a check) succeeds', async () => {
    const { revocations, feed, live, other, reads, token, clock, fail, settle } = await setup();
    live.busStatus(true);
    await settle();
    fail(true);
    const revoked = token();
    await other.revokeToken(revoked.jti, revoked.iat + 600);
    feed.notify();
    await settle();
    assert.equal(live.live, false);
    await assert.rejects(revocations.check(revoked), { code: 'token_revoked' });
    fail(false);
    clock.advance(1_000); // a check asks for a catch-up read at most once a second
    await assert.rejects(revocations.check(revoked), { code: 'token_revoked' });
    await settle();
    assert.equal(live.live, true);
    const before = reads.revocations;
    await assert.rejects(revocations.check(revoked), { code: 'token_revoked' });
    assert.equal(reads.revocations, before);
  });
});
