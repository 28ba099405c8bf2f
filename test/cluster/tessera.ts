/**
 * `tessera serve` as a child process, from source, and the other `tessera` commands beside it.
 */
import { join } from 'node:path';
import { Child, deadline } from './children.js';

const ROOT = join(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'src/cli/main.ts');

/** The environment of a child: ours without any TESSERA_* variable, plus `env`. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('TESSERA_')),
  );
  return { ...base, ...env };
}

/** One `tessera serve` process. */
export class Tessera {
  private constructor(
    readonly child: Child,
    readonly url: string,
    readonly env: Record<string, string>,
    /** How long it took from spawn to the listen line. */
    readonly startupMs: number,
  ) {}

  /** Starts `tessera serve` on a free port with `env` and waits for its listen line. */
  static async start(name: string, env: Record<string, string>): Promise<Tessera> {
    const started = performance.now();
    const child = Child.spawn(name, process.execPath, ['--import', 'tsx', MAIN, 'serve'], {
      cwd: ROOT,
      env: childEnv({
        TESSERA_LOG_LEVEL: 'info',
        ...env,
        TESSERA_HOST: '127.0.0.1',
        TESSERA_PORT: '0',
      }),
    });
    try {
      const [, url = ''] = await child.waitForOutput(/"url":"(http:\/\/127\.0\.0\.1:\d+)"/, 20_000);
      return new Tessera(child, url, env, performance.now() - started);
    } catch (error) {
      await child.kill('SIGKILL');
      throw error;
    }
  }

  /** A new process with the same environment (after a kill). */
  restart(name = this.child.name): Promise<Tessera> {
    return Tessera.start(name, this.env);
  }

  get alive(): boolean {
    return this.child.alive;
  }

  /** SIGKILL: no clean shutdown, no goodbye to the stores. */
  kill(): Promise<void> {
    return this.child.kill('SIGKILL');
  }

  /** SIGTERM, SIGKILL after 5 s. */
  stop(): Promise<void> {
    return this.child.kill('SIGTERM');
  }
}

/**
 * Runs a `tessera` command (not serve) with `env`; bounded by `timeoutMs`, generous because a
 * fresh clone compiles every module through tsx on the first command of a loaded machine.
 */
export async function tesseraCommand(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = Child.spawn(
    'tessera ' + args.join(' '),
    process.execPath,
    ['--import', 'tsx', MAIN, ...args],
    {
      cwd: ROOT,
      env: childEnv(env),
    },
  );
  let stdout = '';
  child.handle.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const finished = await Promise.race([child.exited.then(() => true), deadline(timeoutMs)]);
  if (!finished) {
    await child.kill('SIGKILL');
    throw new Error(
      `tessera ${args.join(' ')} did not finish within ${timeoutMs} ms:\n${child.log()}`,
    );
  }
  return { code: child.handle.exitCode, stdout, stderr: child.log() };
}
