// The admin console's user queries with 100,000 users, on SQLite and PostgreSQL: the first page,
// a page deep in the list (by the email cursor), a prefix search, and the count.
// Run: npx tsx bench/users-search.ts (also part of npm run bench).
//
// Users are inserted in batches of 1,000 rows per INSERT inside one transaction per 10 batches,
// straight through Kysely (the adapter's insert is one row per statement; 100k of those would
// time the fsyncs, not the queries). The queries then go through the real adapter
// (createSqlUserStore). Each query runs BENCH_USERS_RUNS times (200) after 20 warm-ups, with its
// cursor or prefix rotated so no run repeats the previous one. PostgreSQL gets a schema of its
// own, dropped afterwards (BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test);
// SQLite a temporary file (the default driver), deleted afterwards. The plans (EXPLAIN) are
// recorded beside the timings: they show the email index at work.
// Results are written to bench/results/users-search.md, which is committed: re-run to refresh it.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../src/stores/sql/connect.js';
import type { Database } from '../src/stores/sql/database.js';
import { migrateToLatest } from '../src/stores/sql/migrate.js';
import { createSqlUserStore } from '../src/stores/sql/users.js';

const userCount = Number(process.env.BENCH_USERS ?? 100_000);
const runs = Number(process.env.BENCH_USERS_RUNS ?? 200);
const warmUps = 20;
const pageSize = 50;
const postgresUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const first = [
  'anna',
  'ben',
  'carla',
  'david',
  'emma',
  'felix',
  'greta',
  'hugo',
  'ines',
  'jonas',
  'karin',
  'leo',
  'maria',
  'nils',
  'olga',
  'paul',
  'rosa',
  'sven',
  'tina',
  'yusuf',
];
const last = [
  'schmidt',
  'meyer',
  'weber',
  'wagner',
  'becker',
  'hoffmann',
  'koch',
  'richter',
  'klein',
  'wolf',
  'neumann',
  'braun',
  'zimmermann',
  'krause',
  'hartmann',
  'lange',
];
const domains = ['example.com', 'mail.example.org', 'corp.example.net', 'uni.example.edu'];

/** A deterministic spread of realistic addresses: the same 100k users on both databases. */
function emailOf(n: number): string {
  const pick = <T>(list: readonly T[], salt: number): T =>
    list[(n * salt + (n >> 3)) % list.length] as T;
  return `${pick(first, 7)}.${pick(last, 13)}${n}@${pick(domains, 5)}`;
}

async function insertUsers(db: Kysely<Database>): Promise<void> {
  const batch = 1000;
  for (let start = 0; start < userCount; start += batch * 10) {
    await db.transaction().execute(async (trx) => {
      for (let offset = start; offset < Math.min(start + batch * 10, userCount); offset += batch) {
        const rows = Array.from({ length: Math.min(batch, userCount - offset) }, (_, k) => {
          const n = offset + k;
          return {
            id: `user_${n}`,
            email: emailOf(n),
            password_hash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo',
            created_at: 1_767_225_600_000 + n,
            tokens_valid_after: 0,
            role: 'user' as const,
            disabled_at: null,
            email_verified_at: n % 3 === 0 ? null : 1_767_225_600_000 + n,
          };
        });
        await trx.insertInto('users').values(rows).execute();
      }
    });
  }
}

function percentile(sortedMs: number[], p: number): number {
  return sortedMs[Math.min(sortedMs.length - 1, Math.floor((p / 100) * sortedMs.length))] ?? NaN;
}

