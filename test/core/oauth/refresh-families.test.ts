// The refresh-family rules of DESIGN.md: tokens rotate on every use, re-use of any earlier token
// of a family after the grace window revokes the family and its access tokens, and a token that
// is not one of the family's (a forgery naming its public id) revokes nothing.
import { insertTestUser } from '../policy.js';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ManualClock } from '../../../src/core/clock.js';
import { TesseraError } from '../../../src/core/errors.js';
import { RefreshFamilies } from '../../../src/core/oauth/refresh-families.js';
import { formatRefreshToken, parseRefreshToken } from '../../../src/core/oauth/refresh-token.js';
import { randomToken, sha256Hex } from '../../../src/core/random.js';
import { Revocations } from '../../../src/core/revocation/revocations.js';
import { createMemoryStores } from '../../../src/stores/memory/index.js';

const grace = 10_000;
const minute = 60_000;

async function setup() {
  const stores = createMemoryStores();
  const clock = new ManualClock();
  const revocations = new Revocations(stores, clock, 11 * minute, 30_000);
  const families = new RefreshFamilies(stores, revocations, clock, {
    lifetimeMs: 30 * 24 * 60 * minute,
    graceMs: grace,
  });
  const userId = await insertTestUser(stores);
  /** Whether the family is revoked, and its access tokens with it. */
  const revoked = async (id: string) => {
    const family = await stores.refreshFamilies.findById(id);
    const sidDenied = await stores.revocations.isRevoked({ jti: 'any', sid: id }, clock.now());
    assert.equal(family?.revokedAt !== null, sidDenied, 'the family and its sid go together');
    return sidDenied;
  };
  /** A family rotated `rotations` times, a minute apart (past the grace window); every token. */
  const chain = async (rotations: number) => {
    const started = await families.start(userId, 'tessera', 'account');
    const tokens = [started.token];
    for (let n = 0; n < rotations; n += 1) {
      clock.advance(minute);
      tokens.push((await families.rotate(tokens.at(-1) ?? '')).token);
    }
    clock.advance(minute);
    return { id: started.family.id, tokens };
  };
  return { stores, clock, families, userId, revoked, chain };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof TesseraError, String(error));
    assert.equal(error.code, 'invalid_grant');
    return error.message;
  }
  assert.fail('the refresh was accepted');
}

