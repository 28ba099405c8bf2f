/**
 * Key rotation at the verifier: a planned rotation publishes the next key before it signs, so a
 * verifier with a cached JWKS switches with no refused token and no refetch; `rotate --now`
 * reaches verifiers through the revocation feed; tokens with garbage kids cannot make the
 * verifier hammer the JWKS.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { replaceCompromisedKeys } from '../../src/core/keys/compromise.js';
import { activationDelayMs, jwksMaxAgeSeconds } from '../../src/core/keys/schedule.js';
import { defaultJwksRefreshIntervalMs } from '../../src/verify/jwks-cache.js';
import { createVerifier, type Verifier } from '../../src/verify/index.js';
import { garbageKid } from './forge.js';
import {
  clientToken,
  cuttableFetch,
  eventually,
  http,
  outcome,
  ShiftedClock,
  startTessera,
  type Tessera,
} from './tessera.js';

/** The kid in a token's header. */
function kidOf(token: string): string {
  const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as {
    kid: string;
  };
  return header.kid;
}

describe('key rotation', () => {
  let tessera: Tessera;
  before(async () => {
    tessera = await startTessera();
  });
  after(() => tessera.close());

  it('a verifier with a cached JWKS keeps verifying across a planned rotation, with no unknown-kid refetch', async () => {
    const clock = new ShiftedClock();
    const shifted = await startTessera({ clock });
    const early = await createVerifier({
      issuer: shifted.issuer,
      revocations: 'off',
      clock,
      // Stands for any cache that honours the advertised max-age.
      jwksRefreshIntervalMs: 100,
    });
    const counter = cuttableFetch();
    let late: Verifier | undefined;
    try {
      const old = shifted.core.keyRing.signingKey().kid;
      const next = await shifted.core.keyRing.rotate();
      const jwks = await http(`${shifted.issuer}/.well-known/jwks.json`);
      assert.equal(jwks.headers.get('cache-control'), `public, max-age=${jwksMaxAgeSeconds}`);
      assert.ok(
        defaultJwksRefreshIntervalMs <= jwksMaxAgeSeconds * 1000,
        'the toolkit refreshes within the advertised lifetime',
      );
      assert.equal(kidOf(await clientToken(shifted)), old, 'the next key does not sign yet');
      late = await createVerifier({
        issuer: shifted.issuer,
        revocations: 'off',
        clock,
        fetch: counter.fetch,
      });
      const verifier = late;
      await eventually(() => early.health().jwks.kids.includes(next), 2_000, 20);
      const failures: string[] = [];
      const signedBy = new Set<string>();
      const issued: string[] = [];
      let running = true;
      const worker = async () => {
        while (running) {
          const token = await clientToken(shifted);
          signedBy.add(kidOf(token));
          issued.push(token);
          const older = issued[Math.floor(Math.random() * issued.length)] as string;
          for (const candidate of [token, older]) {
            for (const v of [verifier, early]) {
              const result = await outcome(v.verify(candidate));
              if (result !== 'ok') failures.push(result);
            }
          }
        }
      };
      const workers = [worker(), worker()];
      await new Promise((resolve) => setTimeout(resolve, 250));
      const switchAt = performance.now();
      clock.advance(activationDelayMs);
      await new Promise((resolve) => setTimeout(resolve, 250));
      running = false;
      await Promise.all(workers);
      console.log(
        `planned rotation: ${issued.length} tokens, switch after ${(performance.now() - switchAt).toFixed(0)} ms of 250`,
      );
      assert.deepEqual(failures, []);
      assert.deepEqual(signedBy, new Set([old, next]), 'tokens of both keys were verified');
      const fetches = counter.urls.filter((url) => url.endsWith('/jwks.json')).length;
      assert.equal(fetches, 1, 'the JWKS fetched at start already held the next key');
    } finally {
      await late?.close();
      await early.close();
      await shifted.close();
    }
  });

  it('rotate --now: a token of the old key is refused at the verifier through the feed, before its JWKS is refetched', async () => {
    const verifier = await createVerifier({
      issuer: tessera.issuer,
      revocations: { feed: tessera.feed },
    });
    try {
      const token = await clientToken(tessera);
      const old = kidOf(token);
      assert.equal(await outcome(verifier.verify(token)), 'ok');
      const fetchesBefore = verifier.health().jwks.fetches;
      const started = performance.now();
      const { kid } = await replaceCompromisedKeys(tessera.core.keyRing, tessera.core.revocations);
      await eventually(
        async () => (await outcome(verifier.verify(token))) === 'token_revoked',
        5_000,
        10,
      );
      const ms = performance.now() - started;
      console.log(
        `rotate --now: the old key's token refused at the verifier after ${ms.toFixed(0)} ms`,
      );
      assert.ok(
        verifier.health().jwks.kids.includes(old),
        'still in its cached JWKS: the feed did it',
      );
      assert.equal(verifier.health().jwks.fetches, fetchesBefore, 'no refetch for the revoked kid');
      assert.equal(verifier.health().entries.kid, 1);
      const fresh = await clientToken(tessera);
      assert.equal(kidOf(fresh), kid);
      assert.equal(await outcome(verifier.verify(fresh)), 'ok', 'the new key is found on refetch');
    } finally {
      await verifier.close();
    }
  });

  it('100 tokens with garbage kids cause one JWKS refetch, then none within the cooldown', async () => {
    const counter = cuttableFetch();
    const verifier = await createVerifier({
      issuer: tessera.issuer,
      revocations: 'off',
      fetch: counter.fetch,
    });
    const jwksFetches = () => counter.urls.filter((url) => url.endsWith('/jwks.json')).length;
    try {
      assert.equal(jwksFetches(), 1);
      const valid = await clientToken(tessera);
      const results = [];
      for (let i = 0; i < 50; i += 1)
        results.push(await outcome(verifier.verify(garbageKid(tessera))));
      results.push(
        ...(await Promise.all(
          Array.from({ length: 50 }, () => outcome(verifier.verify(garbageKid(tessera)))),
        )),
      );
      assert.deepEqual(new Set(results), new Set(['token_unknown_key']));
      assert.equal(results.length, 100);
      assert.equal(jwksFetches(), 2, 'one refetch for the first unknown kid, none after');
      assert.equal(await outcome(verifier.verify(valid)), 'ok', 'valid tokens are unaffected');
      assert.equal(verifier.health().jwks.fetches, 2);
    } finally {
      await verifier.close();
    }
  });

  it('after the cooldown an unknown kid may refetch again', async () => {
    const counter = cuttableFetch();
    const verifier = await createVerifier({
      issuer: tessera.issuer,
      revocations: 'off',
      fetch: counter.fetch,
      jwksRefreshCooldownMs: 200,
    });
    const jwksFetches = () => counter.urls.filter((url) => url.endsWith('/jwks.json')).length;
    try {
      await outcome(verifier.verify(garbageKid(tessera)));
      await outcome(verifier.verify(garbageKid(tessera)));
      assert.equal(jwksFetches(), 2);
      await new Promise((resolve) => setTimeout(resolve, 250));
      await outcome(verifier.verify(garbageKid(tessera)));
      assert.equal(jwksFetches(), 3);
    } finally {
      await verifier.close();
    }
  });

  it('picks up a new key on its periodic refresh, before any token needs it', async () => {
    const verifier = await createVerifier({
      issuer: tessera.issuer,
      revocations: 'off',
      jwksRefreshIntervalMs: 100,
    });
    try {
      const kid = await tessera.core.keyRing.rotate();
      await eventually(() => verifier.health().jwks.kids.includes(kid), 2_000, 20);
    } finally {
      await verifier.close();
    }
  });
});
