import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { RevocationRecord } from '../../../src/stores/ports.js';
import { hour, minute, t0, type Rule } from './rule.js';

function aRevocation(overrides: Partial<RevocationRecord> = {}): RevocationRecord {
  return { kind: 'jti', value: randomUUID(), at: t0, expiresAt: t0 + 15 * minute, ...overrides };
}

/** The RevocationStore part of the contract. */
export function revocationRules(rule: Rule): void {
  rule('an added revocation comes back with its seq, and so in the feed', async (stores) => {
    const { revocations } = stores;
    const revocation = aRevocation({ kind: 'user', at: t0 + 1, expiresAt: 8.64e15 });
    const event = await revocations.add(revocation);
    assert.deepEqual(event, { ...revocation, seq: event.seq });
    assert.equal(typeof event.seq, 'number');
    assert.ok(event.seq > 0);
    assert.deepEqual(await revocations.listSince(0, t0), [event]);
  });

  rule('seqs strictly increase from one add to the next', async ({ revocations }) => {
    let last = 0;
    for (let n = 0; n < 5; n += 1) {
      const { seq } = await revocations.add(aRevocation());
      assert.ok(seq > last, `${seq} after ${last}`);
      last = seq;
    }
  });

  rule('concurrent adds each get their own seq, in feed order', async ({ revocations }) => {
    const records = Array.from({ length: 50 }, () => aRevocation());
    const events = await Promise.all(records.map((record) => revocations.add(record)));
    const seqs = events.map((event) => event.seq);
    assert.equal(new Set(seqs).size, 50);
    const listed = await revocations.listSince(0, t0);
    assert.deepEqual(
      listed.map((event) => event.seq),
      [...seqs].sort((a, b) => a - b),
    );
    const bySeq = new Map(events.map((event) => [event.seq, event]));
    for (const event of listed) assert.deepEqual(event, bySeq.get(event.seq));
  });

  rule('a seq is never reused, even after the newest revocations are swept', async (stores) => {
    const { revocations } = stores;
    const first = await revocations.add(aRevocation({ expiresAt: t0 + minute }));
    const second = await revocations.add(aRevocation({ expiresAt: t0 + minute }));
    assert.equal(await revocations.deleteExpired(t0 + minute), 2);
    const third = await revocations.add(aRevocation({ expiresAt: t0 + hour }));
    assert.ok(third.seq > second.seq && second.seq > first.seq);
    // A feed client that saw `second` before the sweep must still receive `third`.
    assert.deepEqual(await revocations.listSince(second.seq, t0 + minute), [third]);
  });

  rule('listSince returns the revocations after a seq, in seq order', async ({ revocations }) => {
    const events = [];
    for (let n = 0; n < 4; n += 1) events.push(await revocations.add(aRevocation({ at: t0 + n })));
    const [, second, third, fourth] = events;
    assert.ok(second && third && fourth);
    assert.deepEqual(await revocations.listSince(second.seq, t0), [third, fourth]);
    assert.deepEqual(await revocations.listSince(fourth.seq, t0), []);
    assert.deepEqual(await revocations.listSince(0, t0), events);
  });

  rule('listSince leaves out revocations that have expired', async ({ revocations }) => {
    const now = t0 + hour;
    await revocations.add(aRevocation({ expiresAt: now - 1 }));
    await revocations.add(aRevocation({ expiresAt: now }));
    const live = await revocations.add(aRevocation({ expiresAt: now + 1 }));
    assert.deepEqual(await revocations.listSince(0, now), [live]);
  });

  rule('a live jti revocation revokes that token and no other', async ({ revocations }) => {
    const { value: jti } = await revocations.add(aRevocation());
    assert.equal(await revocations.isRevoked({ jti }, t0), true);
    assert.equal(await revocations.isRevoked({ jti, sid: randomUUID() }, t0), true);
    assert.equal(await revocations.isRevoked({ jti: randomUUID() }, t0), false);
  });

  rule('a live sid revocation revokes every token of that session', async ({ revocations }) => {
    const { value: sid } = await revocations.add(aRevocation({ kind: 'sid' }));
    assert.equal(await revocations.isRevoked({ jti: randomUUID(), sid }, t0), true);
    assert.equal(await revocations.isRevoked({ jti: randomUUID(), sid: randomUUID() }, t0), false);
    assert.equal(await revocations.isRevoked({ jti: randomUUID() }, t0), false);
  });

  rule('isRevoked ignores revocations that have expired', async ({ revocations }) => {
    const expiresAt = t0 + 15 * minute;
    const { value: jti } = await revocations.add(aRevocation({ expiresAt }));
    const { value: sid } = await revocations.add(aRevocation({ kind: 'sid', expiresAt }));
    const token = { jti, sid };
    assert.equal(await revocations.isRevoked(token, expiresAt - 1), true);
    assert.equal(await revocations.isRevoked({ jti }, expiresAt), false);
    assert.equal(await revocations.isRevoked({ jti: randomUUID(), sid }, expiresAt), false);
    assert.equal(await revocations.isRevoked(token, expiresAt + hour), false);
  });

  rule('isRevoked matches the kind exactly, never a same value of another kind', async (stores) => {
    const { revocations } = stores;
    const asSid = randomUUID();
    const asJti = randomUUID();
    const asUser = randomUUID();
    await revocations.add(aRevocation({ kind: 'sid', value: asSid }));
    await revocations.add(aRevocation({ kind: 'jti', value: asJti }));
    await revocations.add(aRevocation({ kind: 'user', value: asUser }));
    assert.equal(await revocations.isRevoked({ jti: asSid }, t0), false);
    assert.equal(await revocations.isRevoked({ jti: randomUUID(), sid: asJti }, t0), false);
    assert.equal(await revocations.isRevoked({ jti: asUser, sid: asUser }, t0), false);
    assert.equal(await revocations.isRevoked({ jti: asSid, sid: asSid }, t0), true);
  });

  rule('the sweep deletes revocations at or past their expiry', async ({ revocations }) => {
    const now = t0 + hour;
    const past = await revocations.add(aRevocation({ expiresAt: now - 1 }));
    await revocations.add(aRevocation({ kind: 'sid', expiresAt: now }));
    const live = await revocations.add(aRevocation({ expiresAt: now + 1 }));
    assert.equal(await revocations.deleteExpired(now), 2);
    assert.deepEqual(await revocations.listSince(0, t0), [live]);
    assert.equal(await revocations.isRevoked({ jti: past.value }, t0), false);
    assert.equal(await revocations.deleteExpired(now), 0);
  });

  rule('a returned revocation is a copy: editing it does not change the store', async (stores) => {
    const { revocations } = stores;
    const record = aRevocation();
    const event = await revocations.add(record);
    const original = { ...event };
    record.value = 'edited after add';
    event.expiresAt = 8.64e15;
    const [listed] = await revocations.listSince(0, t0);
    assert.ok(listed);
    listed.kind = 'user';
    assert.deepEqual(await revocations.listSince(0, t0), [original]);
  });
}
