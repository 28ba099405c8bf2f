/**
 * When keys sign, from the stored records and a clock alone. A planned rotation stores the next
 * key with the instant it starts signing; every instance tells the signer from that instant and
 * its own clock, so the switch needs no message between processes, and a verifier holding a JWKS
 * fetched before the rotation has refreshed it before the new key signs anything.
 */
import type { KeyState, SigningKeyRecord } from '../../stores/ports.js';

/**
 * The JWKS `Cache-Control: max-age` Tessera advertises, in seconds: how long any cache (the
 * verifier toolkit refreshes on this period by default) may hold the key set.
 */
export const jwksMaxAgeSeconds = 300;

/**
 * Beyond the JWKS lifetime, before a planned key signs: instances' clocks may disagree a little,
 * and each instance must have reloaded its keys (it polls every 30 s).
 */
export const activationMarginMs = 60_000;

/** How long after `tessera keys rotate` the new key starts signing. */
export const activationDelayMs = jwksMaxAgeSeconds * 1000 + activationMarginMs;

/** A key as it stands at one instant. */
export interface ScheduledKey {
  record: SigningKeyRecord;
  /** What the key does now, whatever the stored state says yet. */
  state: KeyState;
  /** When it stopped signing; null while it signs or has not started. */
  rotatedAt: number | null;
}

/**
 * The state of every key at `now`: the newest key whose activation has come signs; keys it
 * replaced verify only, from its activation, for `verifyOnlyMs`, then count as retired; a key
 * whose activation has not come is `next` (published, verifying, not signing).
 */
export function keysAt(
  records: readonly SigningKeyRecord[],
  now: number,
  verifyOnlyMs: number,
): ScheduledKey[] {
  const signers = records
    .filter((record) => record.state === 'active' || record.state === 'next')
    .sort((a, b) => a.activatesAt - b.activatesAt || a.createdAt - b.createdAt);
  const due = signers.filter((record) => record.activatesAt <= now);
  const stoppedAt = new Map<string, number>();
  for (const [index, record] of due.entries()) {
    const successor = due[index + 1];
    if (successor !== undefined) stoppedAt.set(record.kid, successor.activatesAt);
  }
  return records.map((record) => {
    let state = record.state;
    let rotatedAt = record.rotatedAt;
    if (state === 'active' || state === 'next') {
      const stopped = stoppedAt.get(record.kid);
      if (stopped !== undefined) {
        state = 'verify-only';
        rotatedAt = stopped;
      } else {
        state = record.activatesAt <= now ? 'active' : 'next';
      }
    }
    // Same instant as the sweep's `retire(now - verifyOnlyMs)`: gone strictly after the window.
    if (state === 'verify-only' && rotatedAt !== null && rotatedAt < now - verifyOnlyMs) {
      state = 'retired';
    }
    return { record, state, rotatedAt };
  });
}
