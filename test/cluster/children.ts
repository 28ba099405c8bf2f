/**
 * Every child process the cluster tests start goes through here, so that `killChildren` (called
 * from each file's `after`) and, as a last resort, the process's own exit leave none behind.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../helpers/live.js';

const children = new Set<ChildProcess>();

// A test file that crashes or times out still must not leave servers running.
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** A child process with its recent output kept for failure messages. */
export class Child {
  private output = '';
  private readonly listeners = new Set<(output: string) => void>();
  readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    readonly handle: ChildProcess,
  ) {
    children.add(handle);
    const keep = (chunk: Buffer) => {
      // The tail is enough to explain a failure; an unbounded log would grow with every poll.
      this.output = (this.output + chunk.toString()).slice(-64_000);
      for (const listener of this.listeners) listener(this.output);
    };
    handle.stdout?.on('data', keep);
    handle.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      handle.once('exit', () => {
        children.delete(handle);
        resolve();
      });
      handle.once('error', () => {
        children.delete(handle);
        resolve();
      });
    });
  }

  /** Spawns `command` with piped output. */
  static spawn(name: string, command: string, args: string[], options: SpawnOptions): Child {
    return new Child(name, spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  get alive(): boolean {
    return this.handle.exitCode === null && this.handle.signalCode === null;
  }

  /** The last 64 kB the process wrote. */
  log(): string {
    return this.output;
  }

  /** Resolves with the first match of `pattern` in the output; fails on exit or after `timeoutMs`. */
  async waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    const found = pattern.exec(this.output);
    if (found) return found;
    let listener: ((output: string) => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await new Promise<RegExpExecArray>((resolve, reject) => {
        listener = (output) => {
          const match = pattern.exec(output);
          if (match) resolve(match);
        };
        this.listeners.add(listener);
        timer = setTimeout(
          () =>
            reject(
              new Error(`${this.name}: no ${pattern} within ${timeoutMs} ms:\n${this.output}`),
            ),
          timeoutMs,
        );
        void this.exited.then(() =>
          reject(new Error(`${this.name} exited (${this.describeExit()}):\n${this.output}`)),
        );
      });
    } finally {
      if (listener) this.listeners.delete(listener);
      clearTimeout(timer);
    }
  }

  /** Sends `signal` and waits (bounded) for the exit; escalates to SIGKILL if it lingers. */
  async kill(signal: NodeJS.Signals = 'SIGKILL', graceMs = 5000): Promise<void> {
    if (!this.alive) return;
    this.handle.kill(signal);
    const gone = await Promise.race([this.exited.then(() => true), deadline(graceMs)]);
    if (!gone) {
      this.handle.kill('SIGKILL');
      await Promise.race([this.exited, deadline(5000)]);
    }
  }

  describeExit(): string {
    return this.handle.signalCode ?? `code ${String(this.handle.exitCode)}`;
  }
}

/** Kills every child still running (SIGKILL) and waits for them, bounded. */
export async function killChildren(): Promise<void> {
  await Promise.all(
    [...children].map(async (child) => {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await Promise.race([exited, deadline(5000)]);
    }),
  );
}

/**
 * Resolves false after `ms` without keeping the process alive: a bound raced against an event
 * must not hold the test file open once the event came.
 */
export function deadline(ms: number): Promise<false> {
  return sleep(ms, false, { ref: false });
}

export { waitFor } from '../helpers/poll.js';
export { freePort };
