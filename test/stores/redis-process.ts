/**
 * Redis servers the tests start and kill themselves, on free loopback ports, so failure tests
 * never disturb the shared server at 6379. Also: deleting one test's keys by prefix.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { Redis, type Cluster } from 'ioredis';
import { freePort } from '../helpers/live.js';
import { waitUntil } from '../helpers/poll.js';

/** Whether a redis-server binary is on the PATH. */
export function redisServerInstalled(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Whether `port` can be bound on loopback now. */
export async function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  server.listen(port, '127.0.0.1');
  try {
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([error]) => {
        throw error;
      }),
    ]);
  } catch {
    return false;
  }
  server.close();
  await once(server, 'close');
  return true;
}

/** A client for checks and clean-up that fails at once instead of retrying. */
export function adminClient(url: string): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  return client;
}

/** Answers PING on `port`, or false. */
export async function answers(port: number): Promise<boolean> {
  const client = adminClient(`redis://127.0.0.1:${port}`);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** One redis-server child process on loopback, nothing persisted. */
export class RedisProcess {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
  ) {}

  /**
   * Starts `redis-server` on `port` with `args` in `cwd`, and waits for PONG. A sentinel (its
   * config file first in `args`) gets `--sentinel` and no persistence flags, which it refuses.
   */
  static async start(
    port: number,
    options: { args?: string[]; cwd?: string; sentinel?: boolean } = {},
  ): Promise<RedisProcess> {
    const persistence = ['--save', '', '--appendonly', 'no'];
    const child = spawn(
      'redis-server',
      [
        ...(options.args ?? []),
        ...(options.sentinel === true ? ['--sentinel'] : persistence),
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--daemonize',
        'no',
      ],
      { stdio: 'ignore', ...(options.cwd === undefined ? {} : { cwd: options.cwd }) },
    );
    const server = new RedisProcess(port, child);
    try {
      await waitUntil(`redis-server on ${port}`, () => answers(port));
    } catch (error) {
      await server.kill();
      throw error;
    }
    return server;
  }

  /** Freezes (SIGSTOP) or thaws (SIGCONT) the process: its sockets stay open but silent. */
  freeze(frozen: boolean): void {
    this.child.kill(frozen ? 'SIGSTOP' : 'SIGCONT');
  }

  /** Kills the process (SIGKILL: no goodbye to clients) and waits for it to be gone. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await exited;
  }
}

/** Deletes every key whose name starts with `prefix`, on every master when given a Cluster. */
export async function deleteKeys(client: Redis | Cluster, prefix: string): Promise<number> {
  const nodes = 'nodes' in client ? client.nodes('master') : [client];
  let deleted = 0;
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      for (const key of found) deleted += await node.unlink(key);
    } while (cursor !== '0');
  }
  return deleted;
}

export { freePort };
