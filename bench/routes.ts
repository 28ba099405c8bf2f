// One protected route per mode on Tessera's Fastify middleware (none, bearer, session kept on the
// feed, session asking Tessera every time, either) against the peers — Fastify + @fastify/jwt
// (RS256), Express + express-session + connect-redis, and better-auth's getSession (default and
// with its cookie cache) — each as a ratio to its own no-auth route, measured with autocannon in
// the same run; then revocation to rejection (a token, a session, better-auth's sign-out) and
// sign-in latency (bench/routes-latency.ts). Run: npx tsx bench/routes.ts [--quick] (npm run
// bench runs it after `tessera bench`).
//
// Each stack runs in its own child process — the Tessera servers (bench/routes-tessera.ts),
// better-auth (better-auth-target.ts), the resource servers (routes-target.ts) — and load comes
// from this process. Rounds of every row are interleaved and rotated so that background load
// hits every row alike; each figure is the median of its rounds. Writes bench/results/routes.md
// and routes.svg (routes-quick.* with --quick).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import autocannon from 'autocannon';
import { betterAuthSignIn, type BetterAuthChild } from './routes-better-auth.js';
import { routesChart } from './routes-chart.js';
import { startChild, stopChildren, type Child } from './routes-child.js';
import {
  betterAuthRevocation,
  quantile,
  sessionRevocation,
  signInLatency,
  tokenRevocation,
  type Target,
} from './routes-latency.js';
import type { TargetChild } from './routes-target.js';
import type { TesseraChild } from './routes-tessera.js';

const quick = process.argv.includes('--quick');
const seconds = quick ? 1 : 3;
const rounds = quick ? 1 : 3;
const load = loadavg();
const samplesOf = quick ? 11 : 51;
const signIns = quick ? 5 : 20;

// Each stack in its own process (routes-child.ts says why): the Tessera servers and better-auth
// first, then the resource servers, which verify against that Tessera.
const children: Child<unknown>[] = [];
const start = <T>(entry: string, env: Record<string, string> = {}) => {
  const child = startChild<T>(entry, quick ? ['--quick'] : [], env);
  children.push(child);
  return child.ready;
};
let target: Target;
try {
  const [tesseraChild, betterAuthChild] = await Promise.all([
    start<TesseraChild>('routes-tessera.ts'),
    start<BetterAuthChild>('better-auth-target.ts'),
  ]);
  const resourceChild = await start<TargetChild>('routes-target.ts', {
    BENCH_TESSERA: JSON.stringify(tesseraChild),
  });
  if (resourceChild.promiseHooks) {
    throw new Error("promise hooks are on in the resource servers' process (routes-target.ts)");
  }
  target = {
    ...tesseraChild,
    ports: { ...tesseraChild.ports, ...resourceChild.ports, betterAuth: betterAuthChild.port },
    expressCookie: resourceChild.expressCookie,
    betterAuthMaxAge: betterAuthChild.maxAge,
  };
} catch (error) {
  await stopChildren(children);
  throw error;
}

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
const betterAuthPeer = {
  port: target.ports.betterAuth!,
  email: target.email,
  password: target.password,
};
// Signed in below. The cookie-cache one again before every round: autocannon never stores the
// refreshed cookie a getSession past maxAge would set, so each round starts well within maxAge.
const betterAuthCookie = { cookie: '' };
const betterAuthCachedCookie = { cookie: '' };
const cachedMaxAge = target.betterAuthMaxAge.cached;
const tessera = 'Tessera toolkit (Fastify)';
const fastifyJwt = 'Fastify + @fastify/jwt RS256';
const express = 'Express + express-session + connect-redis';
const betterAuth = 'Fastify + better-auth 1.7 (SQLite)';
const row = (
  stack: string,
  mode: string,
  port: string,
  path: string,
  headers: Record<string, string>,
  baseline = false,
): Row => ({ stack, mode, port: target.ports[port]!, path, headers, baseline });
const r = {
  tesseraNone: row(tessera, 'none', 'resource', '/none', bearer, true),
  tesseraBearer: row(tessera, 'bearer', 'resource', '/bearer', bearer),
  tesseraSession: row(
    tessera,
    'session (default: kept on the feed)',
    'resource',
    '/session',
    cookie,
  ),
  tesseraSessionAsk: row(
    tessera,
    'session, maxCacheMs: 0 (asks Tessera per request)',
    'resource',
    '/session-ask',
    cookie,
  ),
  tesseraEitherBearer: row(tessera, 'either (bearer sent)', 'resource', '/either', bearer),
  tesseraEitherCookie: row(
    tessera,
    'either (cookie sent; default: kept on the feed)',
    'resource',
    '/either',
    cookie,
  ),
  jwtNone: row(fastifyJwt, 'none', 'fastifyJwt', '/none', bearer, true),
  jwtBearer: row(fastifyJwt, 'bearer (no revocation)', 'fastifyJwt', '/bearer', bearer),
  expressNone: row(express, 'none', 'express', '/none', { cookie: target.expressCookie }, true),
  expressSession: row(express, 'session', 'express', '/session', {
    cookie: target.expressCookie,
  }),
  betterAuthNone: row(betterAuth, 'none', 'betterAuth', '/none', betterAuthCookie, true),
  betterAuthDefault: row(
    betterAuth,
    'getSession, default config',
    'betterAuth',
    '/default',
    betterAuthCookie,
  ),
  betterAuthCached: row(
    betterAuth,
    `getSession, cookieCache (maxAge ${cachedMaxAge} s)`,
    'betterAuth',
    '/cached',
    betterAuthCachedCookie,
  ),
};
const rows: Row[] = Object.values(r);

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

