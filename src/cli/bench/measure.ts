// Timing loops for `tessera bench`: one operation at a time, each timed, so a row has both a
// throughput and a latency distribution. Speed is measured here and reported, never asserted.
import { performance } from 'node:perf_hooks';

/** What one row of the check-cost table measured. */
export interface Timing {
  ops: number;
  opsPerSecond: number;
  /** Per-operation latency, microseconds. */
  p50Us: number;
  p99Us: number;
}

/** The q-quantile (0..1) of sorted `values`; 0 when there are none. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/**
 * Runs `op` back to back for about `ms` (after `warmUpMs` untimed), awaiting it only when it
 * returns a promise, so a synchronous verifier is not charged a microtask per call.
 */
export async function measure(
  op: () => unknown,
  ms: number,
  warmUpMs = Math.min(200, ms / 4),
): Promise<Timing> {
  const warmEnd = performance.now() + warmUpMs;
  while (performance.now() < warmEnd) {
    const result = op();
    if (result instanceof Promise) await result;
  }
  const samples: number[] = [];
  const start = performance.now();
  const end = start + ms;
  let now = start;
  while (now < end) {
    const result = op();
    if (result instanceof Promise) await result;
    const after = performance.now();
    samples.push(after - now);
    now = after;
  }
  const elapsedMs = now - start;
  samples.sort((a, b) => a - b);
  return {
    ops: samples.length,
    opsPerSecond: (samples.length / elapsedMs) * 1000,
    p50Us: quantile(samples, 0.5) * 1000,
    p99Us: quantile(samples, 0.99) * 1000,
  };
}
