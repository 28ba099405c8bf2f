import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';

const run = promisify(execFile);
const MAIN = join(import.meta.dirname, '../../src/cli/main.ts');
const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = {
  ...process.env,
  TESSERA_DATABASE_URL: `sqlite:${join(dir, 'cli.db')}`,
  TESSERA_LOG_LEVEL: 'silent',
};

const tessera = async (...args: string[]) =>
  (await run(process.execPath, ['--import', 'tsx', MAIN, ...args], { env })).stdout;

describe('tessera clients and keys', () => {
  it('clients create --json prints client_id and client_secret once; list shows no secret; delete removes', async () => {
    const created = JSON.parse(
      await tessera(
        'clients',
        'create',
        '--name',
        'reports',
        '--scope',
        'reports:read tessera:revocations',
        '--json',
      ),
    );
    assert.match(created.client_id, /^client_/);
    assert.match(created.client_secret, /^[A-Za-z0-9_-]{43}$/);
    const list = JSON.parse(await tessera('clients', 'list', '--json')) as {
      client_id: string;
      scopes: string[];
    }[];
    const listed = list.find((client) => client.client_id === created.client_id);
    assert.deepEqual(listed?.scopes, ['reports:read', 'tessera:revocations']);
    assert.ok(!JSON.stringify(list).includes(created.client_secret));
    await tessera('clients', 'delete', created.client_id);
    const after = JSON.parse(await tessera('clients', 'list', '--json')) as { client_id: string }[];
    assert.ok(!after.some((client) => client.client_id === created.client_id));
  });

  it('clients create --grant (repeatable) registers those grants alone; without it, the default ones', async () => {
    type Listed = { client_id: string; grants: string[] }[];
    const only = JSON.parse(
      await tessera(
        'clients',
        'create',
        '--name',
        'cron',
        '--grant',
        'client_credentials',
        '--json',
      ),
    );
    const both = JSON.parse(
      await tessera(
        'clients',
        'create',
        '--name',
        'both',
        '--grant',
        'refresh_token',
        '--grant',
        'client_credentials',
        '--json',
      ),
    );
    const plain = JSON.parse(await tessera('clients', 'create', '--name', 'plain', '--json'));
    const list = JSON.parse(await tessera('clients', 'list', '--json')) as Listed;
    const grantsOf = (id: string) => list.find((client) => client.client_id === id)?.grants;
    assert.deepEqual(grantsOf(only.client_id), ['client_credentials']);
    assert.deepEqual(grantsOf(both.client_id), ['refresh_token', 'client_credentials']);
    assert.deepEqual(grantsOf(plain.client_id), ['client_credentials', 'refresh_token']);
    await assert.rejects(
      tessera('clients', 'create', '--name', 'bad', '--grant', 'password', '--json'),
      (error: { stderr?: string }) => /cannot use "password"/.test(error.stderr ?? ''),
    );
  });

  it('clients create for the code flow: --redirect-uri and --post-logout-redirect-uri (repeatable), --public prints no secret, --first-party; list shows them', async () => {
    type Listed = {
      client_id: string;
      grants: string[];
      redirect_uris: string[];
      post_logout_redirect_uris: string[];
      public: boolean;
      first_party: boolean;
    }[];
    const spa = JSON.parse(
      await tessera(
        'clients',
        'create',
        '--name',
        'spa',
        '--scope',
        'openid profile',
        '--redirect-uri',
        'https://spa.example/callback',
        '--redirect-uri',
        'http://127.0.0.1/cb',
        '--post-logout-redirect-uri',
        'https://spa.example/bye',
        '--public',
        '--first-party',
        '--json',
      ),
    ) as Record<string, unknown>;
    assert.deepEqual(Object.keys(spa), ['client_id']);
    const web = JSON.parse(
      await tessera(
        'clients',
        'create',
        '--name',
        'web',
        '--redirect-uri',
        'https://web.example/cb',
        '--json',
      ),
    ) as { client_id: string; client_secret: string };
    assert.match(web.client_secret, /^[A-Za-z0-9_-]{43}$/);
    const list = JSON.parse(await tessera('clients', 'list', '--json')) as Listed;
    const listedSpa = list.find((client) => client.client_id === spa.client_id);
    assert.deepEqual(listedSpa, {
      ...listedSpa,
      grants: ['authorization_code', 'refresh_token'],
      redirect_uris: ['https://spa.example/callback', 'http://127.0.0.1/cb'],
      post_logout_redirect_uris: ['https://spa.example/bye'],
      public: true,
      first_party: true,
    });
    const listedWeb = list.find((client) => client.client_id === web.client_id);
    assert.deepEqual(
      [listedWeb?.public, listedWeb?.first_party, listedWeb?.grants],
      [false, false, ['authorization_code', 'refresh_token']],
    );
  });

  it('clients create refuses a redirect URI that could leak a code, naming it, and stores nothing', async () => {
    const before = (await tessera('clients', 'list', '--json')).length;
    await assert.rejects(
      tessera('clients', 'create', '--name', 'leaky', '--redirect-uri', 'http://evil.example/cb'),
      (error: { stderr?: string; code?: number }) =>
        error.code === 2 && /http:\/\/evil\.example\/cb/.test(error.stderr ?? ''),
    );
    await assert.rejects(
      tessera('clients', 'create', '--name', 'no-uri', '--public'),
      (error: { stderr?: string }) => /redirect URI/.test(error.stderr ?? ''),
    );
    assert.equal((await tessera('clients', 'list', '--json')).length, before);
  });

  it('keys rotate publishes a next key that signs later; a second rotate changes nothing', async () => {
    type Listed = { kid: string; state: string; activatesAt: number; createdAt: number }[];
    const before = JSON.parse(await tessera('keys', 'list', '--json')) as Listed;
    const first = JSON.parse(await tessera('keys', 'rotate', '--json')) as {
      kid: string;
      activatesAt: string;
      scheduled: boolean;
    };
    assert.equal(first.scheduled, true);
    const keys = JSON.parse(await tessera('keys', 'list', '--json')) as Listed;
    const next = keys.find((key) => key.kid === first.kid);
    assert.equal(next?.state, 'next');
    assert.equal(new Date(first.activatesAt).getTime(), next?.activatesAt);
    assert.ok(
      (next?.activatesAt ?? 0) - (next?.createdAt ?? 0) >= 300_000,
      'after the JWKS max-age',
    );
    for (const old of before.filter((key) => key.state === 'active'))
      assert.equal(keys.find((key) => key.kid === old.kid)?.state, 'active', 'still signing');
    const second = JSON.parse(await tessera('keys', 'rotate', '--json')) as {
      kid: string;
      scheduled: boolean;
    };
    assert.deepEqual([second.kid, second.scheduled], [first.kid, false]);
    assert.equal(
      (JSON.parse(await tessera('keys', 'list', '--json')) as Listed).length,
      keys.length,
    );
    assert.match(await tessera('keys', 'list'), /signs-from/);
  });

  it('keys rotate --now: a new key signs at once and every other key is retired', async () => {
    type Listed = { kid: string; state: string }[];
    const before = JSON.parse(await tessera('keys', 'list', '--json')) as Listed;
    const live = before.filter((key) => key.state !== 'retired').map((key) => key.kid);
    const { kid, retired } = JSON.parse(await tessera('keys', 'rotate', '--now', '--json')) as {
      kid: string;
      retired: string[];
    };
    assert.deepEqual([...retired].sort(), [...live].sort());
    const keys = JSON.parse(await tessera('keys', 'list', '--json')) as Listed;
    assert.deepEqual(
      keys.filter((key) => key.state !== 'retired').map((key) => [key.kid, key.state]),
      [[kid, 'active']],
    );
  });
});