const samples = new Map<Row, autocannon.Result[]>(rows.map((row) => [row, []]));
// better-auth's SQLite statements during its rows' timed runs, per request: which route reads.
const statements = new Map<Row, { statements: number; requests: number }>();
const statementCount = async () =>
  (
    (await (
      await fetch(`http://127.0.0.1:${target.ports.betterAuth}/bench/statements`)
    ).json()) as { statements: number }
  ).statements;
const progress = (text: string) =>
  process.stderr.write(`routes: ${process.uptime().toFixed(1)} s · ${text}\n`);
let tokenMs: number[] = [];
let session: Awaited<ReturnType<typeof sessionRevocation>>;
let sessionAsk: Awaited<ReturnType<typeof sessionRevocation>>;
let betterAuthPlain: Awaited<ReturnType<typeof betterAuthRevocation>>;
let betterAuthShort: Awaited<ReturnType<typeof betterAuthRevocation>>;
let signIn: Awaited<ReturnType<typeof signInLatency>>;
const shortMaxAge = target.betterAuthMaxAge.short;
const boundMs = (shortMaxAge + 2) * 1000;
try {
  betterAuthCookie.cookie = await betterAuthSignIn(betterAuthPeer, 'default');
  betterAuthCachedCookie.cookie = await betterAuthSignIn(betterAuthPeer, 'cached');
  // Half a second of each row first (a quarter with --quick), untimed, so no row pays for the
  // JIT's warm-up.
  for (const row of rows) await once(row, quick ? 0.25 : 0.5);
  for (let round = 0; round < rounds; round += 1) {
    betterAuthCachedCookie.cookie = await betterAuthSignIn(betterAuthPeer, 'cached');
    for (let i = 0; i < rows.length; i += 1) {
      const row = rows[(i + round) % rows.length]!;
      progress(`round ${round + 1}/${rounds} · ${row.stack} · ${row.mode}`);
      const before = row.stack === betterAuth ? await statementCount() : 0;
      const result = await once(row);
      samples.get(row)?.push(result);
      if (row.stack === betterAuth) {
        const seen = statements.get(row) ?? { statements: 0, requests: 0 };
        seen.statements += (await statementCount()) - before;
        seen.requests += result.requests.total;
        statements.set(row, seen);
      }
    }
  }
  progress('revocation to rejection: token');
  tokenMs = await tokenRevocation(target, samplesOf);
  progress('revocation to rejection: session at the toolkit');
  session = await sessionRevocation(target, samplesOf - 1, true);
  sessionAsk = await sessionRevocation(target, samplesOf - 1, false);
  progress('revocation to rejection: better-auth, default config');
  betterAuthPlain = await betterAuthRevocation(target, 'default', {
    count: samplesOf - 1,
    parallel: 1,
    boundMs,
  });
  progress(`revocation to rejection: better-auth, cookie cache maxAge ${shortMaxAge} s`);
  betterAuthShort = await betterAuthRevocation(target, 'short', {
    count: quick ? 5 : 20,
    parallel: quick ? 5 : 10,
    boundMs,
  });
  progress(`sign-in latency (${signIns} each)`);
  signIn = await signInLatency(target, signIns);
} finally {
  await stopChildren(children);
}

const median = (row: Row) => {
  const results = (samples.get(row) ?? []).sort((a, b) => a.requests.average - b.requests.average);
  return results[Math.floor(results.length / 2)]!;
};
const rps = (row: Row) => median(row).requests.average;
const baselineOf = (row: Row) => rows.find((other) => other.baseline && other.stack === row.stack)!;
const ratio = (row: Row) => rps(row) / rps(baselineOf(row));
const int = (n: number) => Math.round(n).toLocaleString('en-US');

