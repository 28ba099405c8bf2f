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

  it('keys rotate makes a new active key and keeps the old one verify-only', async () => {
    const before = JSON.parse(await tessera('keys', 'list', '--json')) as {
      kid: string;
      state: string;
    }[];
    const { kid } = JSON.parse(await tessera('keys', 'rotate', '--json')) as { kid: string };
    const keys = JSON.parse(await tessera('keys', 'list', '--json')) as {
      kid: string;
      state: string;
    }[];
    assert.equal(keys.find((key) => key.kid === kid)?.state, 'active');
    for (const old of before)
      assert.equal(keys.find((key) => key.kid === old.kid)?.state, 'verify-only');
    assert.equal(keys.filter((key) => key.state === 'active').length, 1);
  });
});
