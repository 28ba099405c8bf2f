/**
 * The contract every EventBus adapter keeps (Redis pub/sub, PostgreSQL LISTEN/NOTIFY, SQLite
 * watched table), run by test/stores/bus.test.ts against each: two buses over one backing
 * store stand for two processes of one deployment.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventBus } from '../../src/stores/ports.js';

/** Two processes' buses over one backing store, and how to release them. */
export interface BusPair {
  a: EventBus;
  b: EventBus;
  close(): Promise<void>;
}

/** Collects the messages a handler receives. */
function inbox(): { messages: unknown[]; handler: (message: unknown) => void } {
  const messages: unknown[] = [];
  return { messages, handler: (message) => messages.push(message) };
}

/** Waits (bounded) until `messages` holds `count` messages. */
async function received(messages: unknown[], count: number, what: string): Promise<void> {
  const until = performance.now() + 3000;
  while (messages.length < count) {
    if (performance.now() > until) {
      assert.fail(`${what}: ${messages.length} of ${count} messages within 3 s`);
    }
    await sleep(5);
  }
}

// Longer than the slowest adapter's delivery path (the SQLite watcher checks every 25 ms), so a
// duplicate or a stray message would have arrived by then.
const SETTLE_MS = 500;

/** Runs the contract against the pairs `open` returns. */
export function busContract(name: string, open: () => Promise<BusPair>): void {
  void describe(`event bus contract: ${name}`, { timeout: 30_000 }, () => {
    const withPair = async (run: (pair: BusPair) => Promise<void>) => {
      const pair = await open();
      try {
        await run(pair);
      } finally {
        await pair.close();
      }
    };

    void it('a message published by one process reaches both processes, each exactly once', () =>
      withPair(async ({ a, b }) => {
        const onA = inbox();
        const onB = inbox();
        await a.subscribe('news', onA.handler);
        await b.subscribe('news', onB.handler);
        assert.ok(a.connected && b.connected, 'both report up once subscribed');
        await b.publish('news', { n: 1, text: 'ünïcode "quoted"' });
        await received(onA.messages, 1, 'the other process');
        await received(onB.messages, 1, 'the publishing process');
        await sleep(SETTLE_MS);
        assert.deepEqual(onA.messages, [{ n: 1, text: 'ünïcode "quoted"' }]);
        assert.deepEqual(onB.messages, [{ n: 1, text: 'ünïcode "quoted"' }]);
      }));

    void it('messages arrive in the order they were published, on their own channel only', () =>
      withPair(async ({ a, b }) => {
        const news = inbox();
        const other = inbox();
        await a.subscribe('news', news.handler);
        await a.subscribe('other', other.handler);
        for (let n = 0; n < 20; n += 1) await b.publish('news', { n });
        await received(news.messages, 20, 'twenty messages');
        assert.deepEqual(
          news.messages,
          Array.from({ length: 20 }, (_, n) => ({ n })),
        );
        await sleep(SETTLE_MS);
        assert.deepEqual(other.messages, []);
      }));

    void it('an ended subscription receives nothing more; the others still do', () =>
      withPair(async ({ a, b }) => {
        const ended = inbox();
        const kept = inbox();
        const end = await a.subscribe('news', ended.handler);
        await a.subscribe('news', kept.handler);
        await end();
        await b.publish('news', { n: 1 });
        await received(kept.messages, 1, 'the remaining handler');
        await sleep(SETTLE_MS);
        assert.deepEqual(ended.messages, []);
      }));

    void it('a handler that throws does not keep the message from the others', () =>
      withPair(async ({ a, b }) => {
        const kept = inbox();
        await a.subscribe('news', () => {
          throw new Error('broken handler');
        });
        await a.subscribe('news', kept.handler);
        await b.publish('news', { n: 1 });
        await received(kept.messages, 1, 'the second handler');
      }));

    void it('closing reports down', () =>
      withPair(async ({ a }) => {
        const statuses: string[] = [];
        await a.subscribe('news', () => {});
        a.onStatus((status) => statuses.push(status));
        await a.close();
        assert.equal(a.connected, false);
        assert.deepEqual(statuses, ['down']);
      }));
  });
}