// Same work, absolute req/s, Tessera first. The report says where Tessera is the slower one.
const pairs: [Row, Row, string][] = [
  [r.tesseraBearer, r.jwtBearer, 'a bearer token, verified locally'],
  [r.tesseraSession, r.expressSession, 'a session cookie'],
  [r.tesseraSession, r.betterAuthCached, 'a session answered without a database read'],
  [r.tesseraSessionAsk, r.betterAuthDefault, 'a session checked at its store on every request'],
  [r.tesseraSession, r.betterAuthDefault, "each stack's default for a session"],
];
const verdict = (ours: number, theirs: number, higherIsBetter: boolean) =>
  (higherIsBetter ? ours < theirs : ours > theirs) ? '**Tessera is slower**' : 'Tessera is faster';
const verdicts = pairs.map(([ours, peer, what]) => {
  const share = rps(ours) / rps(peer);
  return `- ${what}: Tessera ${ours.mode} against ${peer.stack} ${peer.mode} — ${verdict(rps(ours), rps(peer), true)} (${int(rps(ours))} vs ${int(rps(peer))} req/s, ${(share * 100).toFixed(0)} %)`;
});
const p50 = (values: readonly number[]) => Number(quantile(values, 0.5));
verdicts.push(
  `- sign-in, p50: Tessera POST /auth/session against better-auth's email sign-in — ${verdict(p50(signIn!.tessera), p50(signIn!.betterAuth), false)} (${quantile(signIn!.tessera, 0.5)} vs ${quantile(signIn!.betterAuth, 0.5)} ms; different hashers, below)`,
);
// Revocation to rejection, p50 (lower is faster); a peer row with no refusal is left out.
const revocationPairs: [string, number[], string, number[]][] = [
  [
    'kept on the feed (default)',
    session!.latencies,
    'getSession, default config',
    betterAuthPlain!.latencies,
  ],
  [
    'kept on the feed (default)',
    session!.latencies,
    `getSession, cookieCache maxAge ${shortMaxAge} s`,
    betterAuthShort!.latencies,
  ],
  [
    'maxCacheMs: 0',
    sessionAsk!.latencies,
    'getSession, default config',
    betterAuthPlain!.latencies,
  ],
];
for (const [ours, ourMs, theirs, theirMs] of revocationPairs) {
  if (ourMs.length === 0 || theirMs.length === 0) continue;
  verdicts.push(
    `- a revoked session refused, p50: Tessera's toolkit, ${ours}, against better-auth ${theirs} — ${verdict(p50(ourMs), p50(theirMs), false)} (${quantile(ourMs, 0.5)} vs ${quantile(theirMs, 0.5)} ms)`,
  );
}

const lines = rows.map((row) => {
  const result = median(row);
  return `| ${row.stack} | ${row.mode} | ${int(result.requests.average)} | ${(ratio(row) * 100).toFixed(0)} % | ${result.latency.p50} | ${result.latency.p99} |`;
});
const suffix = quick ? '-quick' : '';
const date = new Date().toISOString();
const cpu = `${cpus()[0]?.model.trim() ?? 'unknown'} × ${cpus().length}`;
const revocationRow = (what: string, values: readonly number[], unrefused = 0) =>
  `| ${what} | ${values.length} | ${quantile(values, 0.5)} | ${quantile(values, 0.99)} | ${unrefused} |`;

