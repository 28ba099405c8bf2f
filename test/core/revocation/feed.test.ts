/**
 * The revocation feed reads the store once per wake-up, whatever the number of open streams,
 * and pushes the new events to every one of them (core/revocation/feed.ts).
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ManualClock } from '../../../src/core/clock.js';
import { RevocationFeed } from '../../../src/core/revocation/feed.js';
import { createMemoryRevocationStore } from '../../../src/stores/memory/revocations.js';
import type { RevocationEvent, RevocationStore } from '../../../src/stores/ports.js';

const t0 = Date.UTC(2026, 10, 30);

/** A memory store that counts feed reads, and can be made to fail them. */
function countingStore(): {
  store: RevocationStore;
  reads: () => number;
  fail: (on: boolean) => void;
} {
  const inner = createMemoryRevocationStore();
  let reads = 0;
  let failing = false;
  const store: RevocationStore = {
    ...inner,
    async listSince(afterSeq, now) {
      reads += 1;
      await sleep(1);
      if (failing) throw new Error('store down');
      return inner.listSince(afterSeq, now);
    },
  };
  return { store, reads: () => reads, fail: (on) => (failing = on) };
}

function revoke(store: RevocationStore, value: string): Promise<RevocationEvent> {
  return store.add({ kind: 'jti', value, at: t0, expiresAt: t0 + 60_000 });
}

void describe('revocation feed', () => {
  void it('one store read per wake-up feeds every open stream, however many there are', async () => {
    const { store, reads } = countingStore();
    const feed = new RevocationFeed(store, new ManualClock(t0));
    const seen = Array.from({ length: 200 }, () => [] as number[]);
    for (const events of seen) {
      feed.subscribe({
        events: (batch) => events.push(...batch.map((e) => e.seq)),
        failed: () => {},
      });
    }
    await revoke(store, 'a');
    feed.notify();
    await sleep(20);
    assert.equal(reads(), 1);
    await revoke(store, 'b');
    // A burst of wake-ups during one read costs one more read, not one per wake-up.
    feed.notify();
    feed.notify();
    feed.notify();
    await sleep(20);
    assert.ok(reads() <= 3, `${reads()} reads`);
    for (const events of seen) assert.deepEqual([...new Set(events)], [1, 2]);
  });

  void it('with no open stream a wake-up reads nothing', async () => {
    const { store, reads } = countingStore();
    const feed = new RevocationFeed(store, new ManualClock(t0));
    await revoke(store, 'a');
    feed.notify();
    await sleep(10);
    assert.equal(reads(), 0);
  });

  void it('a failed read ends every stream (readers resume with Last-Event-ID); the next wake-up reads again', async () => {
    const { store, fail } = countingStore();
    const feed = new RevocationFeed(store, new ManualClock(t0));
    const failures: unknown[] = [];
    const events: number[] = [];
    feed.subscribe({
      events: (batch) => events.push(...batch.map((e) => e.seq)),
      failed: (e) => failures.push(e),
    });
    feed.subscribe({ events: () => {}, failed: (e) => failures.push(e) });
    fail(true);
    await revoke(store, 'a');
    feed.notify();
    await sleep(10);
    assert.equal(failures.length, 2);
    fail(false);
    feed.notify();
    await sleep(10);
    assert.deepEqual(events, [1]);
  });
});
