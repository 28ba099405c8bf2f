// The admin console's users list with 100,000 users (issue 11): how long `GET /admin/users`
// takes on SQLite and PostgreSQL, first page, a search by prefix, a page deep in the list
// (the cursor), through the whole HTTP stack as an admin's browser asks for it. Run alone (the
// machine has two cores): `node --import tsx bench/admin-users.ts`; writes
// bench/results/admin-users.md.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { systemClock } from '../src/core/clock.js';
import { createCore } from '../src/core/tessera.js';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/server/app.js';
import { policyFromConfig } from '../src/server/policy.js';
import { createSqlStores } from '../src/stores/sql/index.js';
import { FAST_ARGON2 } from '../test/helpers/server.js';

const USERS = 100_000;
const ROUNDS = 30;
const PASSWORD = 'correct horse battery staple';
const POSTGRES = process.env.TESSERA_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

/** One store kind: fill it, then time the pages. */
async function measure(kind: string, databaseUrl: string, schema?: string) {
  const config = loadConfig(
    { env: {} },
    { ...FAST_ARGON2, databaseUrl, logLevel: 'silent', issuer: 'http://localhost:8080' },
  );
  const stores = await createSqlStores({
    url: databaseUrl,
    ...(schema === undefined ? {} : { schema }),
  });
  try {
    const core = await createCore({ stores, clock: systemClock, policy: policyFromConfig(config) });
    const app = await buildApp({ config, core });
    const admin = await core.accounts.signup(
      { email: 'admin@example.com', password: PASSWORD },
      { ip: '127.0.0.1' },
    );
    await core.accounts.setRole(admin.id, 'admin');
    const filled = performance.now();
    // Straight into the store: 100,000 argon2 hashes would measure argon2, not the list.
    const hash = admin.passwordHash;
    for (let index = 0; index < USERS; index += 1) {
      await stores.users.insert({
        id: randomUUID(),
        email: `user${String(index).padStart(6, '0')}@example.com`,
        passwordHash: hash,
        createdAt: Date.now(),
        tokensValidAfter: 0,
        role: 'user',
        disabledAt: null,
        emailVerifiedAt: null,
      });
    }
    const fillSeconds = (performance.now() - filled) / 1000;
    const login = await app.inject({
      method: 'POST',
      url: '/auth/session',
      payload: { email: 'admin@example.com', password: PASSWORD },
    });
    const cookie = String(login.headers['set-cookie']).split(';')[0] ?? '';
    const rows: string[] = [];
    for (const [what, url] of [
      ['first page (no search)', '/admin/users'],
      ['search "user0999"', '/admin/users?q=user0999'],
      ['page after user080000 (cursor)', '/admin/users?after=user080000%40example.com'],
    ] as const) {
      const times: number[] = [];
      let users = 0;
      for (let round = 0; round < ROUNDS; round += 1) {
        const started = performance.now();
        const response = await app.inject({ method: 'GET', url, headers: { cookie } });
        times.push(performance.now() - started);
        if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode}`);
        users = response.body.match(/href="\/admin\/users\/[^"]+"/g)?.length ?? 0;
      }
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)] ?? 0;
      const worst = times.at(-1) ?? 0;
      rows.push(`| ${kind} | ${what} | ${users} | ${median.toFixed(1)} | ${worst.toFixed(1)} |`);
    }
    await app.close();
    return { rows, fillSeconds };
  } finally {
    await stores.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'tessera-admin-bench-'));
const results: string[] = [];
const notes: string[] = [];
try {
  const sqlite = await measure('SQLite', `sqlite:${join(dir, 'bench.db')}`);
  results.push(...sqlite.rows);
  notes.push(`SQLite filled in ${sqlite.fillSeconds.toFixed(0)} s`);
  try {
    const schema = `bench_admin_${Date.now()}`;
    const postgres = await measure('PostgreSQL', POSTGRES, schema);
    results.push(...postgres.rows);
    notes.push(`PostgreSQL filled in ${postgres.fillSeconds.toFixed(0)} s`);
    // The bench's own schema goes: the test database is shared with the test suites.
    const client = new pg.Client({ connectionString: POSTGRES });
    await client.connect();
    await client.query(`DROP SCHEMA ${schema} CASCADE`);
    await client.end();
  } catch (error) {
    notes.push(`PostgreSQL not measured: ${(error as Error).message}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const report = `# The admin console's users list with ${USERS.toLocaleString('en')} users

- date: ${new Date().toISOString()}
- node: ${process.version}; cpu: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}
- method: ${USERS.toLocaleString('en')} users inserted through the user store (plus the admin), then \`GET /admin/users…\` through the whole app (app.inject: routing, session check, admin guard, search, count, rendering) as the signed-in admin, ${ROUNDS} times each; ms per page
- ${notes.join('; ')}

| store | page | users shown | median ms | slowest ms |
| --- | --- | ---: | ---: | ---: |
${results.join('\n')}
`;
writeFileSync(new URL('results/admin-users.md', import.meta.url), report);
process.stdout.write(report);
