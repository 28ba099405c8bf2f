// The report section of the scale rows (scale.ts): Markdown tables, each with a line saying how
// it was measured. A pure function of the results, like report.ts.
import type { Timing } from './measure.js';
import type { ScaleResults } from './scale.js';

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const us = (n: number): string => (n < 10 ? n.toFixed(1) : int(n));
const seconds = (n: number): string => n.toFixed(n < 10 ? 2 : 0);
const ms = (n: number): string => (n < 10 ? n.toFixed(1) : int(n));
const cells = (t: Timing | undefined): string =>
  t ? `${int(t.opsPerSecond)} | ${us(t.p50Us)} | ${us(t.p99Us)}` : ' | | ';
const escapeCell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The section's lines; none when the run had no scale rows. */
export function scaleSection(scale: ScaleResults | undefined): string[] {
  if (scale === undefined) return [];
  const { memory, fanout } = scale;
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  return [
    '',
    '## What scale does to the cost',
    '',
    '### Session check with many sessions stored (near cache off)',
    '',
    "`core.sessions.validate` with the near cache bypassed, so every check reads the store. The store is filled in bulk in the bench's own PostgreSQL schema (`INSERT … SELECT generate_series`, 100k rows a statement, then `ANALYZE`) or Redis key prefix (a Lua script writing the keys the Redis store writes, 1,000 sessions a call), four sessions per user, then emptied. The *one session* columns validate the session created through the core again and again; the *random session* columns draw each check at random among the filled ones. Fill: this step only, from the previous size. Touch interval 1 h, so every check is a read.",
    '',
    '| store | sessions | fill s | one session ops/s | p50 µs | p99 µs | random session ops/s | p50 µs | p99 µs |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...scale.sessions.map((r) =>
      r.skipped !== undefined
        ? `| ${r.store} | ${int(r.stored)} | not measured: ${escapeCell(r.skipped)} | | | | | | |`
        : `| ${r.store} | ${int(r.stored)} | ${seconds(r.fillSeconds ?? 0)} | ${cells(r.hot)} | ${cells(r.random)} |`,
    ),
    '',
    `### Verifier memory per ${int(memory.count)} revoked tokens`,
    '',
    `The \`RevocationState\` a verifier made by \`createVerifier\` keeps (verify/revocation-state.ts), given ${int(memory.count)} jti revocations of 15-minute tokens as its feed parser hands them over; V8 heap used before and after, ${memory.collected ? 'each after a forced garbage collection' : 'without a forced garbage collection (unavailable here: the figures include garbage)'}.`,
    '',
    '| revoked jtis | heap before MiB | heap after MiB | bytes per revocation | MiB per 100k | applied/s |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${int(memory.count)} | ${mib(memory.heapBeforeBytes)} | ${mib(memory.heapAfterBytes)} | ${int(memory.bytesPerRevocation)} | ${mib(memory.bytesPerRevocation * 100_000)} | ${int(memory.appliedPerSecond)} |`,
    '',
    '### Revocation feed fan-out',
    '',
    fanout === undefined
      ? `Not measured: ${escapeCell(scale.fanoutSkipped ?? 'unknown')}`
      : `One Tessera server (\`buildApp\` over SQLite, on 127.0.0.1, in the bench process) and ${fanout.requested} verifiers made by \`createVerifier\` reading its SSE feed, in one child process. ${fanout.events} tokens revoked one at a time (the next after every verifier had the last); delay from just before \`revokeToken\` to the verifier's state applying the event (from then on it refuses the token), on the wall clock both processes share. The feed route sets no per-client connection or rate limit; ${fanout.connected} of ${fanout.requested} streams were open${fanout.refusal === undefined ? '' : ` (${escapeCell(fanout.refusal)})`}.`,
    '',
    ...(fanout === undefined
      ? []
      : [
          '| verifiers | events | start s | p50 ms | p99 ms | max ms | all had it, p50 ms | all had it, p99 ms | missed |',
          '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
          `| ${fanout.connected} | ${fanout.events} | ${fanout.startSeconds.toFixed(1)} | ${ms(fanout.p50Ms)} | ${ms(fanout.p99Ms)} | ${ms(fanout.maxMs)} | ${ms(fanout.allP50Ms)} | ${ms(fanout.allP99Ms)} | ${fanout.missed} |`,
        ]),
  ];
}
