import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';

const MAIN = join(import.meta.dirname, '../../src/cli/main.ts');
const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `tessera …` from source; resolves with the process once it logged where it listens. */
async function serve(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', ...args], {
    env: { ...process.env, ...env },
  }) as ChildProcessWithoutNullStreams;
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listen line in: ${output}`)), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
  });
  return { child, url, output: () => output };
}

async function stop(child: ChildProcessWithoutNullStreams, signal: NodeJS.Signals) {
  const exited = once(child, 'exit');
  child.kill(signal);
  const [code] = await exited;
  return code as number;
}

describe('tessera serve', () => {
  it('serves sign-up and cookie login on embedded SQLite, keeps data across restarts, and stops cleanly on SIGTERM and SIGINT', async () => {
    const database = `sqlite:${join(dir, 'tessera.db')}`;
    const first = await serve(['--port', '0', '--database-url', database]);
    const signup = await fetch(`${first.url}/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.com', password: 'correct horse battery staple' }),
    });
    assert.equal(signup.status, 201);
    assert.equal(await stop(first.child, 'SIGTERM'), 0);

    const second = await serve(['--port', '0'], { TESSERA_DATABASE_URL: database });
    const login = await fetch(`${second.url}/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.com', password: 'correct horse battery staple' }),
    });
    assert.equal(login.status, 200);
    const cookie = login.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    const session = await fetch(`${second.url}/auth/session`, { headers: { cookie } });
    assert.equal(session.status, 200);
    assert.ok(second.output().includes('Tessera listening on'));
    assert.ok(!second.output().includes(cookie.split('=')[1] ?? 'x'), 'no session id in logs');
    assert.equal(await stop(second.child, 'SIGINT'), 0);
  });

  it('refuses invalid configuration with exit code 2 and a message naming the variable', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve'], {
      env: { ...process.env, TESSERA_PORT: 'eighty' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = await once(child, 'exit');
    assert.equal(code, 2);
    assert.match(stderr, /TESSERA_PORT must be an integer from 0 to 65535 \(got "eighty"\)/);
  });
});
