// The revocation rules: a revoked token stays denied for as long as any verifier could still
// accept it (exp plus the clock skew; a token lifetime plus skew for a session or a user), and no
// longer; a user's cutoff denies every token issued up to it, the same second included (fail
// closed); every recorded revocation reaches the listeners (the feed and the caches).
import { insertTestUser } from '../policy.js';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/core/clock.js';
import { Revocations } from '../../../src/core/revocation/revocations.js';
import { createMemoryStores } from '../../../src/stores/memory/index.js';
import type { RevocationEvent } from '../../../src/stores/ports.js';

const SKEW_MS = 30_000;
const TTL_MS = 10 * 60_000;
const HORIZON_MS = TTL_MS + SKEW_MS;

async function setup() {
  const stores = createMemoryStores();
  const clock = new ManualClock(Date.UTC(2026, 10, 30, 12));
  const revocations = new Revocations(stores, clock, HORIZON_MS, SKEW_MS);
  const events: RevocationEvent[] = [];
  revocations.subscribe((event) => events.push(event));
  const userId = await insertTestUser(stores);
  const seconds = () => Math.floor(clock.now() / 1000);
  /** A user token issued now, as the claims revocation looks at. */
  const userToken = (sid = 'sid-1') => ({ jti: randomUUID(), sub: userId, iat: seconds(), sid });
  return { stores, clock, revocations, events, userId, seconds, userToken };
}

describe('revoking one token', () => {
  it('denies the jti until exp plus the skew, and not a moment longer', async () => {
    const { clock, revocations, seconds, userToken } = await setup();
    const token = userToken();
    const exp = seconds() + TTL_MS / 1000;
    await revocations.revokeToken(token.jti, exp);
    await assert.rejects(revocations.check(token), { code: 'token_revoked' });
    clock.set(exp * 1000 + SKEW_MS - 1);
    await assert.rejects(revocations.check(token), { code: 'token_revoked' });
    clock.set(exp * 1000 + SKEW_MS);
    await revocations.check(token);
  });

  it('a token already past exp plus skew is harmless: nothing is recorded or published', async () => {
    const { clock, events, revocations, seconds } = await setup();
    const exp = seconds();
    clock.advance(SKEW_MS);
    await revocations.revokeToken('old', exp);
    assert.deepEqual(events, []);
  });

  it('revoking one token leaves the other tokens of its session alone', async () => {
    const { revocations, userToken } = await setup();
    const revoked = userToken();
    await revocations.revokeToken(revoked.jti, revoked.iat + 600);
    await revocations.check(userToken());
  });
});

describe('revoking a session or family (sid)', () => {
  it('denies every token of the sid for one token lifetime plus skew', async () => {
    const { clock, revocations, userToken } = await setup();
    const first = userToken('family-1');
    await revocations.revokeSid('family-1');
    await assert.rejects(revocations.check(first), { code: 'token_revoked' });
    await assert.rejects(revocations.check(userToken('family-1')), { code: 'token_revoked' });
    await revocations.check(userToken('family-2'));
    clock.advance(HORIZON_MS - 1);
    await assert.rejects(revocations.check(first), { code: 'token_revoked' });
    clock.advance(1);
    await revocations.check(first);
  });
});

describe('revoking a user (cutoff)', () => {
  it('denies every token of the user issued before the cutoff, whatever its session', async () => {
    const { clock, revocations, stores, userId, userToken } = await setup();
    const a = userToken('s1');
    const b = userToken('s2');
    clock.advance(5_000);
    await revocations.revokeUser(userId);
    assert.equal((await stores.users.findById(userId))?.tokensValidAfter, clock.now());
    await assert.rejects(revocations.check(a), { code: 'token_revoked' });
    await assert.rejects(revocations.check(b), { code: 'token_revoked' });
  });

  it('a token dated in the cutoff’s own second counts as before it (fail closed)', async () => {
    const { clock, revocations, userId, userToken } = await setup();
    clock.advance(400);
    await revocations.revokeUser(userId);
    clock.advance(300);
    await assert.rejects(revocations.check(userToken()), { code: 'token_revoked' });
  });

  it('a token issued after the cutoff’s second verifies', async () => {
    const { clock, revocations, userId, userToken } = await setup();
    await revocations.revokeUser(userId);
    clock.advance(1_000);
    assert.equal((await revocations.check(userToken()))?.id, userId);
  });

  it('a token of a deleted user is refused', async () => {
    const { revocations, userToken } = await setup();
    await assert.rejects(revocations.check({ ...userToken(), sub: randomUUID() }), {
      code: 'token_revoked',
    });
  });

  it('a client-credentials token (no sid) is not checked against any user', async () => {
    const { revocations, seconds } = await setup();
    const token = { jti: randomUUID(), sub: 'client_abc', iat: seconds() };
    assert.equal(await revocations.check(token), undefined);
    await revocations.revokeToken(token.jti, token.iat + 600);
    await assert.rejects(revocations.check(token), { code: 'token_revoked' });
  });

  it('the cutoff is published for one token lifetime plus skew', async () => {
    const { clock, events, revocations, userId } = await setup();
    await revocations.revokeUser(userId);
    assert.deepEqual(
      events.map(({ kind, value, at, expiresAt }) => ({ kind, value, at, expiresAt })),
      [{ kind: 'user', value: userId, at: clock.now(), expiresAt: clock.now() + HORIZON_MS }],
    );
  });
});

describe('revoking a key', () => {
  it('is kept for a token lifetime plus skew, or longer when the JWKS cache needs it', async () => {
    const { clock, events, revocations } = await setup();
    await revocations.revokeKey('k1', 0);
    await revocations.revokeKey('k2', 24 * HORIZON_MS);
    assert.deepEqual(
      events.map((event) => [event.kind, event.value, event.expiresAt - clock.now()]),
      [
        ['kid', 'k1', HORIZON_MS],
        ['kid', 'k2', 24 * HORIZON_MS],
      ],
    );
  });
});

describe('listeners and sweep', () => {
  it('every revocation reaches each listener until it unsubscribes', async () => {
    const { revocations } = await setup();
    const seen: string[] = [];
    const stop = revocations.subscribe((event) => seen.push(event.value));
    await revocations.revokeSid('a');
    stop();
    await revocations.revokeSid('b');
    assert.deepEqual(seen, ['a']);
  });

  it('a sweep deletes only revocations that can no longer affect a token', async () => {
    const { clock, revocations, seconds, userToken } = await setup();
    const short = userToken('short');
    await revocations.revokeToken(short.jti, seconds());
    await revocations.revokeSid('long');
    clock.advance(SKEW_MS);
    assert.equal(await revocations.sweep(), 1);
    await assert.rejects(revocations.check(userToken('long')), { code: 'token_revoked' });
  });
});
