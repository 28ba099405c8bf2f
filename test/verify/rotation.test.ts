/**
 * Key rotation (src/verify/jwks-cache.ts): under continuous verification of fresh tokens while
 * the server rotates its signing key several times, no valid token is ever refused, old and new
 * keys both verify, and tokens with garbage kids cannot make the verifier hammer the JWKS.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createVerifier } from '../../src/verify/index.js';
import { garbageKid } from './forge.js';
import {
  clientToken,
  cuttableFetch,
  eventually,
  outcome,
  startTessera,
  type Tessera,
} from './tessera.js';

describe('key rotation', () => {
  let tessera: Tessera;
  before(async () => {
    tessera = await startTessera();
  });
  after(() => tessera.close());

  it('verifies fresh and older tokens with zero false rejections while keys rotate', async () => {
    const counter = cuttableFetch();
    const verifier = await createVerifier({
      issuer: tessera.issuer,
      revocations: 'off',
      fetch: counter.fetch,
    });
    const jwksFetches = () => counter.urls.filter((url) => url.endsWith('/jwks.json')).length;
    try {
      const failures: string[] = [];
      const issued: string[] = [];
      let verified = 0;
      let running = true;
      const worker = async () => {
        while (running) {
          const token = await clientToken(tessera);
          issued.push(token);
          // The fresh token, and one issued earlier (perhaps under a key rotated out since).
          const older = issued[Math.floor(Math.random() * issued.length)] as string;
          for (const candidate of [token, older]) {
            const result = await outcome(verifier.verify(candidate));
            if (result === 'ok') verified += 1;
            else failures.push(result);
          }
        }
      };
      const workers = [worker(), worker(), worker(), worker()];
      const kids = [tessera.core.keys.signingKey().kid];
      for (let i = 0; i < 5; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        kids.push(await tessera.core.keys.rotate());
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
      running = false;
      await Promise.all(workers);
      assert.deepEqual(failures, []);
      assert.ok(verified > 100, `only ${verified} verifications`);
      // Every key of the rotation verified tokens, and is still trusted for older tokens.
      assert.deepEqual(new Set(verifier.health().jwks.kids), new Set(kids));
      // One fetch at start and at most one per rotation: concurrent requests share a refetch.
      assert.ok(jwksFetches() <= 1 + 5, `${jwksFetches()} JWKS fetches`);
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
      const kid = await tessera.core.keys.rotate();
      await eventually(() => verifier.health().jwks.kids.includes(kid), 2_000, 20);
    } finally {
      await verifier.close();
    }
  });
});
