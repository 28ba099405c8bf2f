import * as assert from 'node:assert/strict';
import type { AuditEvent } from '../../../src/stores/ports.js';
import { minute, t0, type Rule } from './rule.js';

let counter = 0;

/** Ids increase with `at` in one process, as the audit log's time-ordered ids do. */
function anEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  counter += 1;
  return {
    id: `evt_${String(counter).padStart(8, '0')}`,
    at: t0,
    kind: 'login.succeeded',
    actorId: 'user-a',
    subjectId: 'user-a',
    ip: '203.0.113.7',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0',
    requestId: 'req-1',
    reason: null,
    details: {},
    ...overrides,
  };
}

const idsOf = (events: AuditEvent[]): string[] => events.map((event) => event.id);

/** Newest first, as the port orders them: at descending, then id descending. */
function newestFirst(events: AuditEvent[]): string[] {
  return idsOf([...events].sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1)));
}

/** The AuditStore part of the contract. */
export function auditRules(rule: Rule): void {
  rule('an appended event is listed exactly as appended', async ({ audit }) => {
    const full = anEvent({
      kind: 'user.disabled',
      actorId: 'admin-1',
      subjectId: 'user-b',
      reason: 'abuse',
      details: { sessionId: 's1', clientId: 'billing' },
    });
    const bare = anEvent({
      at: t0 - 1,
      actorId: null,
      subjectId: null,
      ip: null,
      userAgent: null,
      requestId: null,
    });
    await audit.append([full, bare]);
    await audit.append([]);
    assert.deepEqual(await audit.list({ limit: 10 }), [full, bare]);
  });

  rule('list is newest first, ties in time ordered by id descending', async ({ audit }) => {
    const events = [
      anEvent({ at: t0 + 2 }),
      anEvent({ at: t0 }),
      anEvent({ at: t0 + 1 }),
      anEvent({ at: t0 + 1 }),
      anEvent({ at: t0 + 1 }),
      anEvent({ at: t0 + 3 }),
    ];
    // Appended out of order, in two batches: the order comes from (at, id), not insertion.
    await audit.append(events.slice(3));
    await audit.append(events.slice(0, 3));
    assert.deepEqual(idsOf(await audit.list({ limit: 100 })), newestFirst(events));
  });

  rule(
    'paging with the before cursor visits every event once, even inside one instant',
    async ({ audit }) => {
      const events = Array.from({ length: 23 }, (_, n) => anEvent({ at: t0 + Math.floor(n / 5) }));
      await audit.append(events);
      const seen: string[] = [];
      let before: { at: number; id: string } | undefined;
      for (;;) {
        const page = await audit.list({ limit: 4, ...(before ? { before } : {}) });
        if (page.length === 0) break;
        seen.push(...idsOf(page));
        const last = page.at(-1);
        if (!last) break;
        before = { at: last.at, id: last.id };
      }
      assert.deepEqual(seen, newestFirst(events));
    },
  );

  rule('list filters by subject, actor, kinds and since, together', async ({ audit }) => {
    const a = anEvent({ subjectId: 'u1', actorId: 'u1', kind: 'login.succeeded', at: t0 });
    const b = anEvent({
      subjectId: 'u1',
      actorId: 'admin',
      kind: 'user.disabled',
      at: t0 + minute,
    });
    const c = anEvent({
      subjectId: 'u2',
      actorId: 'admin',
      kind: 'user.disabled',
      at: t0 + 2 * minute,
    });
    const d = anEvent({
      subjectId: 'u2',
      actorId: 'u2',
      kind: 'login.failed',
      at: t0 + 3 * minute,
    });
    const e = anEvent({
      subjectId: null,
      actorId: 'admin',
      kind: 'key.rotated',
      at: t0 + 4 * minute,
    });
    await audit.append([a, b, c, d, e]);
    const list = async (query: Omit<Parameters<typeof audit.list>[0], 'limit'>) =>
      idsOf(await audit.list({ limit: 100, ...query }));
    assert.deepEqual(await list({ subjectId: 'u1' }), [b.id, a.id]);
    assert.deepEqual(await list({ actorId: 'admin' }), [e.id, c.id, b.id]);
    assert.deepEqual(await list({ kinds: ['user.disabled', 'login.failed'] }), [d.id, c.id, b.id]);
    assert.deepEqual(await list({ kinds: [] }), []);
    assert.deepEqual(await list({ since: t0 + 2 * minute }), [e.id, d.id, c.id]);
    assert.deepEqual(await list({ actorId: 'admin', subjectId: 'u2' }), [c.id]);
    assert.deepEqual(
      await list({
        actorId: 'admin',
        kinds: ['user.disabled'],
        since: t0 + minute,
        before: { at: c.at, id: c.id },
      }),
      [b.id],
    );
    assert.deepEqual(await list({ subjectId: 'nobody' }), []);
  });

  rule('list returns at most the limit, and at most 1000', async ({ audit }) => {
    await audit.append(Array.from({ length: 1003 }, (_, n) => anEvent({ at: t0 + n })));
    assert.equal((await audit.list({ limit: 7 })).length, 7);
    assert.equal((await audit.list({ limit: 5000 })).length, 1000);
    assert.deepEqual(await audit.list({ limit: 0 }), []);
  });

  rule('deleteBefore deletes events older than the instant, and only those', async ({ audit }) => {
    const old = anEvent({ at: t0 - 1 });
    const boundary = anEvent({ at: t0 });
    const recent = anEvent({ at: t0 + 1 });
    await audit.append([old, boundary, recent]);
    assert.equal(await audit.deleteBefore(t0), 1);
    assert.equal(await audit.deleteBefore(t0), 0);
    assert.deepEqual(idsOf(await audit.list({ limit: 10 })), [recent.id, boundary.id]);
  });

  rule(
    'forgetting a user clears IP and user agent where they are subject or actor, keeping the event',
    async ({ audit }) => {
      const own = anEvent({ subjectId: 'gone', actorId: 'gone' });
      const byAdmin = anEvent({ subjectId: 'gone', actorId: 'admin' });
      const theirAdminAct = anEvent({ subjectId: 'victim', actorId: 'gone' });
      const other = anEvent({ subjectId: 'kept', actorId: 'kept' });
      await audit.append([own, byAdmin, theirAdminAct, other]);
      assert.equal(await audit.forgetPersonalData('gone'), 3);
      assert.equal(await audit.forgetPersonalData('gone'), 0);
      const byId = new Map((await audit.list({ limit: 10 })).map((event) => [event.id, event]));
      for (const event of [own, byAdmin, theirAdminAct]) {
        assert.deepEqual(byId.get(event.id), { ...event, ip: null, userAgent: null });
      }
      assert.deepEqual(byId.get(other.id), other);
    },
  );
}
