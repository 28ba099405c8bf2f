// The login section of the `tessera bench` report: a pure function of the results, so a test
// can check it with made-up figures. The goal of issue 12 is printed beside the measured
// figures, met or missed.
import type { LoadResult } from './login-load.js';
import {
  PROTECTED_CONNECTIONS,
  SIGN_IN_CLIENTS,
  STORM_RATE,
  type LoginResults,
  type ProtectedRow,
} from './login.js';

/** Issue 12: in a storm, p99 below this multiple of the quiet p99 … */
export const GOAL_P99_FACTOR = 2;
/** … and throughput at least this share of the quiet throughput. */
export const GOAL_THROUGHPUT_SHARE = 0.75;

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number): string => (n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : int(n));
// Two decimals near the goal, so a factor of 1.96 does not print as a missed-looking 2.0.
const times = (n: number): string => (n < 10 ? n.toFixed(2) : n.toFixed(0));
const escapeCell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** "503 busy: 4, 429: 1", or "none". */
function failures(result: LoadResult): string {
  const entries = Object.entries(result.failed);
  if (entries.length === 0) return 'none';
  return entries.map(([status, n]) => `${status}: ${n}`).join(', ');
}

const count = (result: LoadResult, key: string): number => result.failed[key] ?? 0;
const sent = (result: LoadResult): number =>
  Object.values(result.failed).reduce((sum, n) => sum + n, result.ok);

/** Throughput share and p99 factor of the storm against the quiet run, and the verdict. */
export function stormVerdict(row: ProtectedRow): { share: number; factor: number; met: boolean } {
  const share = row.quiet.okPerSecond > 0 ? row.storm.okPerSecond / row.quiet.okPerSecond : 0;
  const factor = row.quiet.p99Ms > 0 ? row.storm.p99Ms / row.quiet.p99Ms : Infinity;
  const clean = Object.keys(row.storm.failed).length === 0;
  return {
    share,
    factor,
    met: clean && factor < GOAL_P99_FACTOR && share >= GOAL_THROUGHPUT_SHARE,
  };
}

function verdictCell(row: ProtectedRow): string {
  const { share, factor, met } = stormVerdict(row);
  if (met) return 'met';
  const misses = [
    ...(factor >= GOAL_P99_FACTOR ? [`p99 ${times(factor)}×`] : []),
    ...(share < GOAL_THROUGHPUT_SHARE ? [`${(share * 100).toFixed(0)} %`] : []),
    ...(Object.keys(row.storm.failed).length > 0 ? ['failed requests'] : []),
  ];
  return `**missed** (${misses.join(', ')})`;
}

/** The Markdown lines of the login section. */
export function loginSection(login: LoginResults): string[] {
  const head = ['## Sign-ins, and a storm of them', ''];
  if (login.skipped !== undefined || !login.server || !login.single || !login.fullTilt) {
    return [...head, `Not measured: ${escapeCell(login.skipped ?? 'no result')}.`, ''];
  }
  const { server, single, fullTilt } = login;
  const seconds = (login.phaseMs / 1000).toFixed(0);
  return [
    ...head,
    `The whole server (\`tessera serve\` on an SQLite file) in a child process; the load from the bench's process over node:http (keep-alive), ${seconds} s per row. argon2id at the default parameters (m = ${server.argon2.memoryKiB} KiB, t = ${server.argon2.iterations}, p = ${server.argon2.parallelism}); hashing bound ${server.hashConcurrency} at once, ${server.hashQueue} waiting, past that 503 \`busy\` (TESSERA_HASH_CONCURRENCY / TESSERA_HASH_QUEUE); hashing on worker threads at nice ${server.hashNice}${server.hashNiceUnavailable === undefined ? '' : ` (not lowered: ${server.hashNiceUnavailable})`} (TESSERA_HASH_NICE), so the event loop wins the CPU when both want it. The login rate limits are raised for the run (every sign-in comes from one IP for one account). Client and server share this machine's cores: on a small machine the client takes some of the CPU the server would otherwise have.`,
    '',
    '| sign-ins (`POST /auth/session`) | sign-ins/s | p50 ms | p99 ms | refused |',
    '| --- | ---: | ---: | ---: | --- |',
    `| one at a time | ${single.okPerSecond.toFixed(1)} | ${ms(single.p50Ms)} | ${ms(single.p99Ms)} | ${failures(single)} |`,
    `| ${SIGN_IN_CLIENTS} clients at once (full tilt) | ${fullTilt.okPerSecond.toFixed(1)} | ${ms(fullTilt.p50Ms)} | ${ms(fullTilt.p99Ms)} | ${failures(fullTilt)} |`,
    '',
    `Protected requests (\`GET /auth/me\`, ${PROTECTED_CONNECTIONS} connections) quiet, then while a second client sends ${STORM_RATE} sign-ins a second without waiting for answers. Goal (issue 12): in the storm, p99 < ${GOAL_P99_FACTOR}× the quiet p99 and throughput ≥ ${GOAL_THROUGHPUT_SHARE * 100} % of the quiet throughput.`,
    '',
    '| credential | quiet req/s | quiet p99 ms | storm req/s | storm p99 ms | storm / quiet req/s | storm p99 / quiet | goal | storm sign-ins sent/s | signed in | 503 busy | other answers |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |',
    ...login.protected.map((row) => {
      const { share, factor } = stormVerdict(row);
      const busy = count(row.signIns, '503 busy');
      const others = Object.fromEntries(
        Object.entries(row.signIns.failed).filter(([key]) => key !== '503 busy'),
      );
      return [
        `| ${row.credential}`,
        int(row.quiet.okPerSecond),
        ms(row.quiet.p99Ms),
        int(row.storm.okPerSecond),
        ms(row.storm.p99Ms),
        `${(share * 100).toFixed(0)} %`,
        `${times(factor)}×`,
        verdictCell(row),
        (sent(row.signIns) / row.signIns.seconds).toFixed(1),
        String(row.signIns.ok),
        String(busy),
        `${failures({ ...row.signIns, failed: others })} |`,
      ].join(' | ');
    }),
    '',
    'Where the CPU went in those rows (warm-up included), in cores (1 = one core all along): the server process with all its threads (argon2 runs on its hashing workers), how busy its event loop was, and the bench client sending the load from the same machine.',
    '',
    '| credential | row | server cores | server event loop busy | client cores |',
    '| --- | --- | ---: | ---: | ---: |',
    ...login.protected.flatMap((row) =>
      (['quiet', 'storm'] as const).map((phase) => {
        const cpu = row.cpu[phase];
        return `| ${row.credential} | ${phase} | ${cpu.serverCores.toFixed(2)} | ${(cpu.serverLoopBusy * 100).toFixed(0)} % | ${cpu.clientCores.toFixed(2)} |`;
      }),
    ),
    ...login.protected.flatMap((row) =>
      Object.keys(row.quiet.failed).length + Object.keys(row.storm.failed).length > 0
        ? [
            '',
            `Protected requests by ${row.credential} that failed: quiet ${failures(row.quiet)}; storm ${failures(row.storm)}.`,
          ]
        : [],
    ),
    '',
  ];
}
