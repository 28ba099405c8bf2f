import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import pg from 'pg';
import { TesseraError } from '../../src/core/errors.js';
import type { Stores } from '../../src/stores/ports.js';
import { createSqlStores } from '../../src/stores/sql/index.js';
import { postgresCapabilities } from '../../src/stores/sql/dialects/postgres.js';
import { initial } from '../../src/stores/sql/migrations/0001_initial.js';
import { tokenTables } from '../../src/stores/sql/migrations/0002_tokens.js';
import { refreshFamilySecret } from '../../src/stores/sql/migrations/0003_refresh_family_secret.js';
import { keySchedule } from '../../src/stores/sql/migrations/0004_key_schedule.js';
import { bus } from '../../src/stores/sql/migrations/0005_bus.js';
import { storeContract } from './contract.js';
import { onCI } from '../helpers/ci.js';

const url = process.env.TESSERA_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const where = new URL(url).host;
const admin = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 3000 });
admin.on('error', () => {});
after(() => admin.end());

async function postgresAnswers(): Promise<boolean> {
  try {
    await admin.query('select 1');
    return true;
  } catch {
    return false;
  }
}

function freshSchema(): string {
  return `tessera_test_${randomBytes(6).toString('hex')}`;
}

// Every call gets a schema of its own, dropped when the stores close, so runs (and tests) that
// share one database never see each other's rows.
async function isolatedStores(): Promise<Stores> {
  const schema = freshSchema();
  try {
    const stores = await createSqlStores({ url, schema });
    return {
      ...stores,
      async close() {
        await stores.close();
        await admin.query(`drop schema if exists ${schema} cascade`);
      },
    };
  } catch (error) {
    await admin.query(`drop schema if exists ${schema} cascade`);
    throw error;
  }
}

if (await postgresAnswers()) {
  storeContract('postgres', isolatedStores);

  void describe('postgres', () => {
    void it('reopening a schema runs no migration twice and keeps the data', async () => {
      const schema = freshSchema();
      try {
        const first = await createSqlStores({ url, schema });
        await first.rateLimits.hit('kept', 60_000, 0);
        await first.close();
        const second = await createSqlStores({ url, schema });
        try {
          assert.equal((await second.rateLimits.hit('kept', 60_000, 1)).count, 2);
        } finally {
          await second.close();
        }
        const applied = await admin.query(
          `select name from ${schema}.kysely_migration order by name`,
        );
        assert.deepEqual(applied.rows, [
          { name: '0001_initial' },
          { name: '0002_tokens' },
          { name: '0003_refresh_family_secret' },
          { name: '0004_key_schedule' },
          { name: '0005_bus' },
          { name: '0006_client_grants' },
          { name: '0007_authorization_code_flow' },
          { name: '0008_accounts_audit' },
        ]);
      } finally {
        await admin.query(`drop schema if exists ${schema} cascade`);
      }
    });

    void it('instances starting together migrate the schema once', async () => {
      const schema = freshSchema();
      try {
        const all = await Promise.all([1, 2, 3].map(() => createSqlStores({ url, schema })));
        await Promise.all(all.map((stores) => stores.close()));
        const applied = await admin.query(
          `select name from ${schema}.kysely_migration order by name`,
        );
        assert.deepEqual(applied.rows, [
          { name: '0001_initial' },
          { name: '0002_tokens' },
          { name: '0003_refresh_family_secret' },
          { name: '0004_key_schedule' },
          { name: '0005_bus' },
          { name: '0006_client_grants' },
          { name: '0007_authorization_code_flow' },
          { name: '0008_accounts_audit' },
        ]);
      } finally {
        await admin.query(`drop schema if exists ${schema} cascade`);
      }
    });

    void it('clients from before 0006 keep the grants they could use and get no redirect URIs; families no session', async () => {
      const schema = freshSchema();
      await admin.query(`create schema ${schema}`);
      const old = new Kysely<unknown>({
        dialect: new PostgresDialect({
          pool: new pg.Pool({ connectionString: url, options: `-c search_path=${schema}` }),
        }),
      });
      try {
        const migrator = new Migrator({
          db: old,
          migrationTableSchema: schema,
          provider: {
            getMigrations: async () => ({
              '0001_initial': initial,
              '0002_tokens': tokenTables(postgresCapabilities),
              '0003_refresh_family_secret': refreshFamilySecret,
              '0004_key_schedule': keySchedule(postgresCapabilities),
              '0005_bus': bus(postgresCapabilities),
            }),
          },
        });
        assert.equal((await migrator.migrateToLatest()).error, undefined);
        await admin.query(`insert into ${schema}.clients
          (id, secret_hash, name, scopes, audiences, first_party, created_at)
          values ('tessera', null, 'first party', '[]', '[]', 1, 1),
                 ('client_a', 'hash', 'integration', '[]', '[]', 0, 2)`);
        await admin.query(`insert into ${schema}.refresh_families
          (id, user_id, client_id, scope, current_hash, generation, created_at, expires_at)
          values ('f1', 'u', 'client_a', 'a', 'cur', 1, 1, 99)`);
        const upgraded = await createSqlStores({ url, schema });
        try {
          const firstParty = await upgraded.clients.findById('tessera');
          assert.deepEqual(firstParty?.grants, ['refresh_token']);
          assert.deepEqual(firstParty.redirectUris, []);
          assert.deepEqual(firstParty.postLogoutRedirectUris, []);
          assert.equal((await upgraded.refreshFamilies.findById('f1'))?.sessionId, null);
          assert.deepEqual((await upgraded.clients.findById('client_a'))?.grants, [
            'client_credentials',
            'refresh_token',
          ]);
        } finally {
          await upgraded.close();
        }
      } finally {
        await old.destroy();
        await admin.query(`drop schema if exists ${schema} cascade`);
      }
    });

    void it('int8 is parsed per pool, leaving the global pg.types alone', async () => {
      const stores = await isolatedStores();
      await stores.close();
      const parse = pg.types.getTypeParser(pg.types.builtins.INT8);
      assert.equal(parse('9007199254740993'), '9007199254740993');
    });
  });
} else if (onCI) {
  void it(`PostgreSQL answers at ${where}`, () => {
    assert.fail(`PostgreSQL did not answer at ${where}; CI must run the postgres contract`);
  });
} else {
  // Outside CI a developer may not run PostgreSQL; SQLite and memory still run the contract.
  void describe(
    'postgres store contract',
    { skip: `PostgreSQL did not answer at ${where}` },
    () => {},
  );
}

void describe('postgres that does not answer', () => {
  void it('creating the stores fails with store_unavailable, not a driver error', async () => {
    // Port 1 on loopback: nothing listens, so the connection is refused at once.
    const unreachable = 'postgres://tessera:hunter2@127.0.0.1:1/none';
    await assert.rejects(createSqlStores({ url: unreachable, connectTimeoutMs: 1000 }), (error) => {
      assert.ok(error instanceof TesseraError);
      assert.equal(error.code, 'store_unavailable');
      assert.equal(error.status, 503);
      assert.doesNotMatch(error.message, /hunter2|ECONNREFUSED/);
      return true;
    });
  });
});
