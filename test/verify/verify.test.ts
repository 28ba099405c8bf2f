/**
 * `verify` against a real Tessera: valid tokens pass, every kind of bad token is refused with its
 * own code, and a revocation made through the server reaches the verifier and is checked on
 * every call, cached token or not.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { createVerifier, type Verifier } from '../../src/verify/index.js';
import { forge, garbageKid } from './forge.js';
import {
  claimsOf,
  clientToken,
  eventually,
  outcome,
  RESOURCE,
  revokeAccess,
  startTessera,
  userTokens,
  type Tessera,
} from './tessera.js';

describe('verify', () => {
  let tessera: Tessera;
  let verifier: Verifier;
  before(async () => {
    tessera = await startTessera();
    verifier = await createVerifier({
      issuer: tessera.issuer,
      revocations: { feed: tessera.feed },
    });
  });
  after(async () => {
    await verifier.close();
    await tessera.close();
  });

  it('accepts a user token and returns its claims', async () => {
    const { access, userId } = await userTokens(tessera);
    const claims = await verifier.verify(access);
    assert.equal(claims.sub, userId);
    assert.equal(claims.iss, tessera.issuer);
    assert.equal(typeof claims.sid, 'string');
    assert.equal(verifier.health().revocations, 'live');
  });

  it('accepts a client-credentials token', async () => {
    const token = await clientToken(tessera);
    const claims = await verifier.verify(token);
    assert.equal(claims.sub, tessera.api.clientId);
    assert.equal(claims.aud, RESOURCE);
  });

  it('refuses each kind of bad token with its own code', async () => {
    const { access } = await userTokens(tessera);
    const [head, body, sig] = access.split('.') as [string, string, string];
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, string, string][] = [
      ['not a JWS', 'abc', 'token_malformed'],
      ['two segments', `${head}.${body}`, 'token_malformed'],
      ['oversized', `${head}.${'A'.repeat(9_000)}.${sig}`, 'token_too_large'],
      ['typ JWT, not at+jwt', forge(tessera, { header: { typ: 'JWT' } }), 'token_unsupported'],
      ['alg none', forge(tessera, { header: { alg: 'none' } }), 'token_unsupported'],
      ['unknown kid', garbageKid(tessera), 'token_unknown_key'],
      ['tampered payload', `${head}.${body.slice(0, -4)}AAAA.${sig}`, 'token_signature_invalid'],
      [
        'expired',
        forge(tessera, { claims: { iat: now - 1_000, exp: now - 400 } }),
        'token_expired',
      ],
      [
        'issued in the future',
        forge(tessera, { claims: { iat: now + 600, exp: now + 1_200 } }),
        'token_not_yet_valid',
      ],
      [
        'another issuer',
        forge(tessera, { claims: { iss: 'https://evil.example' } }),
        'token_claim_invalid',
      ],
      ['no jti', forge(tessera, { claims: { jti: undefined } }), 'token_claim_invalid'],
    ];
    for (const [name, token, code] of cases) {
      assert.equal(await outcome(verifier.verify(token)), code, name);
    }
  });

  it('refuses a token for another audience when an audience is configured', async () => {
    const strict = await createVerifier({
      issuer: tessera.issuer,
      audience: RESOURCE,
      revocations: 'off',
    });
    try {
      assert.equal(
        await outcome(strict.verify((await userTokens(tessera)).access)),
        'token_claim_invalid',
      );
      assert.equal(await outcome(strict.verify(await clientToken(tessera))), 'ok');
    } finally {
      await strict.close();
    }
  });

  it('a token revoked at /oauth/revoke is refused — even after it was verified and cached', async () => {
    const { access } = await userTokens(tessera);
    const other = await userTokens(tessera);
    assert.equal(await outcome(verifier.verify(access)), 'ok'); // now in the verified-token cache
    await revokeAccess(tessera, access);
    await eventually(async () => (await outcome(verifier.verify(access))) === 'token_revoked');
    assert.equal(await outcome(verifier.verify(other.access)), 'ok');
    assert.equal(verifier.health().lastEventId, String(Number(verifier.health().lastEventId)));
  });

  it("with revocations 'off' a revoked token verifies until it expires, and health says off", async () => {
    const open = await createVerifier({ issuer: tessera.issuer, revocations: 'off' });
    try {
      const { access } = await userTokens(tessera);
      await revokeAccess(tessera, access);
      await eventually(async () => (await outcome(verifier.verify(access))) === 'token_revoked');
      assert.equal(await outcome(open.verify(access)), 'ok');
      assert.equal(open.health().revocations, 'off');
    } finally {
      await open.close();
    }
  });

  it('a verifier started later catches up on revocations made before it started', async () => {
    const { access } = await userTokens(tessera);
    await revokeAccess(tessera, access);
    const late = await createVerifier({
      issuer: tessera.issuer,
      revocations: { feed: tessera.feed },
    });
    try {
      assert.equal(await outcome(late.verify(access)), 'token_revoked');
    } finally {
      await late.close();
    }
  });
});

describe('memory bound against a real server', () => {
  let tessera: Tessera;
  before(async () => {
    tessera = await startTessera({ config: { accessTokenMinutes: 1, clockSkewSeconds: 5 } });
  });
  after(() => tessera.close());

  it('revocations are dropped after their expiresAt (+ skew), on the next insert', async () => {
    const clock = new ManualClock(Date.now());
    const verifier = await createVerifier({
      issuer: tessera.issuer,
      clockSkewSeconds: 5,
      clock,
      revocations: { feed: tessera.feed },
    });
    try {
      const tokens = [];
      for (let i = 0; i < 5; i += 1) tokens.push(await clientToken(tessera));
      for (const token of tokens) {
        const { jti, exp } = claimsOf(token) as { jti: string; exp: number };
        await tessera.core.revocations.revokeToken(jti, exp);
      }
      await eventually(() => verifier.health().entries.jti === 5);
      // The server keeps a jti revocation until exp + its skew (5 s), the verifier that plus its
      // own skew (5 s): past 60 + 5 + 5 s nothing revoked then can verify any more.
      clock.set(Date.now() + 71_000);
      const late = (claimsOf(await clientToken(tessera)) as { jti: string }).jti;
      await tessera.core.revocations.revokeToken(late, Math.floor(clock.now() / 1000) + 60);
      await eventually(() => verifier.health().lastEventId === '6');
      assert.deepEqual(verifier.health().entries, {
        jti: 1,
        sid: 0,
        user: 0,
        kid: 0,
        ignored: 0,
      });
    } finally {
      await verifier.close();
    }
  });
});
