/**
 * A redis-server and a PostgreSQL of the test's own, on free loopback ports (never the shared
 * ones), that a test may kill and start again.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Child, waitFor } from './children.js';

/** Whether `command --version` runs. */
export function installed(command: string): boolean {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Answers PING on `port`, or false. */
export async function redisAnswers(port: number): Promise<boolean> {
  const client = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    connectTimeout: 500,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** A redis-server of the test's own on loopback, nothing persisted. */
export class RedisServer {
  private child: Child | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'tessera-redis-'));

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts it (again) on its port; resolves once it answers PING, with the time that took. */
  async start(): Promise<number> {
    const started = performance.now();
    this.child = Child.spawn(
      `redis-server :${this.port}`,
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
      ],
      { cwd: this.dir },
    );
    const child = this.child;
    await waitFor(
      `redis-server on ${this.port}`,
      async () => {
        if (!child.alive) throw new Error(`redis-server exited:\n${child.log()}`);
        return (await redisAnswers(this.port)) ? true : undefined;
      },
      { timeoutMs: 10_000, everyMs: 20 },
    );
    return performance.now() - started;
  }

  /** SIGKILL: clients see their connections drop, and every key is gone (no persistence). */
  async kill(): Promise<void> {
    await this.child?.kill('SIGKILL');
  }

  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The directory of PostgreSQL's server binaries (the highest installed version), if any. */
export function postgresBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter((name) => /^\d+$/.test(name) && existsSync(join(base, name, 'bin/postgres')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return join(base, versions[0], 'bin');
  }
  try {
    return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** PostgreSQL refuses to run as root: then it runs as the `postgres` user. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
  return { uid: id('-u'), gid: id('-g') };
}

/** A PostgreSQL cluster of the test's own, in a temporary directory, on a loopback port. */
export class PostgresServer {
  private child: Child | undefined;

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly bin: string,
    private readonly user: { uid: number; gid: number } | undefined,
  ) {}

  /** Runs initdb (trust auth, superuser `postgres`) into a new temporary directory. */
  static create(port: number, bin: string): PostgresServer {
    const user = postgresUser();
    const dir = mkdtempSync(join(tmpdir(), 'tessera-pg-'));
    if (user) chownSync(dir, user.uid, user.gid);
    const server = new PostgresServer(port, dir, bin, user);
    try {
      execFileSync(
        join(bin, 'initdb'),
        [
          '-D',
          server.dataDir,
          '-A',
          'trust',
          '-U',
          'postgres',
          '-E',
          'UTF8',
          '--locale=C',
          '--no-sync',
        ],
        { stdio: 'pipe', timeout: 30_000, ...(user ?? {}) },
      );
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    return server;
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** Starts the server (again); resolves once it accepts queries, with the time that took. */
  async start(): Promise<number> {
    const started = performance.now();
    // After a SIGKILL the old backends take a moment to notice their postmaster is gone; until
    // they have, a new postmaster refuses the data directory (shared memory still in use).
    for (let attempt = 1; ; attempt += 1) {
      const child = Child.spawn(
        `postgres :${this.port}`,
        join(this.bin, 'postgres'),
        [
          '-D',
          this.dataDir,
          '-p',
          String(this.port),
          '-k',
          this.dir,
          '-c',
          'listen_addresses=127.0.0.1',
          '-c',
          'fsync=on',
        ],
        { cwd: this.dir, ...(this.user ?? {}) },
      );
      this.child = child;
      try {
        await waitFor(
          `postgres on ${this.port}`,
          async () => {
            if (!child.alive)
              throw new Error(`postgres exited (${child.describeExit()}):\n${child.log()}`);
            return (await this.answers()) ? true : undefined;
          },
          { timeoutMs: 15_000, everyMs: 20 },
        );
        return performance.now() - started;
      } catch (error) {
        const exitedEarly = !child.alive;
        await child.kill('SIGKILL');
        if (!exitedEarly || attempt >= 5) throw error;
        await sleep(200);
      }
    }
  }

  /** Whether it accepts a query now. */
  async answers(): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 1000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  }

  /** Stops it abruptly: SIGKILL, or SIGQUIT (what `pg_ctl stop -m immediate` sends). */
  async kill(signal: 'SIGKILL' | 'SIGQUIT' = 'SIGKILL'): Promise<void> {
    await this.child?.kill(signal);
  }

  /** The server's recent log. */
  log(): string {
    return this.child?.log() ?? '';
  }

  async destroy(): Promise<void> {
    await this.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
