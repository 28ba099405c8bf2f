// A storm of sign-ins against protected requests: GET /auth/me by bearer token, quiet and while
// a second client drives BENCH_STORM_RATE (50) sign-ins per second (argon2id at the OWASP
// defaults), with the hashing bound off ("before": hashes limited only by the libuv pool) and on
// (the default: cores − 1 at once, queue 32); then sign-ins per second at full tilt.
// Run: npx tsx bench/login-storm.ts. Results go to bench/results/login-storm.md (committed).
//
// Each server runs in a child process (this file with `serve`), the load comes from this one.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

const PASSWORD = 'correct horse battery staple';
const EMAIL = 'storm@example.com';
const seconds = Number(process.env.BENCH_STORM_SECONDS ?? 5);
const rate = Number(process.env.BENCH_STORM_RATE ?? 50);

/** The server: Tessera on SQLite with the given hashing bound; prints its port and a token. */
async function serve(concurrency: string, queue: string): Promise<void> {
  const { loadConfig } = await import('../src/config.js');
  const { systemClock } = await import('../src/core/clock.js');
  const { createCore } = await import('../src/core/tessera.js');
  const { policyFromConfig } = await import('../src/server/policy.js');
  const { buildApp } = await import('../src/server/app.js');
  const { createSqlStores } = await import('../src/stores/sql/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'tessera-storm-'));
  const stores = await createSqlStores({ url: `sqlite:${join(dir, 'storm.db')}` });
  const port = 18_720;
  const issuer = `http://127.0.0.1:${port}`;
  const config = loadConfig(
    {},
    {
      issuer,
      loginIpLimit: 1e6,
      loginAccountLimit: 100_000,
      signupIpLimit: 1e6,
      hashConcurrency: Number(concurrency),
      hashQueue: Number(queue),
    },
  );
  const core = await createCore({ stores, clock: systemClock, policy: policyFromConfig(config) });
  const app = await buildApp({ config, core });
  await app.listen({ host: '127.0.0.1', port });
  await core.accounts.create({ email: EMAIL, password: PASSWORD });
  const login = await core.tokenService.login(
    { email: EMAIL, password: PASSWORD },
    { ip: '127.0.0.1' },
  );
  process.stdout.write(`${JSON.stringify({ url: issuer, token: login.access.token })}\n`);
}

interface Target {
  url: string;
  token: string;
  stop: () => void;
}

async function start(concurrency: number, queue: number): Promise<Target> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL(import.meta.url).pathname, 'serve', `${concurrency}`, `${queue}`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`storm target exited ${code}`)));
  });
  const { url, token } = JSON.parse(first) as { url: string; token: string };
  return { url, token, stop: () => child.kill('SIGTERM') };
}

/** Protected requests for `seconds`, 10 connections; every answer must be 2xx. */
async function protectedLoad(target: Target): Promise<autocannon.Result> {
  const result = await autocannon({
    url: `${target.url}/auth/me`,
    headers: { authorization: `Bearer ${target.token}` },
    connections: 10,
    duration: seconds,
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`/auth/me: ${result.non2xx} non-2xx, ${result.errors} errors`);
  }
  return result;
}

const signIn = (target: Target) => ({
  method: 'POST' as const,
  headers: { 'content-type': 'application/json', origin: target.url },
  body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
});

/** Fires `rate` sign-ins a second, not waiting for answers (an open loop, like real users). */
function storm(target: Target): { stop: () => Promise<Record<string, number>> } {
  const statuses: Record<string, number> = {};
  const pending = new Set<Promise<void>>();
  const timer = setInterval(() => {
    const request = fetch(`${target.url}/auth/session`, signIn(target))
      .then(async (response) => {
        await response.arrayBuffer();
        return String(response.status);
      })
      .catch(() => 'error')
      .then((status) => {
        statuses[status] = (statuses[status] ?? 0) + 1;
        pending.delete(request);
      });
    pending.add(request);
  }, 1000 / rate);
  return {
    stop: async () => {
      clearInterval(timer);
      await Promise.all(pending);
      return statuses;
    },
  };
}

