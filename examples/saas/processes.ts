/**
 * The child processes of run.ts: each runs a TypeScript file through tsx, passes its output on
 * line by line (and keeps the tail to explain a failed start), is waited for until it answers
 * over HTTP, and is stopped with SIGTERM — SIGKILL when it lingers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Env } from './common.js';

// Resolved once, so children find tsx whatever their working directory.
const tsx = import.meta.resolve('tsx');

const running = new Set<ChildProcess>();
// Whatever happens to this process, it leaves no server behind.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Receives each line a child writes, with the child's name. */
export type OnOutput = (name: string, line: string) => void;

/** One child process. */
export class Child {
  private tail: string[] = [];
  /** Resolves when the process has exited (or could not start). */
  readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    private readonly handle: ChildProcess,
    onOutput: OnOutput | undefined,
  ) {
    running.add(handle);
    for (const stream of [handle.stdout, handle.stderr]) {
      if (stream === null) continue;
      createInterface({ input: stream }).on('line', (line) => {
        this.tail = [...this.tail.slice(-49), line];
        onOutput?.(name, line);
      });
    }
    this.exited = new Promise((resolve) => {
      const gone = () => {
        running.delete(handle);
        resolve();
      };
      handle.once('exit', gone);
      handle.once('error', gone);
    });
  }

  /** Runs `script` (a .ts file) with `args`, its environment extended with `env`. */
  static start(name: string, script: string, args: string[], env: Env, onOutput?: OnOutput): Child {
    const handle = spawn(process.execPath, ['--import', tsx, script, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new Child(name, handle, onOutput);
  }

  /** Whether the process is still running. */
  get alive(): boolean {
    return this.handle.exitCode === null && this.handle.signalCode === null;
  }

  /**
   * Resolves once `url` answers 200. Rejects, with the process's last lines, when it exits first
   * or does not answer within `timeoutMs`.
   */
  async ready(url: string, timeoutMs = 20_000): Promise<void> {
    const until = performance.now() + timeoutMs;
    while (this.alive) {
      const status = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
        async (response) => {
          await response.body?.cancel();
          return response.status;
        },
        () => 0,
      );
      if (status === 200) return;
      if (performance.now() > until) break;
      await sleep(100);
    }
    const why = this.alive ? `no answer from ${url} within ${timeoutMs} ms` : 'it exited';
    throw new Error(`${this.name} did not start: ${why}\n${this.tail.join('\n')}`);
  }

  /** Asks the process to stop (SIGTERM) and waits; after `graceMs`, kills it. */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.alive) return;
    this.handle.kill('SIGTERM');
    const stopped = await Promise.race([
      this.exited.then(() => true),
      sleep(graceMs, false, { ref: false }),
    ]);
    if (!stopped) {
      this.handle.kill('SIGKILL');
      await Promise.race([this.exited, sleep(graceMs, undefined, { ref: false })]);
    }
  }
}
