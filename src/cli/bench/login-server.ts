// The server that the login rows of `tessera bench` load, run as a child process of the bench
// (see login.ts) so that the load and the server do not share a thread: the whole server as
// `tessera serve` starts it, on an SQLite file in a temporary folder, with the default argon2id
// parameters and hashing bound (TESSERA_HASH_CONCURRENCY / TESSERA_HASH_QUEUE are read, so a
// user can try another bound). Only the login limits are raised: every sign-in of the bench
// comes from 127.0.0.1 for one account, so the per-IP limit would answer 429 after 100, and the
// per-account one (every attempt counts until one succeeds) as soon as more than 10 sign-ins
// wait in the hashing queue at once — that limit, not hashing, would then be measured.
//
// It tells the bench its URL and bound over the IPC channel, answers 'usage' with the CPU it
// used, and stops when the channel closes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../config.js';
import { hashGate, hashingPriority } from '../../core/passwords/hash.js';
import { startServer } from '../../server/start.js';

/** The first message the child sends. */
export interface LoginServerReady {
  url: string;
  /** The Origin a browser on the issuer would send, which sign-in requires. */
  origin: string;
  hashConcurrency: number;
  hashQueue: number;
  /** The nice value the hashing threads run at (and why not lowered, if so). */
  hashNice: number;
  hashNiceUnavailable?: string;
  argon2: { memoryKiB: number; iterations: number; parallelism: number };
}

/** What the server used so far, sent when the bench asks ('usage'). */
export interface ServerUsage {
  /** CPU time of the whole process, every thread (the hashing workers included), ms. */
  cpuMs: number;
  /** Time the event loop was busy, and idle, ms. */
  loopActiveMs: number;
  loopIdleMs: number;
}

/** The only settings taken from the environment: the hashing bound under test. */
const BOUND_VARIABLES = [
  'TESSERA_HASH_CONCURRENCY',
  'TESSERA_HASH_QUEUE',
  'TESSERA_HASH_NICE',
] as const;

const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-login-'));
const issuer = 'http://127.0.0.1';
const config = loadConfig(
  { env: Object.fromEntries(BOUND_VARIABLES.map((name) => [name, process.env[name]])) },
  {
    issuer,
    host: '127.0.0.1',
    port: 0,
    databaseUrl: `sqlite:${join(dir, 'bench.db')}`,
    loginIpLimit: 1_000_000,
    loginAccountLimit: 100_000,
    // Warnings about the missing secret and mail server concern a real deployment, not this one.
    logLevel: 'error',
    logRequests: false,
  },
);
const server = await startServer(config);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  try {
    await server.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}
process.on('disconnect', () => void stop());
// Ctrl-C reaches the whole process group: the child stops too, and takes its folder with it.
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void stop());

const ready: LoginServerReady = {
  url: server.url,
  origin: issuer,
  hashConcurrency: hashGate().bound.concurrency,
  hashQueue: hashGate().bound.queue,
  ...(await hashingPriority().then((p) => ({
    hashNice: p.nice,
    ...(p.unavailable === undefined ? {} : { hashNiceUnavailable: p.unavailable }),
  }))),
  argon2: {
    memoryKiB: config.argon2MemoryKiB,
    iterations: config.argon2Iterations,
    parallelism: config.argon2Parallelism,
  },
};
process.on('message', (message) => {
  if (message !== 'usage') return;
  const cpu = process.cpuUsage();
  const loop = performance.eventLoopUtilization();
  const usage: ServerUsage = {
    cpuMs: (cpu.user + cpu.system) / 1000,
    loopActiveMs: loop.active,
    loopIdleMs: loop.idle,
  };
  process.send?.(usage);
});
if (process.send) process.send(ready);
else {
  process.stderr.write('login-server: started by `tessera bench` over IPC only\n');
  await stop();
}