const markdown = [
  '# Protected routes: Tessera toolkit against peers',
  '',
  `- command: \`npx tsx bench/routes.ts${quick ? ' --quick' : ''}\` (also run by \`npm run bench\`)`,
  `- date: ${date}; node ${process.version}; cpu: ${cpu}`,
  `- load average at start: ${load.map((n) => n.toFixed(2)).join(', ')}; NODE_ENV ${process.env.NODE_ENV ?? 'unset'}`,
  `- method: autocannon, 10 connections, median of ${rounds} round(s) of ${seconds} s per row, rows interleaved and rotated; servers in child processes, load from this one`,
  "- each stack runs in its own process: the Tessera servers, better-auth, and the resource servers (Tessera toolkit, @fastify/jwt, express-session) together in a third. Tessera's server and better-auth use AsyncLocalStorage, which on Node 20 turns on promise hooks for their whole process and so slows every stack sharing it; a microservice does not share its process with the auth server (promise hooks checked off in the resource servers' process).",
  '- ratio: against the no-auth route of the same server, same request (the credential is sent and ignored)',
  "- Tessera: access token RS256 (the default) verified by `createVerifier` with the revocation feed. Sessions: by default (`session (default: kept on the feed)`, and `either` with a cookie) the middleware's verifier follows the feed, so Tessera's answer for a cookie is kept in memory on the feed's word (up to `maxCacheMs`, 60 s, or the session's idle deadline) and the server is not asked; `session, maxCacheMs: 0` asks the Tessera server's `GET /auth/session` (SQLite, near cache on) on every request.",
  "- Peers: @fastify/jwt checks no revocation; express-session reads Redis per request; better-auth 1.7.25 (better-sqlite3 in WAL mode as Tessera's SQLite store, through better-auth's Kysely adapter; telemetry off, its rate limit off as Tessera's is raised) calls `auth.api.getSession({ headers })`, which by default reads the session and its user from SQLite per request, and with `session.cookieCache` trusts its `session_data` cookie (default strategy `compact`, HMAC-signed) until maxAge (no read; the cookie is signed in again before each round so it is never past maxAge).",
  `- better-auth's SQLite statements per request during its timed runs: ${[...statements].map(([row, seen]) => `${row.mode} ${(seen.statements / Math.max(1, seen.requests)).toFixed(2)}`).join('; ')}`,
  '',
  `![req/s as a share of the own no-auth route](routes${suffix}.svg)`,
  '',
  '| stack | mode | req/s | vs its no-auth route | p50 ms | p99 ms |',
  '| --- | --- | ---: | ---: | ---: | ---: |',
  ...lines,
  '',
  '## Same work, side by side',
  '',
  ...verdicts,
  '',
  '## Revocation to rejection',
  '',
  "From the revoke (or sign-out) call at the server to the first refusal of the old credential, polled every 1 ms; with fewer than 100 samples, p99 is the slowest one. Tessera: a verifier and the toolkit's session check in another process than the server (createVerifier, SSE revocation feed). Each session is created at the server, checked twice by the toolkit's session check as the middleware builds it, then revoked with `core.sessions.revoke`. By default (kept on the feed) the second check is answered from the kept copy: " +
    `${session!.keptAnswers} of ${session!.latencies.length} samples asked Tessera no second time (with maxCacheMs: 0, ${sessionAsk!.keptAnswers} of ${sessionAsk!.latencies.length}). ` +
    `better-auth: sign in by email, cookie accepted by getSession, \`POST …/sign-out\` with that cookie, then the old cookie sent again (as a copy of it would be) until refused or ${boundMs / 1000} s (maxAge + 2 s). With the cookie cache the cookie is freshly signed at the sign-out, the longest window (an older cookie is refused sooner); its rows use maxAge ${shortMaxAge} s${quick ? ' (--quick)' : ''}, not the ${cachedMaxAge} s (better-auth's default) of the throughput row, so that the run stays short: the window follows the maxAge in force.`,
  '',
  '| credential | samples refused | p50 ms | p99 ms | not refused within the bound |',
  '| --- | ---: | ---: | ---: | ---: |',
  revocationRow('Tessera access token (jti revoked), verifier on the feed', tokenMs),
  revocationRow(
    "Tessera session cookie, toolkit's session check (default: kept on the feed)",
    session!.latencies,
  ),
  revocationRow(
    "Tessera session cookie, toolkit's session check with maxCacheMs: 0 (asks Tessera)",
    sessionAsk!.latencies,
  ),
  revocationRow(
    'better-auth session cookie, getSession, default config (signed out)',
    betterAuthPlain!.latencies,
    betterAuthPlain!.unrefused,
  ),
  revocationRow(
    `better-auth session cookie, getSession, cookieCache maxAge ${shortMaxAge} s (signed out)`,
    betterAuthShort!.latencies,
    betterAuthShort!.unrefused,
  ),
  '',
  '## Sign-in latency',
  '',
  `${signIns} sequential sign-ins each over HTTP, the two stacks alternating, after one untimed each; one client, no concurrency.`,
  '',
  '| stack | request | hasher | samples | p50 ms | p99 ms |',
  '| --- | --- | --- | ---: | ---: | ---: |',
  `| Tessera | \`POST /auth/session\` (a second Tessera in the Tessera servers' process, defaults but its rate limits) | argon2id m=${target.argon2.memoryKiB} KiB, t=${target.argon2.iterations}, p=${target.argon2.parallelism} (the defaults) | ${signIn!.tessera.length} | ${quantile(signIn!.tessera, 0.5)} | ${quantile(signIn!.tessera, 0.99)} |`,
  `| better-auth | \`POST /api/auth/sign-in/email\` | its default: scrypt N=16384, r=16, p=1 (node:crypto) | ${signIn!.betterAuth.length} | ${quantile(signIn!.betterAuth, 0.5)} | ${quantile(signIn!.betterAuth, 0.99)} |`,
  '',
].join('\n');
process.stdout.write(`${markdown}\n`);
mkdirSync(new URL('results/', import.meta.url), { recursive: true });
writeFileSync(new URL(`results/routes${suffix}.md`, import.meta.url), markdown);
writeFileSync(
  new URL(`results/routes${suffix}.svg`, import.meta.url),
  routesChart(
    rows
      .filter((row) => !row.baseline)
      .map((row) => ({ stack: row.stack, mode: row.mode, ratio: ratio(row) })),
    `${date.slice(0, 10)}, ${cpu}, load ${load[0]!.toFixed(2)}${quick ? ', --quick' : ''}`,
  ),
);
