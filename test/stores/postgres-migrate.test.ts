/**
 * Starting Tessera migrates its schema while other applications (or other Tessera deployments)
 * change theirs in the same database. The migration must only look at its own schema: a catalog
 * scan over every schema resolves other schemas by name and fails when one is dropped under it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { createSqlStores } from '../../src/stores/sql/index.js';

const url = process.env.TESSERA_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const admin = new pg.Pool({ connectionString: url, max: 4 });
admin.on('error', () => {});
after(() => admin.end());

const name = (tag: string) => `tessera_${tag}_${randomBytes(6).toString('hex')}`;

void describe('postgres migrations', () => {
  void it('migrating succeeds while other schemas of the database are created and dropped', async () => {
    const others = Array.from({ length: 24 }, () => name('other'));
    for (const schema of others) {
      await admin.query(
        `create schema ${schema}; create table ${schema}.t (id serial primary key, a text, b text)`,
      );
    }
    const ours = Array.from({ length: 12 }, () => name('mig'));
    try {
      const churn = (async () => {
        for (const schema of others) await admin.query(`drop schema ${schema} cascade`);
      })();
      const results = await Promise.allSettled(
        ours.map(async (schema) => (await createSqlStores({ url, schema })).close()),
      );
      await churn;
      const failures = results.filter((result) => result.status === 'rejected');
      assert.deepEqual(
        failures.map((failure) => String((failure as PromiseRejectedResult).reason)),
        [],
      );
    } finally {
      for (const schema of [...others, ...ours]) {
        await admin.query(`drop schema if exists ${schema} cascade`);
      }
    }
  });
});