async function time(
  query: (run: number) => Promise<unknown>,
): Promise<{ p50: number; p99: number }> {
  for (let run = 0; run < warmUps; run += 1) await query(run);
  const samples: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const start = performance.now();
    await query(run + warmUps);
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

interface Row {
  database: string;
  query: string;
  p50: number;
  p99: number;
  rows: number;
}

const rows: Row[] = [];
const plans: string[] = [];

async function bench(database: string, db: Kysely<Database>, explain: string): Promise<void> {
  const loadStart = performance.now();
  await insertUsers(db);
  // As autovacuum leaves a settled table: statistics, and a visibility map for index-only scans.
  if (database === 'PostgreSQL') await sql`vacuum analyze users`.execute(db);
  const loadSeconds = (performance.now() - loadStart) / 1000;
  process.stdout.write(
    `${database}: ${userCount.toLocaleString('en')} users inserted in ${loadSeconds.toFixed(1)} s\n`,
  );

  const users = createSqlUserStore(db);
  // Cursors from the last tenth of the list (a page the console reaches by paging far), and
  // prefixes that match a few hundred users each.
  const all = (
    await sql<{ email: string }>`select email from users order by email`.execute(db)
  ).rows.map((r) => r.email);
  const deep = all.slice(Math.floor(all.length * 0.9), all.length - pageSize);
  const cursors = Array.from(
    { length: 64 },
    (_, k) => deep[Math.floor((k * deep.length) / 64)] ?? '',
  );
  const prefixes = first.flatMap((name) =>
    last.slice(0, 4).map((surname) => `${name}.${surname.slice(0, 2)}`),
  );
  const queries: [string, (run: number) => Promise<unknown[] | number>][] = [
    ['first page (50)', () => users.search({ limit: pageSize })],
    [
      'deep page (50, after a cursor at 90–100 %)',
      (run) => users.search({ limit: pageSize, after: cursors[run % cursors.length] ?? '' }),
    ],
    [
      'prefix search (50), e.g. "maria.sc"',
      (run) =>
        users.search({ emailPrefix: prefixes[run % prefixes.length] ?? '', limit: pageSize }),
    ],
    ['count', () => users.count()],
  ];
  for (const [name, query] of queries) {
    const result = await query(0);
    const { p50, p99 } = await time(query);
    const row = {
      database,
      query: name,
      p50,
      p99,
      rows: Array.isArray(result) ? result.length : 1,
    };
    rows.push(row);
    process.stdout.write(`| ${database} | ${name} | ${p50.toFixed(3)} | ${p99.toFixed(3)} |\n`);
  }

  const explained = async (label: string, query: ReturnType<typeof sql>) => {
    const { rows: plan } = await sql<Record<string, unknown>>`${sql.raw(explain)} ${query}`.execute(
      db,
    );
    const text = plan
      .map((line) => String(line.detail ?? line['QUERY PLAN'] ?? JSON.stringify(line)))
      .join('\n');
    plans.push(`${database}, ${label}:\n\n\`\`\`\n${text}\n\`\`\`\n`);
  };
  await explained(
    'prefix search',
    sql`select * from users where email >= ${'maria.sc'} and email < ${'maria.sd'} order by email limit 50`,
  );
  await explained(
    'deep page',
    sql`select * from users where email > ${cursors[0] ?? ''} order by email limit 50`,
  );
  await explained('count', sql`select count(*) from users`);
}

const totalStart = performance.now();
// The machine may be shared: the load at the start says how much to trust the tail (p99).
const loadAtStart = loadavg()[0] ?? 0;

const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
try {
  const { db, dialect } = openDatabase({ url: `sqlite:${join(dir, 'users.db')}` });
  try {
    await migrateToLatest(db, dialect);
    await bench('SQLite', db, 'explain query plan');
  } finally {
    await db.destroy();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const schema = `tessera_bench_${randomBytes(4).toString('hex')}`;
const admin = new pg.Pool({ connectionString: postgresUrl, max: 1 });
try {
  const { db, dialect } = openDatabase({ url: postgresUrl, schema });
  try {
    await migrateToLatest(db, dialect, await dialect.migrationSchema(db, schema));
    await bench('PostgreSQL', db, 'explain');
  } finally {
    await db.destroy();
  }
} finally {
  await admin.query(`drop schema if exists ${schema} cascade`);
  await admin.end();
}

const ms = (value: number): string => value.toFixed(3);
const markdown = [
  `# Admin console user queries with ${userCount.toLocaleString('en')} users`,
  '',
  `- date: ${new Date().toISOString()}`,
  `- node: ${process.version}; cpu: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
  `- users: ${userCount.toLocaleString('en')}, realistic addresses (first.last<n>@one of 4 domains); SQLite file (default driver), PostgreSQL on 127.0.0.1 (own schema, after VACUUM ANALYZE)`,
  `- method: each query through the SQL UserStore, ${runs} timed runs after ${warmUps} warm-ups, cursor or prefix rotated every run; wall time per call in ms, client included; total ${Math.round((performance.now() - totalStart) / 1000)} s; 1-minute load average at the start ${loadAtStart.toFixed(1)} on ${cpus().length} cores`,
  '- reproduce: `npx tsx bench/users-search.ts` (or `npm run bench`); BENCH_USERS, BENCH_USERS_RUNS, BENCH_POSTGRES_URL',
  '',
  '| database | query | p50 ms | p99 ms | rows |',
  '| --- | --- | ---: | ---: | ---: |',
  ...rows.map(
    (row) => `| ${row.database} | ${row.query} | ${ms(row.p50)} | ${ms(row.p99)} | ${row.rows} |`,
  ),
  '',
  'The pages (first, deep, prefix) are one index range each: their cost grows only with the depth of the index (log n). `count` is exact, so it reads every entry of an index or the table: it grows linearly.',
  '',
  '## Plans',
  '',
  ...plans,
].join('\n');
mkdirSync(new URL('results/', import.meta.url), { recursive: true });
writeFileSync(new URL('results/users-search.md', import.meta.url), markdown);
process.stdout.write('\nwritten to bench/results/users-search.md\n');
