/**
 * The admin console's queries use an index on both dialects (bench/results/users-search.md
 * measures them with 100,000 users): the plan of the query each adapter method actually sends,
 * captured on its way to the database, names the index and no full scan.
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import {
  CompiledQuery,
  type Kysely,
  type KyselyPlugin,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import pg from 'pg';
import type { AuditStore, UserStore } from '../../src/stores/ports.js';
import { createSqlAuditStore } from '../../src/stores/sql/audit.js';
import { openDatabase } from '../../src/stores/sql/connect.js';
import type { Database } from '../../src/stores/sql/database.js';
import { migrateToLatest } from '../../src/stores/sql/migrate.js';
import { createSqlUserStore } from '../../src/stores/sql/users.js';
import { skipOutsideCI } from '../helpers/ci.js';

const postgresUrl =
  process.env.TESSERA_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Remembers the last query node a store sent, to compile it again under EXPLAIN. */
class LastQuery implements KyselyPlugin {
  node: RootOperationNode | undefined;
  transformQuery(args: { node: RootOperationNode }): RootOperationNode {
    this.node = args.node;
    return args.node;
  }
  async transformResult(args: {
    result: QueryResult<UnknownRow>;
  }): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

interface Dialect {
  name: string;
  open(): Promise<{ db: Kysely<Database>; close(): Promise<void> }>;
  explain: string;
  /** Whether the plan reads a range of the index named `index` (not the whole of anything). */
  usesIndex(plan: string, index: string): boolean;
}

async function planOf(
  db: Kysely<Database>,
  dialect: Dialect,
  call: (stores: { users: UserStore; audit: AuditStore }) => Promise<unknown>,
): Promise<string> {
  const last = new LastQuery();
  const traced = db.withPlugin(last);
  await call({ users: createSqlUserStore(traced), audit: createSqlAuditStore(traced) });
  assert.ok(last.node);
  const compiled = db.getExecutor().compileQuery(last.node, { queryId: 'plan' });
  return db.connection().execute(async (connection) => {
    // A small table would be scanned whole by PostgreSQL's planner, rightly; with scans priced
    // out, a plan still without the index means the query cannot use it.
    if (dialect.name === 'postgres')
      await connection.executeQuery(CompiledQuery.raw('set enable_seqscan = off'));
    const { rows } = await connection.executeQuery<Record<string, unknown>>(
      CompiledQuery.raw(`${dialect.explain} ${compiled.sql}`, [...compiled.parameters]),
    );
    return rows.map((row) => String(row.detail ?? row['QUERY PLAN'])).join('\n');
  });
}

const admin = new pg.Pool({ connectionString: postgresUrl, max: 1, connectionTimeoutMillis: 3000 });
admin.on('error', () => {});
after(() => admin.end());
const postgresAnswers = await admin.query('select 1').then(
  () => true,
  () => false,
);

const dialects: Dialect[] = [
  {
    name: 'sqlite',
    explain: 'explain query plan',
    async open() {
      const { db, dialect } = openDatabase({ url: 'sqlite::memory:' });
      await migrateToLatest(db, dialect);
      return { db, close: () => db.destroy() };
    },
    // SEARCH with a condition is a range of the index; SCAN would read all of it.
    usesIndex: (plan, index) =>
      new RegExp(`SEARCH \\w+ USING (COVERING )?INDEX ${index} \\(`).test(plan) &&
      !plan.includes('SCAN'),
  },
  {
    name: 'postgres',
    explain: 'explain',
    async open() {
      const schema = `tessera_test_${randomBytes(6).toString('hex')}`;
      const { db, dialect } = openDatabase({ url: postgresUrl, schema });
      await migrateToLatest(db, dialect, schema);
      return {
        db,
        async close() {
          await db.destroy();
          await admin.query(`drop schema if exists ${schema} cascade`);
        },
      };
    },
    usesIndex: (plan, index) =>
      // On a near-empty table the planner may pick a bitmap scan of the index and a sort: still
      // the index, and no full scan.
      new RegExp(`(Index (Only )?Scan( Backward)? using|Bitmap Index Scan on) ${index} `).test(
        plan,
      ) &&
      plan.includes('Index Cond:') &&
      !plan.includes('Seq Scan'),
  },
];

for (const dialect of dialects) {
  const skip =
    dialect.name === 'postgres' &&
    skipOutsideCI(postgresAnswers ? false : `PostgreSQL at ${new URL(postgresUrl).host}`);
  void describe(`${dialect.name} query plans`, { skip }, () => {
    const rule = (title: string, call: Parameters<typeof planOf>[2], index: string) =>
      void it(title, async () => {
        const { db, close } = await dialect.open();
        try {
          const plan = await planOf(db, dialect, call);
          assert.ok(dialect.usesIndex(plan, index), `expected ${index} in:\n${plan}`);
        } finally {
          await close();
        }
      });

    rule(
      'the user list pages by the email index',
      ({ users }) => users.search({ limit: 50, after: 'm@x.io' }),
      'users_email_key',
    );
    rule(
      'the prefix search is a range of the email index',
      ({ users }) => users.search({ emailPrefix: 'Ann', limit: 50 }),
      'users_email_key',
    );
    rule(
      'the audit log pages newest first by (at, id)',
      ({ audit }) => audit.list({ limit: 50, before: { at: 5, id: 'x' } }),
      'audit_events_at_idx',
    );
    rule(
      "one user's audit events are a range of the subject index",
      ({ audit }) => audit.list({ subjectId: 'u', limit: 50, before: { at: 5, id: 'x' } }),
      'audit_events_subject_idx',
    );
    rule(
      "one actor's audit events are a range of the actor index",
      ({ audit }) => audit.list({ actorId: 'u', limit: 50 }),
      'audit_events_actor_idx',
    );
  });
}
