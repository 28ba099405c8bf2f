// HTTP throughput of protected routes: a route with no auth against the same route behind
// Tessera's verifier (with its revocation state), fast-jwt (with its cache) and jose; and
// Tessera's own session check (GET /auth/session) with and without the session near cache, on
// SQLite and on Redis. Run: npx tsx bench/http.ts (or npm run bench).
//
// The servers run in a child process (bench/http-target.ts); autocannon loads them from this
// one. Each row is the median of 5 rounds of BENCH_HTTP_SECONDS (2 s) with 10 connections.
// Results go to bench/results/http.md, which is committed: re-run to refresh it.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

const seconds = Number(process.env.BENCH_HTTP_SECONDS ?? 2);
const runs = 5;

const child = spawn(
  process.execPath,
  ['--import', 'tsx', new URL('http-target.ts', import.meta.url).pathname],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const first = await new Promise<string>((resolve, reject) => {
  const lines = createInterface({ input: child.stdout });
  lines.once('line', resolve);
  child.once('exit', (code) => reject(new Error(`bench target exited ${code}`)));
});
const target = JSON.parse(first) as {
  ports: Record<string, number>;
  redis: boolean;
  token: string;
  sqliteCookie: string;
  redisCookie?: string;
};
const at = (name: string, path: string) => `http://127.0.0.1:${target.ports[name]}${path}`;

interface Row {
  group: string;
  name: string;
  url: string;
  headers: Record<string, string>;
  baseline?: boolean;
}
const bearer = { authorization: `Bearer ${target.token}` };
const rows: Row[] = [
  {
    group: 'bearer',
    name: 'no auth (same route, same request: the token is sent and ignored)',
    url: at('resource', '/plain'),
    headers: bearer,
    baseline: true,
  },
  {
    group: 'bearer',
    name: 'no auth, no Authorization header',
    url: at('resource', '/plain'),
    headers: {},
  },
  {
    group: 'bearer',
    name: 'tessera/verify (revocation checked every request)',
    url: at('resource', '/tessera'),
    headers: bearer,
  },
  {
    group: 'bearer',
    name: 'fast-jwt (its cache on, no revocation)',
    url: at('resource', '/fast-jwt'),
    headers: bearer,
  },
  {
    group: 'bearer',
    name: 'jose jwtVerify (no revocation)',
    url: at('resource', '/jose'),
    headers: bearer,
  },
  {
    group: 'session',
    name: 'server, no auth (/healthz)',
    url: at('tessera', '/healthz'),
    headers: {},
    baseline: true,
  },
  {
    group: 'session',
    name: 'no auth, same answer as GET /auth/session (the cookie is sent and ignored)',
    url: at('tessera', '/bench/session-shape'),
    headers: { cookie: `tessera_session=${target.sqliteCookie}` },
  },
  {
    group: 'session',
    name: 'session on SQLite, near cache',
    url: at('tessera', '/auth/session'),
    headers: { cookie: `tessera_session=${target.sqliteCookie}` },
  },
  {
    group: 'session',
    name: 'session on SQLite, no near cache',
    url: at('sqliteNoCache', '/auth/session'),
    headers: { cookie: `tessera_session=${target.sqliteCookie}` },
  },
  {
    group: 'session',
    name: '/auth/me by session cookie (near cache)',
    url: at('tessera', '/auth/me'),
    headers: { cookie: `tessera_session=${target.sqliteCookie}` },
  },
  {
    group: 'session',
    name: '/auth/me by bearer token (revocations in memory, user record kept)',
    url: at('tessera', '/auth/me'),
    headers: bearer,
  },
];
if (target.redis && target.redisCookie) {
  rows.push(
    {
      group: 'session',
      name: 'session on Redis, near cache',
      url: at('redisCache', '/auth/session'),
      headers: { cookie: `tessera_session=${target.redisCookie}` },
    },
    {
      group: 'session',
      name: 'session on Redis, no near cache',
      url: at('redisNoCache', '/auth/session'),
      headers: { cookie: `tessera_session=${target.redisCookie}` },
    },
  );
}

async function once(row: Row): Promise<autocannon.Result> {
  const result = await autocannon({
    url: row.url,
    headers: row.headers,
    connections: 10,
    duration: seconds,
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${row.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  }
  return result;
}

// Rounds of every row, in an order rotated each round, so that background load and warm-up hit
// every row alike; each row's figure is the median of its rounds.
const samples = new Map<Row, autocannon.Result[]>(rows.map((row) => [row, []]));
try {
  for (let round = 0; round < runs; round += 1) {
    const order = rows.map((_, i) => rows[(i + round) % rows.length] as Row);
    for (const row of order) samples.get(row)?.push(await once(row));
    process.stdout.write(`round ${round + 1}/${runs} done\n`);
  }
} finally {
  child.kill('SIGTERM');
}

const lines: string[] = [];
let baseline = 1;
const medianRps = new Map<string, number>();
for (const row of rows) {
  const results = (samples.get(row) ?? []).sort((a, b) => a.requests.average - b.requests.average);
  const median = results[Math.floor(results.length / 2)];
  if (!median) throw new Error('no result');
  const rps = median.requests.average;
  medianRps.set(row.name, rps);
  if (row.baseline) baseline = rps;
  const line = `| ${row.group} | ${row.name} | ${Math.round(rps).toLocaleString('en')} | ${((rps / baseline) * 100).toFixed(1)} % | ${median.latency.p50} | ${median.latency.p99} |`;
  lines.push(line);
  process.stdout.write(`${line}\n`);
}

// Issue 12's goal column against what this run measured, each ratio within this run.
const byPrefix = (prefix: string) =>
  [...medianRps].find(([name]) => name.startsWith(prefix))?.[1] ?? Number.NaN;
const percent = (a: number, b: number) => `${((a / b) * 100).toFixed(0)} %`;
const sameShape = byPrefix('no auth, same answer');
const goals: [string, string, string][] = [
  [
    'bearer route through the verifier toolkit, vs the same route without auth',
    '≥ 90 %',
    percent(byPrefix('tessera/verify'), byPrefix('no auth (same route')),
  ],
  [
    '`GET /auth/session`, near cache, vs the same answer without auth',
    '≥ 85 %',
    percent(byPrefix('session on SQLite, near cache'), sameShape),
  ],
  [
    '`GET /auth/session` without the near cache (SQLite), vs the same answer without auth (vs /healthz)',
    '≥ 35 %',
    `${percent(byPrefix('session on SQLite, no near cache'), sameShape)} (${percent(byPrefix('session on SQLite, no near cache'), byPrefix('server, no auth'))})`,
  ],
  [
    '`GET /auth/me` by bearer token, vs the same route by session cookie',
    '≥ 85 %',
    percent(byPrefix('/auth/me by bearer'), byPrefix('/auth/me by session')),
  ],
];
const goalLines = goals.map(([what, goal, measured]) => `| ${what} | ${goal} | ${measured} |`);
process.stdout.write(`\n${goalLines.join('\n')}\n`);

const markdown = [
  '# HTTP throughput: protected routes and session checks',
  '',
  `- date: ${new Date().toISOString()}`,
  `- node: ${process.version}; cpu: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
  `- method: autocannon, 10 connections, median of ${runs} rounds of ${seconds} s per row, rows interleaved and rotated each round; servers in one child process, load from another`,
  '- ratio: against the first "no auth" row of its group, measured in the same run; for bearer routes that baseline receives the same request, token included, so the ratio isolates the verification',
  '- the bearer token is RS256 (the default); tessera/verify listens to the revocation feed and checks jti, sid and the user cutoff on every request',
  '',
  '| group | route | req/s | vs no auth | p50 ms | p99 ms |',
  '| --- | --- | ---: | ---: | ---: | ---: |',
  ...lines,
  '',
  '## Against the goals of issue 12 (Step 9)',
  '',
  '| path | goal | this run |',
  '| --- | --- | ---: |',
  ...goalLines,
  '',
  'The microservice rows (a session cookie checked by the toolkit in another service) are in [routes.md](routes.md).',
  '',
].join('\n');
mkdirSync(new URL('results/', import.meta.url), { recursive: true });
writeFileSync(new URL('results/http.md', import.meta.url), markdown);
process.stdout.write('\nwritten to bench/results/http.md\n');
