// Authorization codes (RFC 6749 §4.1.2): stored only as a hash, spent once, and kept past their
// expiry long enough that a late replay is still recognised as one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CODE_RETENTION_MS, CODE_TTL_MS } from '../../../src/core/oauth/authorize/codes.js';
import { sha256Hex } from '../../../src/core/random.js';
import { authorizeParams, flowCore, pkce, registerClient, signedIn } from './flow.js';

async function issued() {
  const { core, stores, clock } = await flowCore();
  const client = await registerClient(stores, { firstParty: true });
  const user = await signedIn(core, stores);
  const outcome = await core.authorization.authorize(
    authorizeParams(client, pkce().challenge),
    user,
  );
  assert.ok(outcome.kind === 'redirect');
  const code = new URL(outcome.to).searchParams.get('code') ?? '';
  return { core, stores, clock, code };
}

describe('authorization codes', () => {
  it('are stored only as their SHA-256, bound to 60 s', async () => {
    const { stores, clock, code } = await issued();
    const record = await stores.authorizationCodes.spend(sha256Hex(code), clock.now());
    assert.ok(record);
    assert.equal(record.expiresAt - record.createdAt, CODE_TTL_MS);
    assert.equal(await stores.authorizationCodes.spend(code, clock.now()), undefined);
  });

  it('the sweep keeps a spent code until 10 minutes past its expiry, so a late replay is seen', async () => {
    const { core, stores, clock, code } = await issued();
    await stores.authorizationCodes.spend(sha256Hex(code), clock.now());
    clock.advance(CODE_TTL_MS + CODE_RETENTION_MS - 1);
    await core.sweep();
    const replay = await stores.authorizationCodes.spend(sha256Hex(code), clock.now());
    assert.notEqual(replay?.spentAt, null, 'still known as spent');
    clock.advance(1);
    await core.sweep();
    assert.equal(await stores.authorizationCodes.spend(sha256Hex(code), clock.now()), undefined);
  });
});
