// The rate-limit rule: at most `limit` hits per window per key; the hit past the limit is
// `rate_limited` with the whole seconds until the window ends (Retry-After, at least 1); a window
// ends at its reset time, and a reset (a successful login) starts counting afresh.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/core/clock.js';
import { TesseraError } from '../../../src/core/errors.js';
import { consume } from '../../../src/core/limits/rate-limit.js';
import { createMemoryStores } from '../../../src/stores/memory/index.js';

const limit = { limit: 3, windowMs: 60_000 };

function setup() {
  const store = createMemoryStores().rateLimits;
  const clock = new ManualClock();
  const hit = (key = 'login:ip:203.0.113.7') => consume(store, key, limit, clock.now());
  return { store, clock, hit };
}

async function refusal(promise: Promise<void>): Promise<TesseraError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof TesseraError, String(error));
    return error;
  }
  assert.fail('expected rate_limited');
}

describe('rate limits', () => {
  it('allows exactly `limit` hits in a window and refuses the next', async () => {
    const { hit } = setup();
    for (let n = 0; n < limit.limit; n += 1) await hit();
    const error = await refusal(hit());
    assert.equal(error.code, 'rate_limited');
    assert.equal(error.status, 429);
  });

  it('Retry-After is the whole seconds left in the window, rounded up', async () => {
    const { clock, hit } = setup();
    for (let n = 0; n < limit.limit; n += 1) await hit();
    clock.advance(20_500);
    assert.equal((await refusal(hit())).details.retryAfterSeconds, 40);
  });

  it('Retry-After is at least one second, even at the last millisecond of the window', async () => {
    const { clock, hit } = setup();
    for (let n = 0; n < limit.limit; n += 1) await hit();
    clock.advance(limit.windowMs - 1);
    assert.equal((await refusal(hit())).details.retryAfterSeconds, 1);
  });

  it('the window is fixed: refused hits do not extend it, and it ends at its reset time', async () => {
    const { clock, hit } = setup();
    for (let n = 0; n < limit.limit; n += 1) await hit();
    clock.advance(30_000);
    await refusal(hit());
    clock.advance(30_000);
    await hit();
  });

  it('a reset starts counting afresh', async () => {
    const { store, hit } = setup();
    for (let n = 0; n < limit.limit; n += 1) await hit();
    await store.reset('login:ip:203.0.113.7');
    for (let n = 0; n < limit.limit; n += 1) await hit();
    await refusal(hit());
  });

  it('each key counts on its own', async () => {
    const { hit } = setup();
    for (let n = 0; n < limit.limit; n += 1) await hit('a');
    await refusal(hit('a'));
    await hit('b');
  });
});
