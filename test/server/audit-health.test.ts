// Writing an event never fails the request it describes (issue 11): with an audit store whose
// append rejects, sign-up and sign-in still answer, while /readyz and the metrics say so. Also:
// the request facts and X-Request-Id, and the structured log lines, which never hold the password.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { ManualClock } from '../../src/core/clock.js';
import { loadConfig } from '../../src/config.js';
import { createCore } from '../../src/core/tessera.js';
import { buildApp } from '../../src/server/app.js';
import { auditLogSink } from '../../src/server/audit-sink.js';
import { requestContext } from '../../src/server/plugins/request-context.js';
import { policyFromConfig } from '../../src/server/policy.js';
import { createMemoryStores } from '../../src/stores/memory/index.js';
import { Browser, FAST_ARGON2, PASSWORD } from '../helpers/server.js';
import type { AuditStore, Stores } from '../../src/stores/ports.js';

/** An app over memory stores whose audit store can be switched to reject every append. */
async function auditServer(options: { maxQueue?: number } = {}) {
  const base = createMemoryStores();
  let failing = false;
  const audit: AuditStore = {
    ...base.audit,
    append: (events) =>
      failing ? Promise.reject(new Error('audit table is read-only')) : base.audit.append(events),
  };
  const stores: Stores = { ...base, audit };
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
          raw.push(line);
          lines.push(JSON.parse(line) as Record<string, unknown>);
        }
        done();
      },
    }),
  );
  const config = loadConfig({ env: {} }, FAST_ARGON2);
  const core = await createCore({
    stores,
    clock: new ManualClock(),
    policy: policyFromConfig(config),
    context: requestContext,
    audit: { sink: auditLogSink(logger), ...options },
  });
  const app = await buildApp({ config, core, logger });
  return {
    app,
    core,
    lines,
    raw,
    setFailing: (value: boolean) => (failing = value),
  };
}

async function metric(app: Awaited<ReturnType<typeof auditServer>>['app'], name: string) {
  const text = (await app.inject({ url: '/metrics' })).body;
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('a failing audit store', () => {
  it('does not fail sign-up or sign-in, and /readyz and the metrics report it', async () => {
    const { app, core, setFailing } = await auditServer();
    setFailing(true);
    const browser = new Browser(app);
    const response = await browser.signupAndLogin('ada@example.com');
    assert.equal(response.statusCode, 200, response.body);
    await core.audit.flush();
    const ready = await app.inject({ url: '/readyz' });
    assert.equal(ready.statusCode, 503);
    assert.equal(ready.json().code, 'audit_unavailable');
    assert.match(ready.json().detail as string, /refuses writes/);
    assert.ok(((await metric(app, 'tessera_audit_write_failures_total')) ?? 0) >= 1);
    assert.ok(((await metric(app, 'tessera_audit_queue_size')) ?? 0) >= 3);
    // Back up: the waiting events are written and readiness returns.
    setFailing(false);
    await core.audit.flush();
    assert.equal((await app.inject({ url: '/readyz' })).statusCode, 200);
    const kinds = (await core.audit.list({ limit: 10 })).map((event) => event.kind).sort();
    assert.deepEqual(kinds, [
      'email.verification_sent',
      'login.succeeded',
      'session.created',
      'user.signed_up',
    ]);
    assert.equal(
      await metric(app, 'tessera_audit_events_total{kind="login.succeeded"}'),
      1,
      'events by kind',
    );
  });

  it('a full queue drops and counts, the request still answers, /readyz says full', async () => {
    const { app, setFailing } = await auditServer({ maxQueue: 2 });
    setFailing(true);
    const response = await new Browser(app).signupAndLogin('ada@example.com');
    assert.equal(response.statusCode, 200);
    const ready = await app.inject({ url: '/readyz' });
    assert.equal(ready.statusCode, 503);
    assert.match(ready.json().detail as string, /queue is full/);
    // Sign-up, its verification mail, the session and the sign-in: four events, two kept.
    assert.equal(await metric(app, 'tessera_audit_dropped_total'), 2);
  });
});

describe('audit request facts and log lines', () => {
  it('an event names the request (X-Request-Id), the client IP, its user agent and the actor', async () => {
    const { app, core } = await auditServer();
    const browser = new Browser(app);
    const login = await browser.signupAndLogin('ada@example.com');
    const requestId = login.headers['x-request-id'];
    assert.equal(typeof requestId, 'string');
    const [event] = await core.audit.list({ kinds: ['login.succeeded'], limit: 1 });
    assert.equal(event?.requestId, requestId);
    assert.equal(event?.ip, '127.0.0.1');
    assert.equal(event?.userAgent, 'test-browser/1.0');
    const sessions = (await browser.request('GET', '/auth/sessions')).json() as {
      sessions: { id: string }[];
    };
    assert.ok(sessions.sessions.length > 0);
    await browser.request('DELETE', '/auth/sessions');
    const [everywhere] = await core.audit.list({ kinds: ['user.signed_out_everywhere'], limit: 1 });
    assert.equal(everywhere?.actorId, event?.subjectId, 'the signed-in caller');
  });

  it('each event is one structured log line, and no line holds the password', async () => {
    const { app, core, lines, raw } = await auditServer();
    const browser = new Browser(app);
    await browser.signupAndLogin('ada@example.com');
    await browser.login('ada@example.com', 'a wrong password typed');
    await browser.login('ghost@example.com', PASSWORD);
    const audited = lines.filter((line) => line.audit !== undefined);
    const stored = await core.audit.list({ limit: 100 });
    assert.equal(audited.length, stored.length);
    assert.ok(audited.every((line) => line.level === 30));
    for (const line of raw) {
      assert.ok(!line.includes(PASSWORD), 'a log line holds the password');
      assert.ok(!line.includes('a wrong password typed'), 'a log line holds a typed password');
    }
    const all = JSON.stringify(stored);
    assert.ok(!all.includes(PASSWORD) && !all.includes('ghost@example.com'));
  });
});
