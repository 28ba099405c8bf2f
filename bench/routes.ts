// One protected route per mode on Tessera's Fastify middleware (none, bearer, session, either)
// against the peers — Fastify + @fastify/jwt (RS256) and Express + express-session +
// connect-redis — each as a ratio to its own no-auth route, measured with autocannon in the same
// run. Run: npx tsx bench/routes.ts [--quick] (npm run bench runs it after `tessera bench`).
//
// Servers run in a child (bench/routes-target.ts); load comes from this process. Rounds of every
// row are interleaved and rotated so that background load hits every row alike; each figure is
// the median of its rounds. Writes bench/results/routes.md (routes-quick.md with --quick).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { createVerifier } from '../src/verify/index.js';

const quick = process.argv.includes('--quick');
const seconds = quick ? 1 : 3;
const rounds = quick ? 1 : 3;
const load = loadavg();

const child = spawn(
  process.execPath,
  ['--import', 'tsx', new URL('routes-target.ts', import.meta.url).pathname],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const target = JSON.parse(
  await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bench target exited ${code}`)));
  }),
) as {
  ports: Record<string, number>;
  issuer: string;
  feed: { clientId: string; clientSecret: string };
  token: string;
  cookie: string;
  expressCookie: string;
};

interface Row {
  stack: string;
  mode: string;
  port: number;
  path: string;
  headers: Record<string, string>;
  /** The no-auth row of the same stack: the ratio's denominator. */
  baseline?: boolean;
}
const bearer = { authorization: `Bearer ${target.token}` };
const cookie = { cookie: `tessera_session=${target.cookie}` };
const tessera = 'Tessera toolkit (Fastify)';
const rows: Row[] = [
  {
    stack: tessera,
    mode: 'none',
    port: target.ports.resource!,
    path: '/none',
    headers: bearer,
    baseline: true,
  },
  {
    stack: tessera,
    mode: 'bearer',
    port: target.ports.resource!,
    path: '/bearer',
    headers: bearer,
  },
  {
    stack: tessera,
    mode: 'session',
    port: target.ports.resource!,
    path: '/session',
    headers: cookie,
  },
  {
    stack: tessera,
    mode: 'either (bearer sent)',
    port: target.ports.resource!,
    path: '/either',
    headers: bearer,
  },
  {
    stack: tessera,
    mode: 'either (cookie sent)',
    port: target.ports.resource!,
    path: '/either',
    headers: cookie,
  },
  {
    stack: 'Fastify + @fastify/jwt RS256',
    mode: 'none',
    port: target.ports.fastifyJwt!,
    path: '/none',
    headers: bearer,
    baseline: true,
  },
  {
    stack: 'Fastify + @fastify/jwt RS256',
    mode: 'bearer (no revocation)',
    port: target.ports.fastifyJwt!,
    path: '/bearer',
    headers: bearer,
  },
  {
    stack: 'Express + express-session + connect-redis',
    mode: 'none',
    port: target.ports.express!,
    path: '/none',
    headers: { cookie: target.expressCookie },
    baseline: true,
  },
  {
    stack: 'Express + express-session + connect-redis',
    mode: 'session',
    port: target.ports.express!,
    path: '/session',
    headers: { cookie: target.expressCookie },
  },
];

async function once(row: Row, duration = seconds): Promise<autocannon.Result> {
  const result = await autocannon({
    url: `http://127.0.0.1:${row.port}${row.path}`,
    headers: row.headers,
    connections: 10,
    duration,
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${row.stack} ${row.mode}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  }
  return result;
}

/**
 * Revocation to rejection, for a token: a verifier in this process (the server is in the child)
 * follows the revocation feed; each sample issues a token, sees it accepted, revokes it at the
 * server and polls the verifier every millisecond until it refuses it.
 */
