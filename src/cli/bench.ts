/**
 * `tessera bench`: Tessera's comparison table measured on this machine and its stores — the
 * size of each credential on the wire, the cost of verifying an access token per algorithm
 * against the raw node:crypto floor, sign-ins per second with argon2id and what a storm of them
 * does to protected requests (a server in a child process), the cost of a session check per
 * store with and without the near cache, and what scale does to it (1k–1M stored sessions on
 * PostgreSQL and Redis, verifier memory per 100k revocations, feed fan-out to 200 verifiers).
 * Writes a Markdown report and an SVG chart.
 *
 *   tessera bench [--quick] [--out DIR] [--postgres-url URL] [--redis-url URL]
 *
 * `--quick` runs each row for 250 ms instead of 2 s, and smaller scale rows (a run of seconds,
 * not minutes). The report goes
 * to DIR (default bench/results) as tessera-bench.md and .svg (tessera-bench-quick.* for a quick
 * run, so it never replaces the committed full report). A store that does not answer is listed
 * as not measured rather than failing the run. Only src/ is imported: the command works from
 * the published package; the peer comparisons that need other frameworks live in bench/.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { TesseraError } from '../core/errors.js';
import { loginRows } from './bench/login.js';
import { checksChart, markdownReport, type BenchResults, type Machine } from './bench/report.js';
import { sessionRows } from './bench/sessions.js';
import { scaleRows } from './bench/scale.js';
import { tokenRows } from './bench/tokens.js';

const USAGE = 'usage: tessera bench [--quick] [--out DIR] [--postgres-url URL] [--redis-url URL]';

interface BenchArgs {
  quick: boolean;
  out: string;
  postgresUrl: string;
  redisUrl: string;
}

export function parseBenchArgs(argv: readonly string[], env = process.env): BenchArgs {
  const args: BenchArgs = {
    quick: false,
    out: 'bench/results',
    postgresUrl: env.TESSERA_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    redisUrl: env.TESSERA_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
  const valued = {
    '--out': 'out',
    '--postgres-url': 'postgresUrl',
    '--redis-url': 'redisUrl',
  } as const;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--quick') args.quick = true;
    else if (arg in valued) {
      const value = argv[i + 1];
      if (value === undefined)
        throw new TesseraError('invalid_request', `${arg} needs a value; ${USAGE}`);
      args[valued[arg as keyof typeof valued]] = value;
      i += 1;
    } else throw new TesseraError('invalid_request', `unknown argument "${arg}"; ${USAGE}`);
  }
  return args;
}

function machine(): Machine {
  return {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus().length,
    memoryGiB: totalmem() / 2 ** 30,
    os: `${platform()} ${release()}`,
    node: process.version,
    tessera: packageVersion(),
    loadAverage: loadavg(),
  };
}

// src/cli and dist/cli both sit two levels below a package.json that carries the version.
function packageVersion(): string {
  try {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    return (JSON.parse(text) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** One line per step on stderr (rewritten in place on a terminal), so stdout stays the report. */
function progressLine(): (label: string) => void {
  let step = 0;
  const started = performance.now();
  return (label) => {
    step += 1;
    const seconds = ((performance.now() - started) / 1000).toFixed(0).padStart(3);
    const line = `tessera bench ${seconds} s · step ${step} · ${label}`;
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${line}`);
    else process.stderr.write(`${line}\n`);
  };
}

export async function bench(argv: readonly string[]): Promise<void> {
  const args = parseBenchArgs(argv);
  const runMs = args.quick ? 250 : 2000;
  const progress = progressLine();
  const about = machine();
  const started = performance.now();
  const { sizes, verify } = await tokenRows(runMs, progress);
  // Sign-ins get seconds per row whatever runMs is: a hash takes tens of milliseconds.
  const login = await loginRows(args.quick, progress);
  const sessions = await sessionRows(args, runMs, progress);
  const scale = await scaleRows(args, args.quick, runMs, progress);
  if (process.stderr.isTTY) process.stderr.write('\n');
  const results: BenchResults = {
    machine: about,
    command: `tessera bench${args.quick ? ' --quick' : ''}`,
    quick: args.quick,
    runMs,
    seconds: (performance.now() - started) / 1000,
    login,
    sizes,
    verify,
    sessions,
    scale,
  };
  const name = args.quick ? 'tessera-bench-quick' : 'tessera-bench';
  const markdown = markdownReport(results, `${name}.svg`);
  mkdirSync(args.out, { recursive: true });
  writeFileSync(join(args.out, `${name}.md`), markdown);
  writeFileSync(join(args.out, `${name}.svg`), checksChart(results));
  process.stdout.write(`${markdown}\nwritten to ${join(args.out, `${name}.md`)} and .svg\n`);
}
