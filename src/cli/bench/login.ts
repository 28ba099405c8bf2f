// The login rows of `tessera bench` (issue 12): sign-ins per second with argon2id at the
// default parameters, and what a storm of sign-ins does to protected requests. The server runs
// in a child process (login-server.ts) so that the load, sent from this process over node:http,
// does not share its thread; on a small machine the two still share the cores, which the report
// says.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  clientAgent,
  closedLoop,
  fire,
  openLoop,
  type Call,
  type LoadResult,
} from './login-load.js';
import { PASSWORD } from './tokens.js';
// Besides the type, this import is what puts login-server.ts in the program, so that tsc builds
// the child's entry into dist/ beside this file (nothing else imports it).
import type { LoginServerReady, ServerUsage } from './login-server.js';

/** Sign-ins a second from the storm's client (issue 12). */
export const STORM_RATE = 50;
/** Connections of the full-tilt sign-in client. */
export const SIGN_IN_CLIENTS = 8;
/** Connections of the protected-request client. */
export const PROTECTED_CONNECTIONS = 10;

/** Where the CPU went during a row (its warm-up included), in cores: 1 is one core all along. */
export interface CpuShare {
  /** The server process, every thread: argon2 runs on its hashing workers. */
  serverCores: number;
  /** Share of the time the server's event loop was busy, 0 to 1. */
  serverLoopBusy: number;
  /** This process: the load's own cost, taken from the same cores. */
  clientCores: number;
}

/** One credential's protected requests, quiet and in the storm. */
export interface ProtectedRow {
  credential: 'bearer token' | 'session cookie';
  quiet: LoadResult;
  storm: LoadResult;
  /** The storm's sign-ins, sent while `storm` was measured. */
  signIns: LoadResult;
  cpu: { quiet: CpuShare; storm: CpuShare };
}

/** What the login rows measured, or why they were not. */
export interface LoginResults {
  phaseMs: number;
  server?: LoginServerReady;
  /** One sign-in at a time. */
  single?: LoadResult;
  /** SIGN_IN_CLIENTS sign-ins at once. */
  fullTilt?: LoadResult;
  protected: ProtectedRow[];
  skipped?: string;
}

interface Child {
  ready: LoginServerReady;
  usage(): Promise<ServerUsage>;
  stop(): Promise<void>;
}

// The node options that say how to load modules (tsx's loader under tsx), which the child needs
// to run a .ts entry; the others (--inspect's port, -e's code, …) are this process's alone.
const LOADER_FLAGS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader']);

/** The loader options of `execArgv`, each with its value. */
export function loaderArgs(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i += 1) {
    const arg = execArgv[i] ?? '';
    const value = execArgv[i + 1];
    if (LOADER_FLAGS.has(arg) && value !== undefined) {
      kept.push(arg, value);
      i += 1;
    } else if (LOADER_FLAGS.has(arg.split('=')[0] ?? '')) kept.push(arg);
  }
  return kept;
}

/** Starts login-server in a child process: .ts under tsx (with tsx's loader), else .js. */
async function startChild(): Promise<Child> {
  const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  const entry = fileURLToPath(new URL(`./login-server.${extension}`, import.meta.url));
  // The child's output goes to our stderr: stdout carries the report.
  const child = spawn(process.execPath, [...loaderArgs(process.execArgv), entry], {
    stdio: ['ignore', 2, 2, 'ipc'],
  });
  try {
    const ready = await new Promise<LoginServerReady>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the bench server did not start')), 30_000);
      child.once('message', (message) => {
        clearTimeout(timer);
        resolve(message as LoginServerReady);
      });
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`the bench server exited with ${code}`)));
    });
    const usage = async () => {
      // Both listeners go when the answer comes: one pair per question, none left behind.
      const settled = new AbortController();
      const { signal } = settled;
      const answer = once(child, 'message', { signal }) as Promise<[ServerUsage]>;
      const exited = once(child, 'exit', { signal }).then(() => {
        throw new Error('the bench server exited during the run');
      });
      exited.catch(() => {}); // aborted once the answer came
      child.send('usage');
      try {
        return (await Promise.race([answer, exited]))[0];
      } finally {
        settled.abort();
      }
    };
    return { ready, usage, stop: () => stopChild(child) };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  if (child.connected) child.disconnect();
  else child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Runs `work` and says where the CPU went meanwhile. */
