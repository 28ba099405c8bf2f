/**
 * src/verify/revocation-state.ts: the verifier's in-memory revocations follow the server's rules
 * (core/revocation/revocations.ts) and are forgotten once no token they name can verify, so
 * memory is bounded by one access-token lifetime of revocations.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { RevocationState } from '../../src/verify/revocation-state.js';
import { parseFeedEvent, toRevocation } from '../../src/verify/feed-event.js';
import type { Revocation } from '../../src/verify/feed-event.js';

const skewMs = 30_000;
const lifetimeMs = 60_000; // accessTokenMinutes: 1

function setup() {
  const clock = new ManualClock();
  const state = new RevocationState(clock, skewMs);
  let seq = 0;
  const revoke = (
    kind: Revocation['kind'],
    value: string,
    expiresAt = clock.now() + lifetimeMs,
  ) => {
    seq += 1;
    state.apply({ seq, kind, value, at: clock.now(), expiresAt });
  };
  const token = (over: Partial<{ jti: string; sub: string; iat: number; sid: string }> = {}) => ({
    jti: 'j1',
    sub: 'u1',
    iat: Math.floor(clock.now() / 1000),
    sid: 's1',
    ...over,
  });
  const code = (claims: ReturnType<typeof token>) => {
    try {
      state.check(claims);
      return 'ok';
    } catch (error) {
      return (error as { code: string }).code;
    }
  };
  return { clock, state, revoke, token, code };
}

describe('revocation state', () => {
  it('a revoked jti rejects that token only', () => {
    const { revoke, token, code } = setup();
    revoke('jti', 'j1');
    assert.equal(code(token()), 'token_revoked');
    assert.equal(code(token({ jti: 'j2' })), 'ok');
  });

  it('a revoked sid rejects every token of that session or family', () => {
    const { revoke, token, code } = setup();
    revoke('sid', 's1');
    assert.equal(code(token({ jti: 'a' })), 'token_revoked');
    assert.equal(code(token({ jti: 'b' })), 'token_revoked');
    assert.equal(code(token({ sid: 's2' })), 'ok');
  });

  it('a user cutoff rejects the user tokens issued before it, not after, and never client tokens', () => {
    const { clock, state, token, code } = setup();
    const iat = Math.floor(clock.now() / 1000);
    state.apply({
      seq: 1,
      kind: 'user',
      value: 'u1',
      at: iat * 1000 + 500,
      expiresAt: clock.now() + lifetimeMs,
    });
    assert.equal(code(token({ iat })), 'token_revoked', 'issued in the cutoff second: fail closed');
    assert.equal(code(token({ iat: iat - 60 })), 'token_revoked');
    assert.equal(code(token({ iat: iat + 1 })), 'ok', 'issued after the cutoff');
    assert.equal(code(token({ sub: 'u2', iat: iat - 60 })), 'ok', 'another user');
    const clientToken = { jti: 'c', sub: 'u1', iat: iat - 60 }; // no sid: a client's token
    assert.doesNotThrow(() => state.check(clientToken));
  });

  it('a later cutoff raises the bar; an older one arriving late never lowers it', () => {
    const { clock, state, token, code } = setup();
    const t = clock.now();
    state.apply({ seq: 2, kind: 'user', value: 'u1', at: t + 10_000, expiresAt: t + lifetimeMs });
    state.apply({ seq: 1, kind: 'user', value: 'u1', at: t, expiresAt: t + lifetimeMs });
    assert.equal(code(token({ iat: Math.floor((t + 5_000) / 1000) })), 'token_revoked');
  });

  it('keeps an entry until expiresAt plus the clock skew, then forgets it', () => {
    const { clock, state, revoke, token, code } = setup();
    revoke('jti', 'j1');
    clock.advance(lifetimeMs + skewMs - 1);
    state.prune();
    assert.equal(code(token()), 'token_revoked', 'a token is still accepted until exp + skew');
    clock.advance(1);
    assert.equal(state.prune(), 1);
    assert.deepEqual(state.counts(), { jti: 0, sid: 0, user: 0, kid: 0, ignored: 0 });
  });

  it('ignores a revocation that has already run out', () => {
    const { clock, state, revoke } = setup();
    revoke('jti', 'old', clock.now() - skewMs - 1);
    assert.deepEqual(state.counts(), { jti: 0, sid: 0, user: 0, kid: 0, ignored: 0 });
  });

  it('memory stays bounded by one token lifetime of revocations under a steady stream', () => {
    const { clock, state, revoke } = setup();
    // 100 revocations a second for 10 minutes of a 1-minute token lifetime.
    let peak = 0;
    for (let second = 0; second < 600; second += 1) {
      for (let i = 0; i < 100; i += 1) revoke(i % 3 === 0 ? 'sid' : 'jti', `${second}-${i}`);
      clock.advance(1_000);
      const { jti, sid } = state.counts();
      peak = Math.max(peak, jti + sid);
    }
    // Live entries: (lifetime + skew) × rate = 90 s × 100/s, pruned on every insert.
    assert.ok(peak <= 9_100, `peak ${peak}`);
    assert.ok(state.scheduled <= 9_100, `scheduled ${state.scheduled}`);
    clock.advance(lifetimeMs + skewMs);
    state.prune();
    assert.deepEqual(state.counts(), { jti: 0, sid: 0, user: 0, kid: 0, ignored: 0 });
    assert.equal(state.scheduled, 0);
  });

  it('an entry extended by a later event is not dropped at its first expiry', () => {
    const { clock, state, revoke, token, code } = setup();
    revoke('sid', 's1', clock.now() + 1_000);
    revoke('sid', 's1', clock.now() + lifetimeMs);
    clock.advance(1_000 + skewMs);
    state.prune();
    assert.equal(code(token()), 'token_revoked');
  });

  it('a revoked kid refuses every token that key signed until the entry expires, then is forgotten', () => {
    const { clock, state, revoke } = setup();
    assert.equal(state.revokesKeys, false, 'no kid is read while no key is revoked');
    revoke('kid', 'k1');
    assert.equal(state.revokesKeys, true);
    assert.throws(() => state.checkKey('k1'), { code: 'token_revoked' });
    state.checkKey('k2');
    clock.advance(lifetimeMs + skewMs - 1);
    state.prune();
    assert.throws(() => state.checkKey('k1'), { code: 'token_revoked' });
    clock.advance(1);
    state.prune();
    state.checkKey('k1');
    assert.equal(state.counts().kid, 0);
  });

  it('an event of a kind this verifier does not know is counted and ignored, never a failure', () => {
    const { state, token, code } = setup();
    const event = toRevocation({
      seq: 1,
      kind: 'tenant',
      value: 't1',
      at: new Date().toISOString(),
      expiresAt: new Date(Date.now() + lifetimeMs).toISOString(),
    });
    assert.equal(event.kind, 'unknown');
    state.apply(event);
    assert.equal(state.counts().ignored, 1);
    assert.equal(code(token()), 'ok');
    assert.throws(() => parseFeedEvent('{"seq":2,"kind":42,"value":"x","at":"","expiresAt":""}'), {
      code: 'revocation_unavailable',
    });
  });
});
