// `tessera users` as an operator runs it (a real CLI process over SQLite): create reads the
// password from standard input, list pages by email, disable refuses sign-in and revokes what
// the user held, enable lets them back, delete removes the account.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { systemClock } from '../../src/core/clock.js';
import { TesseraError } from '../../src/core/errors.js';
import { createCore } from '../../src/core/tessera.js';
import { policyFromConfig } from '../../src/server/policy.js';
import { openStores } from '../../src/server/stores.js';
import { FAST_ARGON2 } from '../helpers/server.js';

const MAIN = join(import.meta.dirname, '../../src/cli/main.ts');
const dir = mkdtempSync(join(tmpdir(), 'tessera-users-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = {
  ...process.env,
  TESSERA_DATABASE_URL: `sqlite:${join(dir, 'users.db')}`,
  TESSERA_LOG_LEVEL: 'silent',
  TESSERA_ARGON2_MEMORY_KIB: '1024',
  TESSERA_ARGON2_ITERATIONS: '1',
  TESSERA_ARGON2_PARALLELISM: '1',
};
const PASSWORD = 'correct horse battery staple';

/** Runs the CLI with `input` on standard input; resolves with its output and exit code. */
function tessera(
  args: string[],
  input = '',
): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', MAIN, ...args],
      { env },
      (error, stdout, stderr) =>
        resolve({ stdout, stderr, code: error ? Number(error.code ?? 1) : 0 }),
    );
    child.stdin?.end(input);
  });
}

/** A core over the CLI's database, as a running server would have it. */
async function withServerCore<T>(
  run: (core: Awaited<ReturnType<typeof createCore>>) => Promise<T>,
) {
  const config = loadConfig({ env }, FAST_ARGON2);
  const { stores } = await openStores(config);
  try {
    return await run(
      await createCore({ stores, clock: systemClock, policy: policyFromConfig(config) }),
    );
  } finally {
    await stores.close();
  }
}

describe('tessera users', () => {
  it('create --json reads the password from standard input and prints id and email', async () => {
    const created = await tessera(
      ['users', 'create', '--email', 'Ada@Example.com', '--admin', '--json'],
      `${PASSWORD}\n`,
    );
    assert.equal(created.code, 0, created.stderr);
    const body = JSON.parse(created.stdout) as { id: string; email: string };
    assert.deepEqual(Object.keys(body).sort(), ['email', 'id']);
    assert.equal(body.email, 'ada@example.com');
    await withServerCore(async (core) => {
      const user = await core.accounts.authenticate(
        { email: 'ada@example.com', password: PASSWORD },
        { ip: '127.0.0.1' },
      );
      assert.equal(user.role, 'admin');
      assert.notEqual(user.emailVerifiedAt, null);
    });
    const again = await tessera(['users', 'create', '--email', 'ada@example.com'], PASSWORD);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists/);
    const weak = await tessera(['users', 'create', '--email', 'weak@example.com'], 'short');
    assert.equal(weak.code, 2);
    const none = await tessera(['users', 'create', '--email', 'none@example.com'], '');
    assert.equal(none.code, 2);
  });

  it('list prints the users by email, filtered by prefix', async () => {
    for (const email of ['bob@example.com', 'bea@example.com', 'carl@example.com']) {
      assert.equal((await tessera(['users', 'create', '--email', email], PASSWORD)).code, 0);
    }
    const all = JSON.parse((await tessera(['users', 'list', '--json'])).stdout) as {
      email: string;
      role: string;
    }[];
    const emails = all.map((u) => u.email);
    assert.deepEqual(emails, [...emails].sort());
    assert.ok(emails.includes('carl@example.com'));
    const bs = JSON.parse(
      (await tessera(['users', 'list', '--email-prefix', 'b', '--json'])).stdout,
    ) as { email: string }[];
    assert.deepEqual(
      bs.map((u) => u.email),
      ['bea@example.com', 'bob@example.com'],
    );
    const text = (await tessera(['users', 'list'])).stdout;
    assert.match(text, /bob@example\.com .* user .* enabled/);
  });

  it('disable refuses sign-in and ends sessions; enable lets the user back in', async () => {
    assert.equal(
      (await tessera(['users', 'create', '--email', 'dan@example.com'], PASSWORD)).code,
      0,
    );
    const login = { email: 'dan@example.com', password: PASSWORD };
    const secret = await withServerCore(async (core) => {
      const user = await core.accounts.authenticate(login, { ip: '127.0.0.1' });
      return (await core.sessions.create(user.id, { userAgent: 't', ip: '127.0.0.1' })).secret;
    });
    const disabled = await tessera(['users', 'disable', 'dan@example.com']);
    assert.equal(disabled.code, 0, disabled.stderr);
    await withServerCore(async (core) => {
      await assert.rejects(core.sessions.validate(secret));
      await assert.rejects(
        core.accounts.authenticate(login, { ip: '127.0.0.1' }),
        (error: unknown) => {
          assert.ok(error instanceof TesseraError);
          assert.equal(error.code, 'account_disabled');
          return true;
        },
      );
    });
    assert.equal((await tessera(['users', 'enable', 'dan@example.com'])).code, 0);
    await withServerCore(async (core) => {
      assert.ok(await core.accounts.authenticate(login, { ip: '127.0.0.1' }));
    });
  });

  it('delete removes the account; an unknown email fails', async () => {
    assert.equal(
      (await tessera(['users', 'create', '--email', 'eve@example.com'], PASSWORD)).code,
      0,
    );
    const deleted = await tessera(['users', 'delete', 'eve@example.com', '--json']);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal((JSON.parse(deleted.stdout) as { deleted: boolean }).deleted, true);
    await withServerCore(async (core) => {
      assert.equal(await core.accounts.findByEmail('eve@example.com'), undefined);
    });
    const unknown = await tessera(['users', 'disable', 'nobody@example.com']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no user/);
  });
});
