// The audit log's rules: recording never waits for the store nor throws into the caller; events
// carry the clock's time and the request's facts; the writer appends in batches, in order; a full
// queue drops and counts; a failing store keeps its batch for the retry and reports `failing`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuditLog } from '../../../src/core/audit/audit-log.js';
import { ManualClock } from '../../../src/core/clock.js';
import { createMemoryAuditStore } from '../../../src/stores/memory/audit.js';
import type { RequestFacts } from '../../../src/core/audit/context.js';
import type { AuditEvent, AuditStore } from '../../../src/stores/ports.js';

/** A memory audit store that can be made to fail, and that records every batch it was given. */
function flakyStore() {
  const inner = createMemoryAuditStore();
  const batches: AuditEvent[][] = [];
  let failing = false;
  let written: () => void = () => undefined;
  const store: AuditStore = {
    ...inner,
    async append(events) {
      if (failing) throw new Error('disk full');
      batches.push(events);
      await inner.append(events);
      written();
    },
  };
  return {
    store,
    batches,
    setFailing(value: boolean) {
      failing = value;
    },
    /** Resolves at the next successful append. */
    nextWrite: () => new Promise<void>((resolve) => (written = resolve)),
  };
}

const all = { limit: 1000 };

describe('AuditLog', () => {
  it('stamps the clock time and the request facts; the caller can name another actor', async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1));
    const { store } = flakyStore();
    let facts: RequestFacts | undefined = {
      ip: '203.0.113.9',
      userAgent: 'Firefox',
      requestId: 'req-1',
      actorId: 'user-a',
    };
    const log = new AuditLog({ store, clock, context: () => facts });
    log.record('session.revoked', { subjectId: 'user-b', details: { sessionId: 's1' } });
    log.record('client.created', { actorId: 'admin-1' });
    log.record('login.failed', { actorId: null, reason: 'invalid_credentials' });
    facts = undefined;
    log.record('key.rotated', { details: { kid: 'k1', mode: 'planned' } });
    const [key, failed, client, revoked] = await log.list(all);
    assert.deepEqual(
      { ...revoked, id: undefined },
      {
        id: undefined,
        at: Date.UTC(2026, 5, 1),
        kind: 'session.revoked',
        actorId: 'user-a',
        subjectId: 'user-b',
        ip: '203.0.113.9',
        userAgent: 'Firefox',
        requestId: 'req-1',
        reason: null,
        details: { sessionId: 's1' },
      },
    );
    assert.equal(client?.actorId, 'admin-1');
    assert.equal(failed?.actorId, null);
    assert.equal(failed?.reason, 'invalid_credentials');
    // Outside a request (the CLI, the sweep): no facts, no actor.
    assert.deepEqual([key?.ip, key?.actorId, key?.requestId], [null, null, null]);
  });

  it('gives ids that sort like the events within one millisecond and never repeat', async () => {
    const { store } = flakyStore();
    const log = new AuditLog({ store, clock: new ManualClock() });
    for (let i = 0; i < 50; i += 1) log.record('login.succeeded', { details: { n: String(i) } });
    const events = await log.list(all);
    assert.equal(new Set(events.map((event) => event.id)).size, 50);
    assert.deepEqual(
      events.map((event) => event.details.n),
      Array.from({ length: 50 }, (_, i) => String(49 - i)),
    );
  });

  it('returns before anything is written and appends in batches, in order', async () => {
    const flaky = flakyStore();
    const log = new AuditLog({ store: flaky.store, clock: new ManualClock(), batchSize: 3 });
    for (let i = 0; i < 7; i += 1) log.record('login.succeeded', { details: { n: String(i) } });
    assert.equal(flaky.batches.length, 0);
    assert.equal(log.status().queued, 7);
    await log.flush();
    assert.deepEqual(
      flaky.batches.map((batch) => batch.map((event) => event.details.n)),
      [['0', '1', '2'], ['3', '4', '5'], ['6']],
    );
    assert.deepEqual(log.status(), { state: 'ok', queued: 0, dropped: 0 });
  });

  it('writes in the background without a flush', async () => {
    const flaky = flakyStore();
    const log = new AuditLog({ store: flaky.store, clock: new ManualClock(), intervalMs: 1 });
    const written = flaky.nextWrite();
    log.record('user.signed_up', { subjectId: 'u1' });
    await written;
    assert.equal((await flaky.store.list(all)).length, 1);
    await log.close();
  });

  it('drops and counts events beyond the bounded queue, and says it is full', async () => {
    const flaky = flakyStore();
    flaky.setFailing(true);
    const log = new AuditLog({ store: flaky.store, clock: new ManualClock(), maxQueue: 3 });
    for (let i = 0; i < 5; i += 1) log.record('login.failed', { details: { n: String(i) } });
    await log.flush();
    assert.deepEqual(log.status(), {
      state: 'full',
      queued: 3,
      dropped: 2,
      lastError: 'disk full',
    });
    // Every event still counts as recorded (they happened), the dropped ones too.
    assert.equal(log.figures().recorded.get('login.failed'), 5);
    flaky.setFailing(false);
    await log.flush();
    const kept = (await flaky.store.list(all)).map((event) => event.details.n);
    assert.deepEqual(kept, ['2', '1', '0']);
    assert.equal(log.status().state, 'ok');
  });

  it('keeps the batch a failing store refused and writes it once the store is back', async () => {
    const flaky = flakyStore();
    const log = new AuditLog({ store: flaky.store, clock: new ManualClock() });
    flaky.setFailing(true);
    log.record('login.succeeded', { subjectId: 'u1' });
    await log.flush(); // resolves although the store refuses: nothing waits on the audit
    assert.deepEqual(log.status(), {
      state: 'failing',
      queued: 1,
      dropped: 0,
      lastError: 'disk full',
    });
    assert.equal(log.figures().writeFailures, 1);
    log.record('session.created', { subjectId: 'u1' });
    flaky.setFailing(false);
    await log.flush();
    assert.deepEqual(
      (await flaky.store.list(all)).map((event) => event.kind),
      ['session.created', 'login.succeeded'],
    );
    assert.deepEqual(log.status(), { state: 'ok', queued: 0, dropped: 0 });
  });

  it('never throws into the caller, whatever the sink or the context do', async () => {
    const { store } = flakyStore();
    const lines: AuditEvent[] = [];
    const log = new AuditLog({
      store,
      clock: new ManualClock(),
      sink: (event) => {
        lines.push(event);
        throw new Error('log stream closed');
      },
    });
    assert.doesNotThrow(() => log.record('password.changed', { subjectId: 'u1' }));
    assert.equal(lines[0]?.kind, 'password.changed');
    assert.equal((await log.list(all)).length, 1);
    const broken = new AuditLog({
      store,
      clock: new ManualClock(),
      context: () => {
        throw new Error('no context');
      },
    });
    assert.doesNotThrow(() => broken.record('password.changed'));
    assert.equal(broken.status().dropped, 1);
  });
});
