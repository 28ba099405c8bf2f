/**
 * Fail closed when revocations cannot be confirmed, and miss nothing once they can again. Two
 * outages, run side by side (each waits out the staleness bound):
 * - the feed connection is destroyed while the server stays up and keeps recording revocations:
 *   the verifier keeps refusing what it knew was revoked, accepts nothing once revocations have
 *   gone unconfirmed for maxStalenessMs (revocation_unavailable), or asks introspection when
 *   configured; after the reconnect it has every revocation made during the outage;
 * - the server itself goes away (listener stopped, every stream cut) while its core keeps
 *   recording revocations in the database, as another instance would; when it is back on the same
 *   address the verifier resumes with Last-Event-ID and refuses every token revoked meanwhile —
 *   by jti, by session and by user cutoff.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createVerifier } from '../../src/verify/index.js';
import {
  claimsOf,
  cuttableFetch,
  eventually,
  outcome,
  revokeAccess,
  startTessera,
  userTokens,
} from './tessera.js';

// The server beats every 5 s, so a healthy feed is never silent longer than that.
const maxStalenessMs = 6_000;

describe('outages', { concurrency: true }, () => {
  it('feed cut: refuses revoked tokens throughout, fails closed when stale, misses nothing on reconnect', async () => {
    const tessera = await startTessera();
    const link = cuttableFetch((url) => url.includes('/auth/revocations'));
    const common = {
      issuer: tessera.issuer,
      fetch: link.fetch,
      maxStalenessMs,
      revocations: { feed: { ...tessera.feed, backoff: { initialMs: 50, maxMs: 200 } } },
    };
    const plain = await createVerifier(common);
    const introspecting = await createVerifier({ ...common, introspection: tessera.api });
    try {
      const valid = (await userTokens(tessera)).access;
      const revokedBefore = (await userTokens(tessera)).access;
      await revokeAccess(tessera, revokedBefore);
      await eventually(
        async () => (await outcome(plain.verify(revokedBefore))) === 'token_revoked',
      );
      await eventually(
        async () => (await outcome(introspecting.verify(revokedBefore))) === 'token_revoked',
      );
      const during = [];
      for (let i = 0; i < 10; i += 1) during.push((await userTokens(tessera)).access);
      for (const token of during) assert.equal(await outcome(plain.verify(token)), 'ok');

      link.cut();
      const cutAt = performance.now();
      for (const token of during) await revokeAccess(tessera, token);

      // Verify everything continuously through the outage and record every acceptance.
      const accepted: { token: string; sinceCutMs: number; health: string }[] = [];
      let staleSeenAt: number | undefined;
      while (performance.now() - cutAt < maxStalenessMs + 1_000) {
        for (const token of [...during, revokedBefore, valid]) {
          // Time and health are read before the call, as the verifier decides after both: on a
          // loaded machine the answer can come back well after the decision was made.
          const sinceCutMs = performance.now() - cutAt;
          const health = plain.health().revocations;
          const result = await outcome(plain.verify(token));
          if (result === 'ok') {
            accepted.push({ token, sinceCutMs, health });
          } else if (token === revokedBefore) {
            assert.equal(result, 'token_revoked', 'what was known revoked stays refused');
          } else {
            assert.equal(result, 'revocation_unavailable');
            staleSeenAt ??= performance.now() - cutAt;
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // A token revoked during the outage is accepted only while the feed is within its
      // staleness bound — never by a verifier that knows it is stale, never past the bound.
      for (const entry of accepted) {
        assert.notEqual(entry.token, revokedBefore);
        assert.equal(entry.health, 'live');
        assert.ok(
          entry.sinceCutMs <= maxStalenessMs + 100,
          `accepted ${entry.sinceCutMs} ms after the cut`,
        );
      }
      assert.ok(
        staleSeenAt !== undefined && staleSeenAt <= maxStalenessMs + 100,
        `stale after ${staleSeenAt} ms`,
      );

      const health = plain.health();
      assert.equal(health.revocations, 'stale');
      assert.equal(health.ok, false);
      assert.ok((health.staleForMs ?? 0) > maxStalenessMs);
      assert.equal(await outcome(plain.verify(valid)), 'revocation_unavailable');

      // With introspection, a stale verifier asks the server instead of refusing.
      assert.equal(introspecting.health().revocations, 'stale');
      assert.equal(introspecting.health().ok, true);
      assert.equal(await outcome(introspecting.verify(valid)), 'ok');
      for (const token of during) {
        assert.equal(await outcome(introspecting.verify(token)), 'token_revoked');
      }

      link.restore();
      await eventually(() => plain.health().revocations === 'live', 5_000);
      await eventually(() => introspecting.health().revocations === 'live', 5_000);
      for (const token of [...during, revokedBefore]) {
        assert.equal(
          await outcome(plain.verify(token)),
          'token_revoked',
          'an outage revocation was missed',
        );
      }
      assert.equal(await outcome(plain.verify(valid)), 'ok');
      // Live comes from the catch-up snapshot; the stream itself opens right after it.
      await eventually(() => plain.health().connected, 5_000);
      const back = plain.health();
      assert.ok(back.reconnects >= 1);
      assert.equal(back.connected, true);
      assert.equal(back.ok, true);
    } finally {
      await plain.close();
      await introspecting.close();
      await tessera.close();
    }
  });

  it('server down: fails closed, then resumes without missing its revocations', async () => {
    const tessera = await startTessera();
    const verifier = await createVerifier({
      issuer: tessera.issuer,
      maxStalenessMs,
      revocations: { feed: { ...tessera.feed, backoff: { initialMs: 50, maxMs: 250 } } },
    });
    try {
      const valid = (await userTokens(tessera)).access;
      const byJti = (await userTokens(tessera)).access;
      const bySid = (await userTokens(tessera)).access;
      const byUser = await userTokens(tessera);
      for (const token of [valid, byJti, bySid, byUser.access]) {
        assert.equal(await outcome(verifier.verify(token)), 'ok');
      }
      const before = verifier.health().lastEventId;

      await tessera.stop();
      const { jti, exp } = claimsOf(byJti) as { jti: string; exp: number };
      await tessera.core.revocations.revokeToken(jti, exp);
      await tessera.core.revocations.revokeSid(String(claimsOf(bySid).sid));
      await tessera.core.revocations.revokeUser(byUser.userId);

      await eventually(() => verifier.health().revocations === 'stale', maxStalenessMs + 2_000, 50);
      for (const token of [valid, byJti, bySid, byUser.access]) {
        assert.equal(await outcome(verifier.verify(token)), 'revocation_unavailable');
      }
      assert.equal(verifier.health().connected, false);
      assert.match(String(verifier.health().lastError), /\S/);

      await tessera.start();
      await eventually(() => verifier.health().revocations === 'live', 5_000, 20);
      assert.equal(await outcome(verifier.verify(byJti)), 'token_revoked');
      assert.equal(await outcome(verifier.verify(bySid)), 'token_revoked');
      assert.equal(await outcome(verifier.verify(byUser.access)), 'token_revoked');
      assert.equal(await outcome(verifier.verify(valid)), 'ok');
      assert.equal(Number(verifier.health().lastEventId), Number(before) + 3);
      await eventually(() => verifier.health().connected, 2_000, 20);
    } finally {
      await verifier.close();
      await tessera.close();
    }
  });
});
