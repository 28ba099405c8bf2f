// The "what scale does to the cost" rows of `tessera bench` (issue 12): the uncached session
// check as the store grows, a verifier's memory per 100k revoked tokens, and the feed's delivery
// to many verifiers at once. Each part that cannot run is reported as not measured.
import { fanoutRow, type FanoutRow } from './fanout.js';
import { revocationMemory, type MemoryRow } from './scale-memory.js';
import { scaleSessionRows, type ScaleSessionRow } from './scale-sessions.js';
import type { StoreTargets } from './sessions.js';

/** Everything the scale rows measured. */
export interface ScaleResults {
  sessions: ScaleSessionRow[];
  memory: MemoryRow;
  fanout?: FanoutRow;
  /** Why the fan-out row is missing. */
  fanoutSkipped?: string;
}

/** How big each part runs: the full sizes, or a quick run's. */
export function scaleSizes(quick: boolean): {
  sessions: number[];
  revocations: number;
  verifiers: number;
  events: number;
} {
  return quick
    ? { sessions: [1_000, 10_000], revocations: 100_000, verifiers: 20, events: 20 }
    : { sessions: [1_000, 100_000, 1_000_000], revocations: 100_000, verifiers: 200, events: 100 };
}

/** Runs the three parts in turn: memory first, while the heap holds little else. */
export async function scaleRows(
  targets: StoreTargets,
  quick: boolean,
  runMs: number,
  progress: (label: string) => void,
): Promise<ScaleResults> {
  const sizes = scaleSizes(quick);
  progress(`scale: verifier memory, ${sizes.revocations.toLocaleString('en-US')} revocations`);
  const memory = revocationMemory(sizes.revocations);
  const sessions = await scaleSessionRows(targets, sizes.sessions, runMs, progress);
  try {
    return { sessions, memory, fanout: await fanoutRow(sizes.verifiers, sizes.events, progress) };
  } catch (error) {
    const fanoutSkipped = error instanceof Error ? error.message : String(error);
    return { sessions, memory, fanoutSkipped };
  }
}