/** Sign-ins as fast as 8 connections can send them. */
async function fullTilt(target: Target): Promise<{ ok: number; busy: number; other: number }> {
  const counts = { ok: 0, busy: 0, other: 0 };
  await autocannon({
    url: `${target.url}/auth/session`,
    ...signIn(target),
    connections: 8,
    duration: seconds,
    setupClient: (client) =>
      client.on('response', (status: number) => {
        if (status === 200) counts.ok += 1;
        else if (status === 503) counts.busy += 1;
        else counts.other += 1;
      }),
  });
  return { ok: counts.ok / seconds, busy: counts.busy / seconds, other: counts.other / seconds };
}

interface Measured {
  mode: string;
  quiet: autocannon.Result;
  loaded: autocannon.Result;
  signIns: Record<string, number>;
  tilt: { ok: number; busy: number; other: number };
}

async function measure(mode: string, concurrency: number, queue: number): Promise<Measured> {
  const target = await start(concurrency, queue);
  try {
    await autocannon({ url: `${target.url}/healthz`, connections: 10, duration: 1 }); // warm-up
    const quiet = await protectedLoad(target);
    const driver = storm(target);
    const loaded = await protectedLoad(target);
    const signIns = await driver.stop();
    const tilt = await fullTilt(target);
    return { mode, quiet, loaded, signIns, tilt };
  } finally {
    target.stop();
  }
}

async function main(): Promise<void> {
  const before = loadavg()[0] ?? 0;
  // "Before": a bound far above the libuv pool's 4 threads, so only the pool limits hashing.
  const runs = [
    await measure('bound off (before)', 1024, 100_000),
    await measure(`bound on: ${Math.max(1, cpus().length - 1)} at once, queue 32 (after)`, 0, 32),
  ];
  const after = loadavg()[0] ?? 0;
  const lines = runs.map(({ mode, quiet, loaded, signIns, tilt }) => {
    const rps = (r: autocannon.Result) => Math.round(r.requests.average).toLocaleString('en');
    const shares = Object.entries(signIns)
      .map(([status, n]) => `${status}: ${n}`)
      .join(', ');
    return `| ${mode} | ${rps(quiet)} | ${quiet.latency.p99} | ${rps(loaded)} | ${loaded.latency.p99} | ${((loaded.requests.average / quiet.requests.average) * 100).toFixed(0)} % | ${(loaded.latency.p99 / Math.max(1, quiet.latency.p99)).toFixed(1)}× | ${shares} | ${tilt.ok.toFixed(1)} | ${tilt.busy.toFixed(1)} |`;
  });
  const markdown = [
    '# Login storm: protected requests while sign-ins hash',
    '',
    `- date: ${new Date().toISOString()}`,
    `- node: ${process.version}; cpu: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}; UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}`,
    `- load average (1 min) before / after: ${before.toFixed(2)} / ${after.toFixed(2)} (other work shares these cores: compare rows of one run, not runs)`,
    `- protected: GET /auth/me by RS256 bearer, autocannon 10 connections, ${seconds} s, quiet then with ${rate} sign-ins/s (argon2id 19 MiB, t=2, p=1; open loop, POST /auth/session) from a second client`,
    `- full tilt: POST /auth/session from 8 connections for ${seconds} s, sign-ins answered 200 and 503 busy per second`,
    '- why a bound helps: @node-rs/argon2’s async hash/verify are napi-rs AsyncTasks, i.e. libuv thread-pool work (4 threads by default), so unbounded a storm runs 4 hashes on 2 cores and the event loop gets what is left; the bound keeps a core for it and answers the excess 503 `busy`',
    '- p99 vs quiet: ratio of p99s, the quiet p99 counted as at least 1 ms (autocannon reports whole ms)',
    '',
    '| hashing | quiet req/s | quiet p99 ms | storm req/s | storm p99 ms | storm/quiet req/s | p99 vs quiet | sign-ins during storm (status: count) | full tilt ok/s | full tilt busy/s |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |',
    ...lines,
    '',
  ].join('\n');
  process.stdout.write(markdown);
  mkdirSync(new URL('results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('results/login-storm.md', import.meta.url), markdown);
  process.stdout.write('\nwritten to bench/results/login-storm.md\n');
}

if (process.argv[2] === 'serve') await serve(process.argv[3] ?? '0', process.argv[4] ?? '32');
else await main();
