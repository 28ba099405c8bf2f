// The report of `tessera bench`: Markdown tables and one SVG bar chart, drawn as text so the
// bench needs no charting dependency. Pure functions of the results, so a test can check them
// without running a benchmark.
import { loginSection } from './login-report.js';
import type { LoginResults } from './login.js';
import type { Timing } from './measure.js';
import type { SessionRow } from './sessions.js';
import type { ScaleResults } from './scale.js';
import { scaleSection } from './scale-report.js';
import type { SizeRow, VerifyRow } from './tokens.js';

export interface Machine {
  date: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  tessera: string;
  loadAverage: readonly number[];
}

export interface BenchResults {
  machine: Machine;
  command: string;
  quick: boolean;
  runMs: number;
  seconds: number;
  /** Sign-ins and a storm of them (login.ts); optional, so results without it still print. */
  login?: LoginResults;
  sizes: SizeRow[];
  verify: VerifyRow[];
  sessions: SessionRow[];
  /** The scale rows (scale.ts); absent from results made before them. */
  scale?: ScaleResults;
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const us = (n: number): string => (n < 10 ? n.toFixed(1) : int(n));
const timingCells = (t: Timing): string =>
  `${int(t.opsPerSecond)} | ${us(t.p50Us)} | ${us(t.p99Us)}`;

/** The Markdown report; `chart` is the SVG's file name, linked from it. */
export function markdownReport(results: BenchResults, chart: string): string {
  const m = results.machine;
  const floors = new Map(
    results.verify.filter((r) => r.verifier.startsWith('raw')).map((r) => [r.alg, r.timing]),
  );
  return [
    '# tessera bench',
    '',
    `- command: \`${results.command}\` (${results.quick ? 'quick' : 'full'} run, ${results.runMs} ms per row, ${results.seconds.toFixed(0)} s in all)`,
    `- date: ${m.date}`,
    `- machine: ${m.cpu} × ${m.cores}, ${m.memoryGiB.toFixed(0)} GiB, ${m.os}`,
    `- node ${m.node}, tessera ${m.tessera}`,
    `- load average at start: ${m.loadAverage.map((n) => n.toFixed(2)).join(', ')} (other work on the machine lowers every figure)`,
    '- method: one operation at a time, each timed; ops/s over wall time; latency in µs',
    '',
    '## Size on the wire',
    '',
    '| credential | bytes | note |',
    '| --- | ---: | --- |',
    ...results.sizes.map((r) => `| ${r.credential} | ${r.bytes} | ${r.note} |`),
    '',
    '## Access-token verification',
    '',
    "Tessera's verifier core (`core/tokens/verify`, which the toolkit's `createVerifier` runs before its revocation lookup) against the floor: node:crypto's signature check plus the least parsing any verifier must do, with the same key. The cached row verifies the same token again (an API seeing a client's token repeatedly).",
    '',
    '| alg | verifier | ops/s | p50 µs | p99 µs | vs floor |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...results.verify.map((r) => {
      const floor = floors.get(r.alg)?.opsPerSecond ?? r.timing.opsPerSecond;
      const ratio = ((r.timing.opsPerSecond / floor) * 100).toFixed(0);
      return `| ${r.alg} | ${r.verifier} | ${timingCells(r.timing)} | ${ratio} % |`;
    }),
    '',
    '## Session check (`core.sessions.validate`)',
    '',
    'One live session validated back to back. Without the near cache, every check reads the session and its user from the store (the path taken on a first request, or while the invalidation bus is down).',
    '',
    '| store | near cache | ops/s | p50 µs | p99 µs |',
    '| --- | --- | ---: | ---: | ---: |',
    ...results.sessions.map((r) =>
      r.timing
        ? `| ${r.store} | ${r.nearCache ? 'on' : 'off'} | ${timingCells(r.timing)} |`
        : `| ${r.store} | ${r.nearCache ? 'on' : 'off'} | not measured: ${escapeCell(r.skipped ?? 'unreachable')} | | |`,
    ),
    '',
    `![checks per second](${chart})`,
    ...scaleSection(results.scale),
    '',
    ...(results.login ? loginSection(results.login) : []),
    '## Elsewhere',
    '',
    "- protected routes per mode (none, bearer, session, either) on the toolkit's Fastify middleware against Fastify + @fastify/jwt, Express + express-session + connect-redis and better-auth's `getSession` (default and with its cookie cache), revocation-to-rejection at a verifier in another process for a token and a session (and better-auth's cookie cache), and sign-in latency against better-auth: `bench/routes.ts`, run by `npm run bench` after this command (it needs those frameworks, which only the repository has), report in `routes.md` beside this one;",
    "- the server's own routes over HTTP (`GET /auth/session` and `GET /auth/me` against their no-auth twins, issue 12's goal column): `bench/http.ts` (`npm run bench:all`), report in `http.md`.",
    '',
  ].join('\n');
}

const escapeCell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A horizontal bar chart of checks per second, log scale (the rows span four orders of
 * magnitude, from a cached session check to an RS256 signature), one bar per measured row.
 */
export function checksChart(results: BenchResults): string {
  const bars: { label: string; value: number; kind: 'token' | 'session' }[] = [
    ...results.verify.map((r) => ({
      label: `${r.alg} ${r.verifier}`,
      value: r.timing.opsPerSecond,
      kind: 'token' as const,
    })),
    ...results.sessions.flatMap((r) =>
      r.timing
        ? [
            {
              label: `session ${r.store}, cache ${r.nearCache ? 'on' : 'off'}`,
              value: r.timing.opsPerSecond,
              kind: 'session' as const,
            },
          ]
        : [],
    ),
  ];
  const labelWidth = 300;
  const plotWidth = 420;
  const row = 18;
  const top = 40;
  const height = top + bars.length * row + 30;
  const max = Math.max(10, ...bars.map((b) => b.value));
  const decades = Math.ceil(Math.log10(max));
  const x = (value: number) => (Math.log10(Math.max(1, value)) / decades) * plotWidth;
  const ticks = Array.from({ length: decades + 1 }, (_, i) => i);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + plotWidth + 90}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">Checks per second, log scale (${escapeXml(results.machine.date.slice(0, 10))}, ${escapeXml(results.machine.cpu)} × ${results.machine.cores})</text>`,
    ...ticks.map((i) => {
      const tx = labelWidth + (i / decades) * plotWidth;
      return `<line x1="${tx}" y1="${top - 6}" x2="${tx}" y2="${height - 24}" stroke="#ddd"/><text x="${tx}" y="${height - 10}" text-anchor="middle" fill="#555">1e${i}</text>`;
    }),
    ...bars.map((b, i) => {
      const y = top + i * row;
      const fill = b.kind === 'token' ? '#4a78c2' : '#d08a2c';
      return [
        `<text x="${labelWidth - 6}" y="${y + 12}" text-anchor="end">${escapeXml(b.label)}</text>`,
        `<rect x="${labelWidth}" y="${y + 2}" width="${x(b.value).toFixed(1)}" height="${row - 5}" fill="${fill}"/>`,
        `<text x="${(labelWidth + x(b.value) + 4).toFixed(1)}" y="${y + 12}" fill="#333">${int(b.value)}</text>`,
      ].join('');
    }),
    '</svg>',
    '',
  ];
  return parts.join('\n');
}