async function withCpu<T>(child: Child, work: () => Promise<T>): Promise<[T, CpuShare]> {
  const server = await child.usage();
  const client = process.cpuUsage();
  const start = performance.now();
  const result = await work();
  const wallMs = performance.now() - start;
  const serverAfter = await child.usage();
  const clientUs = process.cpuUsage(client);
  const loopMs =
    serverAfter.loopActiveMs + serverAfter.loopIdleMs - server.loopActiveMs - server.loopIdleMs;
  return [
    result,
    {
      serverCores: (serverAfter.cpuMs - server.cpuMs) / wallMs,
      serverLoopBusy: loopMs > 0 ? (serverAfter.loopActiveMs - server.loopActiveMs) / loopMs : 0,
      clientCores: (clientUs.user + clientUs.system) / 1000 / wallMs,
    },
  ];
}

/** The requests of the run: a sign-in, and GET /auth/me by each credential. */
interface Calls {
  signIn: Call;
  byBearer: Call;
  byCookie: Call;
}

/** Signs a user up and in over the API, for a session cookie and an access token. */
async function setUp(base: URL, origin: string): Promise<Calls> {
  const agent = clientAgent(1);
  const email = `bench-login-${randomBytes(4).toString('hex')}@example.com`;
  const post = (path: string, body: object): Call => ({
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify(body),
  });
  const expect = async (call: Call, status: number) => {
    const answer = await fire(base, agent, call);
    if (answer.status !== status) {
      throw new Error(`${call.method} ${call.path} answered ${answer.status}: ${answer.body}`);
    }
    return answer;
  };
  try {
    await expect(post('/auth/signup', { email, password: PASSWORD }), 201);
    const signIn = post('/auth/session', { email, password: PASSWORD });
    const session = await expect(signIn, 200);
    const cookie = [session.headers['set-cookie'] ?? []].flat()[0]?.split(';')[0] ?? '';
    const tokens = await expect(
      post('/auth/token', { email, password: PASSWORD, refresh: 'body' }),
      200,
    );
    const { access_token: token } = JSON.parse(tokens.body) as { access_token: string };
    const me = (headers: Record<string, string>): Call => ({
      method: 'GET',
      path: '/auth/me',
      headers,
    });
    return {
      signIn,
      byBearer: me({ authorization: `Bearer ${token}` }),
      byCookie: me({ cookie }),
    };
  } finally {
    agent.destroy();
  }
}

/**
 * Runs the login rows: one sign-in at a time, sign-ins at full tilt, then per credential
 * protected requests quiet and while a second client sends STORM_RATE sign-ins a second.
 * A server that does not start is reported as not measured, not as a failed bench.
 */
export async function loginRows(
  quick: boolean,
  progress: (label: string) => void,
): Promise<LoginResults> {
  const phaseMs = quick ? 2000 : 5000;
  const warmUpMs = quick ? 300 : 1000;
  let child: Child;
  try {
    progress('login: starting a server in a child process');
    child = await startChild();
  } catch (error) {
    const skipped = error instanceof Error ? error.message : String(error);
    return { phaseMs, protected: [], skipped };
  }
  try {
    const base = new URL(child.ready.url);
    const calls = await setUp(base, child.ready.origin);
    progress('login: one sign-in at a time');
    const single = await closedLoop(base, calls.signIn, { connections: 1, ms: phaseMs, warmUpMs });
    progress(`login: ${SIGN_IN_CLIENTS} sign-ins at once`);
    const fullTilt = await closedLoop(base, calls.signIn, {
      connections: SIGN_IN_CLIENTS,
      ms: phaseMs,
      warmUpMs,
    });
    const rows: ProtectedRow[] = [];
    for (const [credential, call] of [
      ['bearer token', calls.byBearer],
      ['session cookie', calls.byCookie],
    ] as const) {
      const load = { connections: PROTECTED_CONNECTIONS, ms: phaseMs, warmUpMs };
      progress(`login: GET /auth/me by ${credential}, quiet`);
      const [quiet, quietCpu] = await withCpu(child, () => closedLoop(base, call, load));
      progress(`login: GET /auth/me by ${credential}, ${STORM_RATE} sign-ins/s`);
      // The warm-up also lets the storm fill the hashing queue before anything is counted.
      const storm = openLoop(base, calls.signIn, STORM_RATE);
      const [loaded, stormCpu] = await withCpu(child, () => closedLoop(base, call, load));
      rows.push({
        credential,
        quiet,
        storm: loaded,
        signIns: await storm.stop(),
        cpu: { quiet: quietCpu, storm: stormCpu },
      });
    }
    return { phaseMs, server: child.ready, single, fullTilt, protected: rows };
  } finally {
    await child.stop();
  }
}
