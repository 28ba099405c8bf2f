// Starts one of the bench's server processes (bench/routes-tessera.ts, better-auth-target.ts,
// routes-target.ts) and waits for the one JSON line each prints once it serves. Each stack runs
// in its own process: Tessera's server and better-auth both use AsyncLocalStorage, which on
// Node 20 turns on promise hooks for the whole process, so a stack sharing their process would
// pay for every promise as a real microservice, alone in its process, does not.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Child<T> {
  process: ChildProcess;
  /** The JSON line the child printed. */
  ready: Promise<T>;
}

/** Runs `entry` (a file in bench/) with tsx; `env` is added to this process's environment. */
export function startChild<T>(
  entry: string,
  args: readonly string[] = [],
  env: Record<string, string> = {},
): Child<T> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL(entry, import.meta.url).pathname, ...args],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } },
  );
  const ready = new Promise<T>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line) as T));
    child.once('exit', (code) => reject(new Error(`bench ${entry} exited ${code}`)));
  });
  // Awaited by the caller; this handler only keeps a child that dies after another one failed
  // first from ending this process with an unhandled rejection.
  ready.catch(() => undefined);
  return { process: child, ready };
}

/**
 * SIGTERM to each child still running (each cleans up: databases, Redis keys), SIGKILL to one
 * still running 5 s later; resolves once all have exited.
 */
export async function stopChildren(children: readonly Child<unknown>[]): Promise<void> {
  await Promise.all(
    children.map(({ process: child }) =>
      child.exitCode !== null || child.signalCode !== null
        ? undefined
        : new Promise<void>((resolve) => {
            const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
    ),
  );
}