describe('refresh families', () => {
  it('a token of any earlier generation is a replay: it revokes the family, however old', async () => {
    for (const generation of [1, 2, 3, 4]) {
      const { families, chain, revoked } = await setup();
      const { id, tokens } = await chain(5);
      assert.match(await refusal(families.rotate(tokens[generation - 1] ?? '')), /already used/);
      assert.equal(await revoked(id), true, `generation ${generation}`);
      await refusal(families.rotate(tokens[5] ?? ''));
    }
  });

  it('a token two generations back is a replay even inside the grace window', async () => {
    const { families, revoked, userId } = await setup();
    const started = await families.start(userId, 'tessera', 'account');
    const second = await families.rotate(started.token);
    await families.rotate(second.token);
    assert.match(await refusal(families.rotate(started.token)), /already used/);
    assert.equal(await revoked(started.family.id), true);
  });

  it('the token rotated out last refreshes inside the grace window, and after it revokes', async () => {
    const { families, clock, revoked, userId } = await setup();
    const tabs = await families.start(userId, 'tessera', 'account');
    await families.rotate(tabs.token);
    clock.advance(grace);
    const tabB = await families.rotate(tabs.token);
    assert.equal(tabB.family.generation, 3);
    assert.equal(await revoked(tabs.family.id), false);
    const late = await families.start(userId, 'tessera', 'account');
    await families.rotate(late.token);
    clock.advance(grace + 1);
    assert.match(await refusal(families.rotate(late.token)), /already used/);
    assert.equal(await revoked(late.family.id), true);
  });

  it('a straggler of a concurrent refresh inside the grace window is refused, not a replay', async () => {
    const { families, clock, revoked, userId } = await setup();
    const { token, family } = await families.start(userId, 'tessera', 'account');
    await families.rotate(token); // tab A: the current token
    const tabB = await families.rotate(token); // tab B: the previous one, inside the grace window
    assert.match(await refusal(families.rotate(token)), /concurrently/); // tab C
    assert.equal(await revoked(family.id), false);
    await families.rotate(tabB.token);
    clock.advance(grace + 1);
    assert.match(await refusal(families.rotate(token)), /already used/);
    assert.equal(await revoked(family.id), true);
  });

  it('a token naming a family by its id without the family secret is unknown and revokes nothing', async () => {
    const { families, chain, revoked } = await setup();
    const { id, tokens } = await chain(4);
    for (const generation of [1, 2, 3, 4, 5, 6, 1000]) {
      const forged = formatRefreshToken({
        familyId: id,
        generation,
        familySecret: randomToken(32),
        tokenSecret: randomToken(32),
      });
      assert.match(await refusal(families.rotate(forged)), /unknown/);
      assert.equal(await families.find(forged), undefined);
    }
    assert.equal(await revoked(id), false);
    assert.ok(await families.rotate(tokens[4] ?? ''));
  });

  it('a generation beyond the current one is refused and revokes nothing', async () => {
    const { families, chain, revoked } = await setup();
    const { id, tokens } = await chain(2);
    const parts = parseRefreshToken(tokens[2] ?? '');
    assert.ok(parts);
    for (const generation of [4, 5, 99]) {
      await refusal(families.rotate(formatRefreshToken({ ...parts, generation })));
    }
    assert.equal(await revoked(id), false);
  });

  it('find recognises every genuine token of a live family, and nothing else', async () => {
    const { families, chain } = await setup();
    const { id, tokens } = await chain(3);
    for (const token of tokens) assert.equal((await families.find(token))?.id, id);
    const parts = parseRefreshToken(tokens[3] ?? '');
    assert.ok(parts);
    assert.equal(await families.find(formatRefreshToken({ ...parts, generation: 5 })), undefined);
    await families.revoke(id, 'logout');
    assert.equal(await families.find(tokens[3] ?? ''), undefined);
  });

  it('a token issued before tokens named their family keeps refreshing; its family gets a secret', async () => {
    const { families, stores, clock, revoked, userId } = await setup();
    const legacy = randomToken(32);
    const id = randomUUID();
    await stores.refreshFamilies.insert({
      id,
      userId,
      clientId: 'tessera',
      sessionId: null,
      scope: 'account',
      familySecretHash: null,
      currentHash: sha256Hex(legacy),
      generation: 3,
      previousHash: null,
      rotatedAt: null,
      rotatedInGrace: false,
      createdAt: clock.now(),
      expiresAt: clock.now() + 60 * minute,
      revokedAt: null,
      revokedReason: null,
    });
    assert.equal((await families.find(legacy))?.id, id);
    const upgraded = await families.rotate(legacy);
    assert.equal(parseRefreshToken(upgraded.token)?.generation, 4);
    assert.equal(parseRefreshToken(upgraded.token)?.familyId, id);
    assert.notEqual((await stores.refreshFamilies.findById(id))?.familySecretHash, null);
    clock.advance(minute);
    const next = await families.rotate(upgraded.token);
    clock.advance(minute);
    await families.rotate(next.token);
    // The first token of the new format is now two generations back: a replay.
    await refusal(families.rotate(upgraded.token));
    assert.equal(await revoked(id), true);
  });

  it('a tampered token never rotates, and revokes only when it is indistinguishable from an earlier token', async () => {
    // Any non-empty set of fields changed at once: a token keeping the family id and secret but
    // naming an older generation is what an earlier token looks like, and only it revokes.
    const fields = fc.subarray(['familyId', 'generation', 'familySecret', 'tokenSecret'] as const, {
      minLength: 1,
    });
    const secret = fc.stringMatching(/^[A-Za-z0-9_-]{43}$/);
    const generation = fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1 }));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fields,
        fc.uuid(),
        generation,
        secret,
        secret,
        fc.boolean(),
        async (rotations, which, uuid, gen, familySecret, tokenSecret, otherFamily) => {
          const { families, chain, revoked } = await setup();
          const mine = await chain(rotations);
          const other = await chain(1);
          const parts = parseRefreshToken(mine.tokens.at(-1) ?? '');
          assert.ok(parts);
          const tampered = { ...parts };
          if (which.includes('familyId')) tampered.familyId = otherFamily ? other.id : uuid;
          if (which.includes('generation')) tampered.generation = gen;
          if (which.includes('familySecret')) tampered.familySecret = familySecret;
          if (which.includes('tokenSecret')) tampered.tokenSecret = tokenSecret;
          const token = formatRefreshToken(tampered);
          fc.pre(token !== mine.tokens.at(-1));
          await refusal(families.rotate(token));
          const earlier =
            tampered.familyId === parts.familyId &&
            tampered.familySecret === parts.familySecret &&
            tampered.generation < parts.generation - 1;
          assert.equal(await revoked(mine.id), earlier);
          assert.equal(await revoked(other.id), false);
        },
      ),
      { numRuns: 300 },
    );
  });
});
