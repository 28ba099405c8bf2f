// Retention: the core's sweep forgets audit events older than the policy's retention (90 days
// when the policy says nothing), and keeps the rest; createCore's context reaches the events.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/core/clock.js';
import { createCore } from '../../../src/core/tessera.js';
import { createMemoryStores } from '../../../src/stores/memory/index.js';
import { HOUR, testPolicy } from '../policy.js';

const DAY = 24 * HOUR;

describe('audit retention', () => {
  it('the sweep deletes events older than the retention and keeps younger ones', async () => {
    const clock = new ManualClock();
    const stores = createMemoryStores();
    const policy = { ...testPolicy(), audit: { retentionMs: 7 * DAY } };
    const core = await createCore({ stores, clock, policy });
    core.audit.record('login.failed', { reason: 'invalid_credentials' });
    clock.advance(6 * DAY);
    core.audit.record('login.succeeded', { subjectId: 'u1' });
    await core.audit.flush();
    clock.advance(1 * DAY + 1);
    await core.sweep();
    const kinds = (await core.audit.list({ limit: 10 })).map((event) => event.kind);
    assert.deepEqual(kinds, ['login.succeeded']);
  });

  it('keeps events 90 days when the policy names no retention', async () => {
    const clock = new ManualClock();
    const stores = createMemoryStores();
    const core = await createCore({ stores, clock, policy: testPolicy() });
    core.audit.record('key.rotated', { details: { kid: 'k', mode: 'planned' } });
    await core.audit.flush();
    clock.advance(90 * DAY);
    await core.sweep();
    assert.equal((await core.audit.list({ limit: 10 })).length, 1);
    clock.advance(1);
    await core.sweep();
    assert.equal((await core.audit.list({ limit: 10 })).length, 0);
  });

  it('events recorded by core services carry the request facts createCore was given', async () => {
    const stores = createMemoryStores();
    const core = await createCore({
      stores,
      clock: new ManualClock(),
      policy: testPolicy(),
      context: () => ({ ip: '198.51.100.7', userAgent: 'curl/8', requestId: 'r-9' }),
    });
    const user = await core.accounts.signup(
      { email: 'ada@example.com', password: 'correct horse battery staple' },
      { ip: '198.51.100.7' },
    );
    const [event] = await core.audit.list({ limit: 10, kinds: ['user.signed_up'] });
    assert.equal(event?.subjectId, user.id);
    assert.equal(event?.actorId, user.id);
    assert.deepEqual(
      [event?.ip, event?.userAgent, event?.requestId],
      ['198.51.100.7', 'curl/8', 'r-9'],
    );
  });
});
