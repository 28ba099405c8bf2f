// Scale row 2 of `tessera bench`: what a verifier's revocation list weighs. The state measured is
// the one createVerifier builds (verify/revocation-state.ts re-exports core/revocation/state.ts),
// fed the same Revocation objects its feed parser hands it, with jtis shaped like Tessera's own.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { systemClock } from '../../core/clock.js';
import { randomToken } from '../../core/random.js';
import { RevocationState } from '../../verify/revocation-state.js';

/** The heap a verifier's state holds for `count` revoked tokens. */
export interface MemoryRow {
  count: number;
  heapBeforeBytes: number;
  heapAfterBytes: number;
  bytesPerRevocation: number;
  /** Revocations applied per second while filling. */
  appliedPerSecond: number;
  /** False when no garbage collection could be forced: the figures then include garbage. */
  collected: boolean;
}

/** `global.gc` without --expose-gc on the command line: the flag, then a fresh context's gc. */
function collector(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

function settledHeap(gc: (() => void) | undefined): number {
  // Twice: the first pass may only promote what the second frees.
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

/** Applies `count` jti revocations (15-minute tokens) to a fresh state, weighing the heap. */
export function revocationMemory(count: number): MemoryRow {
  const gc = collector();
  const graceMs = 30_000;
  const state = new RevocationState(systemClock, graceMs);
  const before = settledHeap(gc);
  const now = systemClock.now();
  const started = performance.now();
  for (let i = 0; i < count; i += 1) {
    // As the feed parser makes them: a fresh string per event, times in epoch ms.
    state.apply({
      seq: i + 1,
      kind: 'jti',
      value: randomToken(16),
      at: now,
      expiresAt: now + 900_000,
    });
  }
  const elapsedMs = performance.now() - started;
  const after = settledHeap(gc);
  if (state.counts().jti !== count) throw new Error('the state dropped revocations while filling');
  return {
    count,
    heapBeforeBytes: before,
    heapAfterBytes: after,
    bytesPerRevocation: (after - before) / count,
    appliedPerSecond: (count / elapsedMs) * 1000,
    collected: gc !== undefined,
  };
}
