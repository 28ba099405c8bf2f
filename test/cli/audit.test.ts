// `tessera audit`: --since (ISO time or duration), --kind (repeatable), --user (email or id),
// --limit, --json (JSON lines) and the table; in process over memory stores, then the real
// command over SQLite.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { auditOutput, parseSince } from '../../src/cli/audit.js';
import { ManualClock } from '../../src/core/clock.js';
import { createCore } from '../../src/core/tessera.js';
import { createMemoryStores } from '../../src/stores/memory/index.js';
import { HOUR, testPolicy } from '../core/policy.js';

const NOW = Date.UTC(2026, 10, 30, 12);

async function coreWithEvents() {
  const clock = new ManualClock(NOW - 48 * HOUR);
  const core = await createCore({ stores: createMemoryStores(), clock, policy: testPolicy() });
  const ada = await core.accounts.signup(
    { email: 'ada@example.com', password: 'correct horse battery staple' },
    { ip: '127.0.0.1' },
  );
  clock.set(NOW - 2 * HOUR);
  core.audit.record('login.failed', { subjectId: ada.id, reason: 'invalid_credentials' });
  clock.set(NOW - HOUR);
  core.audit.record('login.succeeded', { subjectId: ada.id, actorId: ada.id });
  core.audit.record('key.rotated', { details: { kid: 'k2', mode: 'planned' } });
  clock.set(NOW);
  return { core, ada };
}

describe('tessera audit (in process)', () => {
  it('--since takes a duration back from now or an ISO time, and refuses anything else', () => {
    assert.equal(parseSince('24h', NOW), NOW - 24 * HOUR);
    assert.equal(parseSince('30m', NOW), NOW - 30 * 60_000);
    assert.equal(parseSince('7d', NOW), NOW - 7 * 24 * HOUR);
    assert.equal(parseSince('2026-11-01T00:00:00Z', NOW), Date.UTC(2026, 10, 1));
    assert.throws(() => parseSince('yesterday', NOW), /neither an ISO time nor a duration/);
    assert.throws(() => parseSince('March 7', NOW), /neither/);
  });

  it('--json prints one event per line, newest first, within --since', async () => {
    const { core } = await coreWithEvents();
    const lines = (await auditOutput(core, { since: '24h', json: true })).split('\n');
    const events = lines.map((line) => JSON.parse(line) as { kind: string; at: string });
    assert.deepEqual(
      events.map((event) => event.kind),
      ['key.rotated', 'login.succeeded', 'login.failed'],
    );
    assert.equal(events[2]?.at, new Date(NOW - 2 * HOUR).toISOString());
    const older = await auditOutput(core, { since: '3d', json: true });
    assert.ok(older.includes('user.signed_up'));
  });

  it('--kind repeats, --user takes an email or an id, --limit caps', async () => {
    const { core, ada } = await coreWithEvents();
    const kinds = (options: Parameters<typeof auditOutput>[1]) =>
      auditOutput(core, { since: '3d', json: true, ...options }).then((text) =>
        text
          .split('\n')
          .filter(Boolean)
          .map((line) => (JSON.parse(line) as { kind: string }).kind),
      );
    assert.deepEqual(await kinds({ kinds: ['login.failed', 'key.rotated'] }), [
      'key.rotated',
      'login.failed',
    ]);
    assert.deepEqual(await kinds({ user: 'ADA@example.com' }), [
      'login.succeeded',
      'login.failed',
      'email.verification_sent',
      'user.signed_up',
    ]);
    assert.deepEqual(await kinds({ user: ada.id, limit: '1' }), ['login.succeeded']);
    await assert.rejects(auditOutput(core, { kinds: ['login.nope'] }), /unknown --kind login.nope/);
    await assert.rejects(auditOutput(core, { user: 'ghost@example.com' }), /no user/);
    await assert.rejects(auditOutput(core, { limit: '0' }), /--limit/);
  });

  it('without --json prints a table with a header', async () => {
    const { core } = await coreWithEvents();
    const table = (await auditOutput(core, { since: '24h' })).split('\n');
    assert.match(table[0] ?? '', /^TIME\s+KIND\s+ACTOR\s+SUBJECT\s+IP\s+REASON\s+DETAILS$/);
    assert.match(table[1] ?? '', /key\.rotated.*kid=k2 mode=planned$/);
    assert.match(table[3] ?? '', /login\.failed.*invalid_credentials/);
    assert.equal(await auditOutput(core, { since: '1s' }), '(no events)');
  });
});

describe('tessera audit (the command, over SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-audit-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const env = {
    ...process.env,
    TESSERA_DATABASE_URL: `sqlite:${join(dir, 'cli.db')}`,
    TESSERA_LOG_LEVEL: 'silent',
  };
  const MAIN = join(import.meta.dirname, '../../src/cli/main.ts');
  const tessera = async (...args: string[]) =>
    (await promisify(execFile)(process.execPath, ['--import', 'tsx', MAIN, ...args], { env }))
      .stdout;

  it('a key rotation by one command is listed by `tessera audit --json`', async () => {
    await tessera('keys', 'rotate');
    const out = await tessera('audit', '--since', '1h', '--kind', 'key.rotated', '--json');
    const events = out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; details: { mode: string } });
    assert.equal(events.length, 1);
    assert.equal(events[0]?.details.mode, 'planned');
    assert.match(await tessera('audit'), /key\.rotated/);
  });
});
