import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import { initial } from '../../src/stores/sql/migrations/0001_initial.js';
import { tokens } from '../../src/stores/sql/migrations/0002_tokens.js';
import { refreshFamilySecret } from '../../src/stores/sql/migrations/0003_refresh_family_secret.js';
import { keySchedule } from '../../src/stores/sql/migrations/0004_key_schedule.js';
import { bus } from '../../src/stores/sql/migrations/0005_bus.js';
import { sqliteCapabilities } from '../../src/stores/sql/dialects/sqlite.js';
import { createSqlStores } from '../../src/stores/sql/index.js';
import { storeContract } from './contract.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-sqlite-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

storeContract('sqlite file', () =>
  createSqlStores({ url: `sqlite:${join(dir, `${randomUUID()}.db`)}` }),
);
storeContract('sqlite in memory', () => createSqlStores({ url: 'sqlite::memory:' }));

void describe('sqlite file', () => {
  void it('data survives closing and reopening the file', async () => {
    const url = `sqlite:${join(dir, 'reopen.db')}`;
    const user = {
      id: randomUUID(),
      email: 'kept@example.com',
      passwordHash: 'hash',
      createdAt: Date.UTC(2026, 0, 1),
      tokensValidAfter: Date.UTC(2026, 0, 2),
    };
    const first = await createSqlStores({ url });
    assert.equal(await first.users.insert(user), 'created');
    await first.rateLimits.hit('kept', 60_000, user.createdAt);
    await first.close();

    const second = await createSqlStores({ url });
    try {
      assert.deepEqual(await second.users.findById(user.id), user);
      assert.equal(await second.users.insert({ ...user, id: randomUUID() }), 'email_taken');
      assert.equal((await second.rateLimits.hit('kept', 60_000, user.createdAt)).count, 2);
    } finally {
      await second.close();
    }
  });

  void it('reopening runs no migration twice', async () => {
    const path = join(dir, 'migrations.db');
    await (await createSqlStores({ url: `sqlite:${path}` })).close();
    await (await createSqlStores({ url: `sqlite:${path}` })).close();
    const database = new SQLite(path, { readonly: true });
    try {
      const applied = database.prepare('select name from kysely_migration order by name').all();
      assert.deepEqual(applied, [
        { name: '0001_initial' },
        { name: '0002_tokens' },
        { name: '0003_refresh_family_secret' },
        { name: '0004_key_schedule' },
        { name: '0005_bus' },
        { name: '0006_client_grants' },
      ]);
    } finally {
      database.close();
    }
  });

  void it('a database from before 0002 is upgraded in place, keeping its data', async () => {
    const path = join(dir, 'upgrade.db');
    const user = {
      id: randomUUID(),
      email: 'early@example.com',
      passwordHash: 'hash',
      createdAt: Date.UTC(2026, 0, 1),
      tokensValidAfter: 0,
    };
    // The schema as the first release left it: 0001 only, with a user in it.
    const old = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new SQLite(path) }) });
    const migrator = new Migrator({
      db: old,
      provider: { getMigrations: async () => ({ '0001_initial': initial }) },
    });
    assert.equal((await migrator.migrateToLatest()).error, undefined);
    await sql`insert into users (id, email, password_hash, created_at, tokens_valid_after)
      values (${user.id}, ${user.email}, ${user.passwordHash}, ${user.createdAt}, 0)`.execute(old);
    await old.destroy();

    const upgraded = await createSqlStores({ url: `sqlite:${path}` });
    try {
      assert.deepEqual(await upgraded.users.findById(user.id), user);
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

  void it('a refresh family from before 0003 survives the upgrade, with no family secret', async () => {
    const path = join(dir, 'upgrade-0003.db');
    const old = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new SQLite(path) }) });
    const migrator = new Migrator({
      db: old,
      provider: {
        getMigrations: async () => ({
          '0001_initial': initial,
          '0002_tokens': tokens(sqliteCapabilities),
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

    const upgraded = await createSqlStores({ url: `sqlite:${path}` });
    try {
      assert.deepEqual(await upgraded.refreshFamilies.findByTokenHash('prev'), {
        id,
        userId: 'u',
        clientId: 'tessera',
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

  void it('clients from before 0006 keep the grants they could use', async () => {
    const path = join(dir, 'upgrade-0006.db');
    const old = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new SQLite(path) }) });
    const migrator = new Migrator({
      db: old,
      provider: {
        getMigrations: async () => ({
          '0001_initial': initial,
          '0002_tokens': tokens(sqliteCapabilities),
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

    const upgraded = await createSqlStores({ url: `sqlite:${path}` });
    try {
      assert.deepEqual(await upgraded.clients.findById('tessera'), {
        id: 'tessera',
        secretHash: null,
        name: 'first party',
        scopes: [],
        audiences: [],
        grants: ['refresh_token'],
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
    const path = join(dir, 'wal.db');
    await (await createSqlStores({ url: `sqlite:${path}` })).close();
    const database = new SQLite(path, { readonly: true });
    try {
      assert.equal(database.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      database.close();
    }
  });
});
