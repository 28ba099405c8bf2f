import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/core/clock.js';
import { loadConfig } from '../../../src/config.js';
import { createCore } from '../../../src/core/tessera.js';
import { policyFromConfig } from '../../../src/server/policy.js';
import { createMemoryStores } from '../../../src/stores/memory/index.js';
import { FAST_ARGON2, PASSWORD } from '../../helpers/server.js';
import type {
  InvalidationChannel,
  SessionInvalidation,
} from '../../../src/core/sessions/near-cache.js';
import type { Stores } from '../../../src/stores/ports.js';

/** An in-process stand-in for the Redis channel between instances (the Redis one is tested in test/cluster). */
class LocalBus {
  connected = true;
  private readonly handlers = new Set<(message: SessionInvalidation) => void>();
  private readonly statusListeners = new Set<(connected: boolean) => void>();
  channel(): InvalidationChannel {
    const isConnected = () => this.connected;
    const handlers = this.handlers;
    return {
      get connected() {
        return isConnected();
      },
      publish: async (message) => {
        if (isConnected()) for (const handler of handlers) handler(message);
      },
      subscribe: (handler) => void handlers.add(handler),
      onStatus: (listener) => void this.statusListeners.add(listener),
    };
  }
  setConnected(connected: boolean) {
    this.connected = connected;
    for (const listener of this.statusListeners) listener(connected);
  }
}

/** Counts session reads that reach the store. */
function countReads(stores: Stores) {
  let reads = 0;
  const find = stores.sessions.findBySecretHash.bind(stores.sessions);
  stores.sessions.findBySecretHash = async (hash) => {
    reads += 1;
    return find(hash);
  };
  return () => reads;
}

async function twoInstances() {
  const stores = createMemoryStores();
  const reads = countReads(stores);
  const clock = new ManualClock();
  const bus = new LocalBus();
  const config = loadConfig({}, FAST_ARGON2);
  const a = await createCore({
    stores,
    clock,
    policy: policyFromConfig(config),
    channel: bus.channel(),
  });
  const b = await createCore({
    stores,
    clock,
    policy: policyFromConfig(config),
    channel: bus.channel(),
  });
  const user = await a.accounts.signup(
    { email: 'ada@example.com', password: PASSWORD },
    { ip: '::1' },
  );
  const { secret, session } = await a.sessions.create(user.id, { userAgent: 'x', ip: '::1' });
  return { a, b, bus, clock, reads, secret, session, user };
}

describe('session near cache', () => {
  it('answers repeated checks without a store read, until a touch is due', async () => {
    const { a, clock, reads, secret } = await twoInstances();
    await a.sessions.validate(secret);
    const before = reads();
    for (let i = 0; i < 100; i += 1) await a.sessions.validate(secret);
    assert.equal(reads(), before, 'no store read for cached checks');
    clock.advance(60_000);
    await a.sessions.validate(secret);
    assert.equal(reads(), before + 1, 'a due touch goes to the store');
  });

  it('a session revoked on one instance is refused at once by another that had it cached', async () => {
    const { a, b, secret, session, user } = await twoInstances();
    await b.sessions.validate(secret);
    await a.sessions.revoke(user.id, session.id);
    await assert.rejects(b.sessions.validate(secret), { code: 'unauthenticated' });
  });

  it('log out everywhere on one instance empties every instance’s cache of that user', async () => {
    const { a, b, secret, user } = await twoInstances();
    await b.sessions.validate(secret);
    await a.accounts.revokeEverything(user.id);
    await assert.rejects(b.sessions.validate(secret), { code: 'unauthenticated' });
  });

  it('while the invalidation channel is down the cache is bypassed, and emptied', async () => {
    const { a, b, bus, reads, secret, session, user } = await twoInstances();
    await b.sessions.validate(secret);
    bus.setConnected(false);
    const before = reads();
    await b.sessions.validate(secret);
    assert.equal(reads(), before + 1, 'checked against the store');
    // A revocation whose message is lost while the channel is down...
    await a.sessions.revoke(user.id, session.id);
    // ...is still honoured, because the cache is not trusted and, on reconnect, emptied.
    await assert.rejects(b.sessions.validate(secret), { code: 'unauthenticated' });
    bus.setConnected(true);
    await assert.rejects(b.sessions.validate(secret), { code: 'unauthenticated' });
  });

  it('never serves an entry past the session’s expiry', async () => {
    const { a, clock, secret } = await twoInstances();
    await a.sessions.validate(secret);
    clock.advance(12 * 60 * 60_000);
    await assert.rejects(a.sessions.validate(secret), { code: 'session_expired' });
  });
});