async function revocationLatencies(count: number): Promise<number[]> {
  const verifier = await createVerifier({
    issuer: target.issuer,
    revocations: { feed: target.feed },
  });
  const resource = `http://127.0.0.1:${target.ports.resource}`;
  const latencies: number[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const { token } = (await (await fetch(`${resource}/bench/issue`)).json()) as {
        token: string;
      };
      const { jti, exp } = await verifier.verify(token);
      const start = performance.now();
      await fetch(`${resource}/bench/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jti, exp }),
      });
      for (;;) {
        const refused = await verifier.verify(token).then(
          () => false,
          () => true,
        );
        if (refused) break;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      // The first sample also waits for the feed's connection: untimed.
      if (i > 0) latencies.push(performance.now() - start);
    }
  } finally {
    await verifier.close();
  }
  return latencies.sort((a, b) => a - b);
}
const progressRevocation = () => process.stderr.write('routes: revocation-to-rejection latency\n');
const revocationMs: number[] = [];
const pct = (q: number) =>
  (
    revocationMs[Math.min(revocationMs.length - 1, Math.floor(q * revocationMs.length))] ?? 0
  ).toFixed(1);

const samples = new Map<Row, autocannon.Result[]>(rows.map((row) => [row, []]));
try {
  // Half a second of each row first, untimed, so no row pays for the JIT's warm-up.
  for (const row of rows) await once(row, 0.5);
  for (let round = 0; round < rounds; round += 1) {
    for (let i = 0; i < rows.length; i += 1) {
      const row = rows[(i + round) % rows.length]!;
      process.stderr.write(`routes: round ${round + 1}/${rounds} · ${row.stack} · ${row.mode}\n`);
      samples.get(row)?.push(await once(row));
    }
  }
  progressRevocation();
  revocationMs.push(...(await revocationLatencies(quick ? 11 : 51)));
} finally {
  child.kill('SIGTERM');
}

const rps = (row: Row) => {
  const results = (samples.get(row) ?? []).sort((a, b) => a.requests.average - b.requests.average);
  return results[Math.floor(results.length / 2)]?.requests.average ?? 0;
};
// Same work, absolute req/s: Tessera's bearer route against @fastify/jwt's, its session route
// against express-session's. The report says where Tessera is the slower of the two.
const pairs: [Row, Row][] = [
  [rows[1]!, rows[6]!],
  [rows[2]!, rows[8]!],
];
const verdicts = pairs.map(([ours, peer]) => {
  const ratio = rps(ours) / rps(peer);
  const word = ratio < 1 ? '**Tessera is slower**' : 'Tessera is faster';
  return `- ${ours.mode}: ${word} than ${peer.stack} (${Math.round(rps(ours)).toLocaleString('en-US')} vs ${Math.round(rps(peer)).toLocaleString('en-US')} req/s, ${(ratio * 100).toFixed(0)} %)`;
});

let baseline = 1;
const lines = rows.map((row) => {
  const results = (samples.get(row) ?? []).sort((a, b) => a.requests.average - b.requests.average);
  const median = results[Math.floor(results.length / 2)]!;
  const rps = median.requests.average;
  if (row.baseline) baseline = rps;
  return `| ${row.stack} | ${row.mode} | ${Math.round(rps).toLocaleString('en-US')} | ${((rps / baseline) * 100).toFixed(0)} % | ${median.latency.p50} | ${median.latency.p99} |`;
});

const markdown = [
  '# Protected routes: Tessera toolkit against peers',
  '',
  `- command: \`npx tsx bench/routes.ts${quick ? ' --quick' : ''}\` (also run by \`npm run bench\`)`,
  `- date: ${new Date().toISOString()}; node ${process.version}; cpu: ${cpus()[0]?.model.trim() ?? 'unknown'} × ${cpus().length}`,
  `- load average at start: ${load.map((n) => n.toFixed(2)).join(', ')}`,
  `- method: autocannon, 10 connections, median of ${rounds} round(s) of ${seconds} s per row, rows interleaved and rotated; servers in one child process, load from this one`,
  '- ratio: against the no-auth route of the same server, same request (the credential is sent and ignored)',
  "- Tessera: access token RS256 (the default) verified by `createVerifier` with the revocation feed; the session mode asks the Tessera server's `GET /auth/session` (SQLite, near cache on) per request, the toolkit's default (`cacheMs` 0). @fastify/jwt checks no revocation; express-session reads Redis per request.",
  '',
  '| stack | mode | req/s | vs its no-auth route | p50 ms | p99 ms |',
  '| --- | --- | ---: | ---: | ---: | ---: |',
  ...lines,
  '',
  '## Same work, side by side',
  '',
  ...verdicts,
  '',
  '## Revocation to rejection (token)',
  '',
  'A verifier in another process than the server (createVerifier, SSE revocation feed); from the revoke call at the server to the first refused verify, polled every 1 ms.',
  '',
  '| credential | samples | p50 ms | p99 ms |',
  '| --- | ---: | ---: | ---: |',
  `| access token (jti revoked) | ${revocationMs.length} | ${pct(0.5)} | ${pct(0.99)} |`,
  '',
  "Not yet measured: better-auth `getSession` (default and with its cookie cache) and its cookie cache's revocation latency; revocation-to-rejection for a session (the session events on the feed are another part of Step 9).",
  '',
].join('\n');
process.stdout.write(`${markdown}\n`);
mkdirSync(new URL('results/', import.meta.url), { recursive: true });
writeFileSync(new URL(`results/routes${quick ? '-quick' : ''}.md`, import.meta.url), markdown);
