import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import { openDatabase } from '../../src/stores/sql/connect.js';
import { initial } from '../../src/stores/sql/migrations/0001_initial.js';
import { tokenTables } from '../../src/stores/sql/migrations/0002_tokens.js';
import { refreshFamilySecret } from '../../src/stores/sql/migrations/0003_refresh_family_secret.js';
import { keySchedule } from '../../src/stores/sql/migrations/0004_key_schedule.js';
import { bus } from '../../src/stores/sql/migrations/0005_bus.js';
import { sqliteCapabilities } from '../../src/stores/sql/dialects/sqlite.js';
import { createSqlStores } from '../../src/stores/sql/index.js';
import {
  SQLITE_DRIVER_ENV,
  loadSqliteDriver,
  sqliteDriverChoice,
  type SqliteDriver,
  type SqliteDriverName,
} from '../../src/stores/sql/sqlite-driver.js';
import { storeContract } from './contract.js';

/** The driver `auto` must pick on this runtime: node:sqlite wherever Node has it. */
const expected: SqliteDriverName = isBuiltin('node:sqlite') ? 'node' : 'better-sqlite3';

// Every driver that loads here runs everything below. The one auto picks must load (a failure is
// a failed test, never a skip); the other may be missing for a reason of the runtime's, not the
// machine's: Node 20 has no node:sqlite, and better-sqlite3 is optional on Node 22 and 24.
// Loaded before any hook or test is registered: node:test may run root hooks registered before
// a top-level await while later tests are still being registered.
const drivers: SqliteDriver[] = [];
const missing = new Map<SqliteDriverName, string>();
for (const name of ['node', 'better-sqlite3'] as const) {
  await loadSqliteDriver(name).then(
    (driver) => drivers.push(driver),
    (error: unknown) => missing.set(name, (error as Error).message),
  );
}

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-sqlite-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

for (const [name, reason] of missing) {
  if (name === expected) {
    void it(`the ${name} driver loads on Node ${process.version}`, () => assert.fail(reason));
  } else {
    void describe(`sqlite on ${name}`, { skip: reason }, () => {});
  }
}

void describe('sqlite driver choice', () => {
  void it('auto picks node:sqlite where the runtime has it, better-sqlite3 elsewhere', async () => {
    assert.equal((await loadSqliteDriver('auto')).name, expected);
  });

  void it('TESSERA_SQLITE_DRIVER chooses when the option does not, and a wrong value names the accepted ones', () => {
    const saved = process.env[SQLITE_DRIVER_ENV];
    try {
      process.env[SQLITE_DRIVER_ENV] = 'better-sqlite3';
      assert.equal(sqliteDriverChoice(), 'better-sqlite3');
      assert.equal(sqliteDriverChoice('node'), 'node');
      process.env[SQLITE_DRIVER_ENV] = 'sqlite3';
      assert.throws(() => sqliteDriverChoice(), {
        name: 'TypeError',
        message: /TESSERA_SQLITE_DRIVER must be one of auto, node, better-sqlite3/,
      });
      delete process.env[SQLITE_DRIVER_ENV];
      assert.equal(sqliteDriverChoice(), 'auto');
    } finally {
      if (saved === undefined) delete process.env[SQLITE_DRIVER_ENV];
      else process.env[SQLITE_DRIVER_ENV] = saved;
    }
  });

  void it('a driver option is refused for PostgreSQL rather than silently ignored', async () => {
    await assert.rejects(
      createSqlStores({ url: 'postgres://postgres@127.0.0.1:1/none', sqliteDriver: 'node' }),
      TypeError,
    );
  });
});

