/**
 * Polling for tests: wait until something became true (or produced a value), with a deadline.
 * The one place these live; every test imports them from here.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Resolves with the time (ms) `check` took to return true, polling every `everyMs`; rejects
 * after `timeoutMs`.
 */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
  everyMs = 5,
): Promise<number> {
  const { ms } = await waitFor(
    'the check to return true',
    async () => ((await check()) ? true : undefined),
    { timeoutMs, everyMs },
  );
  return ms;
}

/**
 * Calls `check` every `everyMs` until it returns a value other than undefined; throws after
 * `timeoutMs`, naming `what` it waited for. Resolves with the value and the time it took.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  { timeoutMs = 10_000, everyMs = 50 }: { timeoutMs?: number; everyMs?: number } = {},
): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  for (;;) {
    const value = await check();
    const ms = performance.now() - started;
    if (value !== undefined) return { value, ms };
    if (ms > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * Like `eventually`, but names `what` it waits for in the error and polls every 50 ms: for
 * checks that talk to a server process. Resolves with the time it took.
 */
export async function waitUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
): Promise<number> {
  const { ms } = await waitFor(what, async () => ((await check()) ? true : undefined), {
    timeoutMs,
  });
  return ms;
}
