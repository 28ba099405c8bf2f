/** Watching what instances answer while something fails underneath them. */
import { setTimeout as sleep } from 'node:timers/promises';

/** Calls `request` every 10 ms for `ms`; resolves with every status seen, in order. */
export async function watch(ms: number, request: () => Promise<number>): Promise<number[]> {
  const statuses: number[] = [];
  const until = performance.now() + ms;
  while (performance.now() < until) {
    statuses.push(await request());
    await sleep(10);
  }
  return statuses;
}

/** Counts of each status, e.g. "200 ×12, 503 ×40". */
export function tally(statuses: number[]): string {
  const counts = new Map<number, number>();
  for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts].map(([status, count]) => `${status} ×${count}`).join(', ') || 'nothing';
}

/**
 * Keeps `loops` requests in flight back to back until `stop` is called, so that some are in the
 * middle of their store calls when the store dies. `stop` resolves with every status seen.
 */
export function load(loops: (() => Promise<number>)[]): { stop(): Promise<number[]> } {
  const statuses: number[] = [];
  let running = true;
  const done = Promise.all(
    loops.map(async (request) => {
      while (running) statuses.push(await request());
    }),
  );
  return {
    async stop() {
      running = false;
      await done;
      return statuses;
    },
  };
}