for (const driver of drivers) {
  const name = driver.name;
  const sqliteDriver = name;
  storeContract(`sqlite file (${name})`, () =>
    createSqlStores({ url: `sqlite:${join(dir, `${randomUUID()}.db`)}`, sqliteDriver }),
  );
  storeContract(`sqlite in memory (${name})`, () =>
    createSqlStores({ url: 'sqlite::memory:', sqliteDriver }),
  );

  void describe(`sqlite file (${name})`, () => {
    const file = (label: string): string => join(dir, `${label}-${name}.db`);

    void it('data survives closing and reopening the file', async () => {
      const url = `sqlite:${file('reopen')}`;
      const user = {
        id: randomUUID(),
        email: 'kept@example.com',
        passwordHash: 'hash',
        createdAt: Date.UTC(2026, 0, 1),
        tokensValidAfter: Date.UTC(2026, 0, 2),
        role: 'user' as const,
        disabledAt: null,
        emailVerifiedAt: null,
      };
      const first = await createSqlStores({ url, sqliteDriver });
      assert.equal(await first.users.insert(user), 'created');
      await first.rateLimits.hit('kept', 60_000, user.createdAt);
      await first.close();

      const second = await createSqlStores({ url, sqliteDriver });
      try {
        assert.deepEqual(await second.users.findById(user.id), user);
        assert.equal(await second.users.insert({ ...user, id: randomUUID() }), 'email_taken');
        assert.equal((await second.rateLimits.hit('kept', 60_000, user.createdAt)).count, 2);
      } finally {
        await second.close();
      }
    });

    void it('a file in a missing directory is refused when the stores are created', async () => {
      const url = `sqlite:${join(dir, 'missing', 'tessera.db')}`;
      await assert.rejects(createSqlStores({ url, sqliteDriver }));
    });

    void it('reopening runs no migration twice', async () => {
      const path = file('migrations');
      await (await createSqlStores({ url: `sqlite:${path}`, sqliteDriver })).close();
      await (await createSqlStores({ url: `sqlite:${path}`, sqliteDriver })).close();
      const database = driver.open(path, { readonly: true });
      try {
        const applied = database.prepare('select name from kysely_migration order by name').all([]);
        assert.deepEqual(applied, [
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
        database.close();
      }
    });

    void it('a database from before 0002 is upgraded in place, keeping its data', async () => {
      const path = file('upgrade');
      const user = {
        id: randomUUID(),
        email: 'early@example.com',
        passwordHash: 'hash',
        createdAt: Date.UTC(2026, 0, 1),
        tokensValidAfter: 0,
      };
      // The schema as the first release left it: 0001 only, with a user in it.
      const old = new Kysely<unknown>({
        dialect: new SqliteDialect({ database: driver.open(path) }),
      });
      const migrator = new Migrator({
        db: old,
        provider: { getMigrations: async () => ({ '0001_initial': initial }) },
      });
      assert.equal((await migrator.migrateToLatest()).error, undefined);
      await sql`insert into users (id, email, password_hash, created_at, tokens_valid_after)
        values (${user.id}, ${user.email}, ${user.passwordHash}, ${user.createdAt}, 0)`.execute(
        old,
      );
      await old.destroy();

      const upgraded = await createSqlStores({ url: `sqlite:${path}`, sqliteDriver });
      try {
        // 0008: an existing user is a plain user, enabled, with an unverified email.
        assert.deepEqual(await upgraded.users.findById(user.id), {
          ...user,
          role: 'user',
          disabledAt: null,
          emailVerifiedAt: null,
        });
        const event = await upgraded.revocations.add({
          kind: 'jti',
          value: 'j',
          at: 0,
          expiresAt: 1,
        });
        assert.deepEqual(await upgraded.revocations.listSince(0, 0), [event]);
      } finally {
        await upgraded.close();
      }
    });

    void it('a refresh family from before 0003 survives the upgrade, with no family secret and no session', async () => {
      const path = file('upgrade-0003');
      const old = new Kysely<unknown>({
        dialect: new SqliteDialect({ database: driver.open(path) }),
      });
      const migrator = new Migrator({
        db: old,
        provider: {
          getMigrations: async () => ({
            '0001_initial': initial,
            '0002_tokens': tokenTables(sqliteCapabilities),
          }),
        },
      });
      assert.equal((await migrator.migrateToLatest()).error, undefined);
      const id = randomUUID();
      await sql`insert into refresh_families (id, user_id, client_id, scope, current_hash,
        generation, previous_hash, rotated_at, created_at, expires_at, revoked_at, revoked_reason)
        values (${id}, 'u', 'tessera', 'account', 'cur', 2, 'prev', 5, 1, 99, null, null)`.execute(
        old,
      );
      await old.destroy();

      const upgraded = await createSqlStores({ url: `sqlite:${path}`, sqliteDriver });
      try {
        assert.deepEqual(await upgraded.refreshFamilies.findByTokenHash('prev'), {
          id,
          userId: 'u',
          clientId: 'tessera',
          sessionId: null,
          scope: 'account',
          familySecretHash: null,
          currentHash: 'cur',
          generation: 2,
          previousHash: 'prev',
          rotatedAt: 5,
          rotatedInGrace: false,
          createdAt: 1,
          expiresAt: 99,
          revokedAt: null,
          revokedReason: null,
        });
      } finally {
        await upgraded.close();
      }
    });

    void it('clients from before 0006 keep the grants they could use, and get no redirect URIs', async () => {
      const path = file('upgrade-0006');
      const old = new Kysely<unknown>({
        dialect: new SqliteDialect({ database: driver.open(path) }),
      });
      const migrator = new Migrator({
        db: old,
        provider: {
          getMigrations: async () => ({
            '0001_initial': initial,
            '0002_tokens': tokenTables(sqliteCapabilities),
            '0003_refresh_family_secret': refreshFamilySecret,
            '0004_key_schedule': keySchedule(sqliteCapabilities),
            '0005_bus': bus(sqliteCapabilities),
          }),
        },
      });
      assert.equal((await migrator.migrateToLatest()).error, undefined);
      await sql`insert into clients (id, secret_hash, name, scopes, audiences, first_party, created_at)
        values ('tessera', null, 'first party', '[]', '[]', 1, 1),
               ('client_a', 'hash', 'integration', '[]', '[]', 0, 2)`.execute(old);
      await old.destroy();

      const upgraded = await createSqlStores({ url: `sqlite:${path}`, sqliteDriver });
      try {
        assert.deepEqual(await upgraded.clients.findById('tessera'), {
          id: 'tessera',
          secretHash: null,
          name: 'first party',
          scopes: [],
          audiences: [],
          grants: ['refresh_token'],
          redirectUris: [],
          postLogoutRedirectUris: [],
          firstParty: true,
          createdAt: 1,
        });
        assert.deepEqual((await upgraded.clients.findById('client_a'))?.grants, [
          'client_credentials',
          'refresh_token',
        ]);
      } finally {
        await upgraded.close();
      }
    });

    void it('the file is in WAL mode, so readers do not block the writer', async () => {
      const path = file('wal');
      await (await createSqlStores({ url: `sqlite:${path}`, sqliteDriver })).close();
      const database = driver.open(path, { readonly: true });
      try {
        assert.deepEqual(database.prepare('pragma journal_mode').all([]), [
          { journal_mode: 'wal' },
        ]);
      } finally {
        database.close();
      }
    });

    void it('every connection writes with synchronous FULL and waits out a lock for busyTimeoutMs', async () => {
      const { db } = openDatabase({
        url: `sqlite:${file('pragmas')}`,
        sqliteDriver,
        busyTimeoutMs: 1234,
      });
      try {
        const { rows: synchronous } = await sql`pragma synchronous`.execute(db);
        assert.deepEqual(synchronous, [{ synchronous: 2 }], '2 is FULL');
        const { rows: timeout } = await sql`pragma busy_timeout`.execute(db);
        assert.deepEqual(timeout, [{ timeout: 1234 }]);
      } finally {
        await db.destroy();
      }
    });

    void it('raw pragmas through Kysely answer rows, and data_version moves when another connection commits', async () => {
      const path = file('data-version');
      const watcher = new Kysely<unknown>({
        dialect: new SqliteDialect({ database: driver.open(path) }),
      });
      const writer = await createSqlStores({ url: `sqlite:${path}`, sqliteDriver });
      try {
        const version = async (): Promise<unknown> =>
          (await sql<{ data_version: number }>`pragma data_version`.execute(watcher)).rows[0]
            ?.data_version;
        const before = await version();
        assert.equal(typeof before, 'number');
        assert.equal(await version(), before, 'no commit, no change');
        await writer.rateLimits.hit('moves', 60_000, 0);
        assert.notEqual(await version(), before);
      } finally {
        await writer.close();
        await watcher.destroy();
      }
    });

    void it('rows read, returned by a write, or streamed are plain objects on every driver', async () => {
      const db = new Kysely<{ t: { id: number; v: string } }>({
        dialect: new SqliteDialect({ database: driver.open(':memory:') }),
      });
      try {
        await sql`create table t (id integer primary key, v text not null)`.execute(db);
        const inserted = await db
          .insertInto('t')
          .values({ id: 1, v: 'a' })
          .returningAll()
          .execute();
        assert.deepEqual(inserted, [{ id: 1, v: 'a' }]);
        const update = await db.updateTable('t').set({ v: 'b' }).executeTakeFirst();
        assert.equal(update.numUpdatedRows, 1n);
        assert.deepEqual(await db.selectFrom('t').selectAll().execute(), [{ id: 1, v: 'b' }]);
        const streamed: unknown[] = [];
        for await (const row of db.selectFrom('t').selectAll().stream()) streamed.push(row);
        assert.deepEqual(streamed, [{ id: 1, v: 'b' }]);
      } finally {
        await db.destroy();
      }
    });
  });
}

void describe(
  'sqlite on node:sqlite',
  { skip: expected === 'node' ? false : 'no node:sqlite' },
  () => {
    void it('loading it prints no ExperimentalWarning about SQLite, and other warnings still print', async () => {
      const script = [
        "import { loadSqliteDriver } from './src/stores/sql/sqlite-driver.ts';",
        "(await loadSqliteDriver('node')).open(':memory:').close();",
        "process.emitWarning('still heard', 'ExperimentalWarning');",
      ].join('\n');
      const { stderr } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        { cwd: join(import.meta.dirname, '..', '..') },
      );
      assert.doesNotMatch(stderr, /SQLite is an experimental feature/);
      assert.match(stderr, /ExperimentalWarning: still heard/);
    });
  },
);
