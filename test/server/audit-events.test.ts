// Every security event the API causes is in the audit log, on every store kind (issue 11): after
// each action through the HTTP API the log holds its kind, with the request's facts; no event
// holds the password or a typed unknown email.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { createMemoryStores } from '../../src/stores/memory/index.js';
import { createSqlStores } from '../../src/stores/sql/index.js';
import { Browser, PASSWORD, postForm } from '../helpers/server.js';
import { basic, flowServer, SECRET } from './code-flow.js';
import type { Tokens } from './code-flow.js';
import type { AuditEvent, Stores } from '../../src/stores/ports.js';

const pgUrl = process.env.TESSERA_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const admin = new pg.Pool({ connectionString: pgUrl, max: 1, connectionTimeoutMillis: 3000 });
admin.on('error', () => {});
after(() => admin.end());

async function postgresStores(): Promise<Stores> {
  const schema = `tessera_audit_${Math.random().toString(16).slice(2, 10)}`;
  const stores = await createSqlStores({ url: pgUrl, schema });
  return {
    ...stores,
    async close() {
      await stores.close();
      await admin.query(`drop schema if exists ${schema} cascade`);
    },
  };
}

const storeKinds: [string, () => Promise<Stores>][] = [
  ['memory', async () => createMemoryStores()],
  [
    'sqlite',
    () => createSqlStores({ url: `sqlite:${join(mkdtempSync(join(tmpdir(), 'audit-')), 't.db')}` }),
  ],
  ['postgres', postgresStores],
];

const NEW_PASSWORD = 'a brand new passphrase 42';
const UNKNOWN = 'nobody-typed-this@example.com';

for (const [name, open] of storeKinds) {
  describe(`audit events over ${name}`, () => {
    it('each action through the API leaves its event, and no event holds a secret', async (t) => {
      if (name === 'postgres') {
        try {
          await admin.query('select 1');
        } catch {
          t.skip('PostgreSQL does not answer on 127.0.0.1:5432');
          return;
        }
      }
      const stores = await open();
      t.after(() => stores.close());
      const server = await flowServer({ stores, config: { loginAccountLimit: 3 } });
      const { app, core, clock, user, confidential } = server;
      const events = async (kind: string): Promise<AuditEvent[]> =>
        core.audit.list({ kinds: [kind], limit: 100 });

      // Sign-up (flowServer signed ada up), a login, a wrong password, an unknown email.
      assert.equal((await events('user.signed_up'))[0]?.subjectId, user.userId);
      const browser = new Browser(app);
      assert.equal((await browser.login('ada@example.com')).statusCode, 200);
      const [ok] = await events('login.succeeded');
      assert.equal(ok?.subjectId, user.userId);
      assert.equal(ok?.userAgent, 'test-browser/1.0');
      assert.ok(ok?.requestId, 'the request id');
      assert.equal((await events('session.created')).length >= 1, true);
      const other = new Browser(app);
      assert.equal((await other.login('ada@example.com', 'not the password')).statusCode, 401);
      assert.equal((await other.login(UNKNOWN, PASSWORD)).statusCode, 401);
      const failed = await events('login.failed');
      assert.deepEqual(
        failed.map((event) => [event.subjectId, event.reason]),
        [
          [null, 'invalid_credentials'],
          [user.userId, 'invalid_credentials'],
        ],
      );

      // Consent, a refresh token used twice, an access token revoked by its client (RFC 7009).
      const got = await server.code(confidential, { scope: 'openid offline_access' });
      assert.equal((await events('consent.given'))[0]?.details.clientId, confidential.id);
      const tokens = (await server.exchange(confidential, got)).json() as Tokens;
      const refresh = (token: string) =>
        postForm(
          app,
          '/oauth/token',
          { grant_type: 'refresh_token', refresh_token: token },
          { authorization: basic(confidential.id, SECRET) },
        );
      assert.equal((await refresh(tokens.refresh_token ?? '')).statusCode, 200);
      clock.advance(60_000); // past the grace window: a replay is reuse
      assert.equal((await refresh(tokens.refresh_token ?? '')).statusCode, 400);
      const [reuse] = await events('refresh.reuse_detected');
      assert.equal(reuse?.details.clientId, confidential.id);
      assert.ok(reuse?.details.familyId);
      const second = (
        await server.exchange(confidential, await server.code(confidential, { scope: 'openid' }))
      ).json() as Tokens;
      const revoke = await postForm(
        app,
        '/oauth/revoke',
        { token: second.access_token },
        { authorization: basic(confidential.id, SECRET) },
      );
      assert.equal(revoke.statusCode, 200);
      const [revoked] = await events('token.revoked');
      assert.deepEqual(revoked?.details, { kind: 'access_token', clientId: confidential.id });
      assert.equal(revoked?.actorId, confidential.id);
      await core.consents.revoke(user.userId, confidential.id);
      assert.equal((await events('consent.revoked'))[0]?.subjectId, user.userId);

      // Sessions: one revoked, then every other one, then the password changed.
      await other.login('ada@example.com');
      const otherId = (await other.request('GET', '/auth/session')).json() as {
        session: { id: string };
      };
      const gone = await browser.request('DELETE', `/auth/sessions/${otherId.session.id}`);
      assert.equal(gone.statusCode, 204, gone.body);
      const [one] = await events('session.revoked');
      assert.equal(one?.details.sessionId, otherId.session.id);
      assert.equal(one?.actorId, user.userId, 'the signed-in caller is the actor');
      assert.equal((await browser.request('DELETE', '/auth/sessions')).statusCode, 204);
      assert.equal((await events('user.signed_out_everywhere')).length, 1);
      const change = await browser.request('POST', '/auth/password', {
        currentPassword: PASSWORD,
        newPassword: NEW_PASSWORD,
      });
      assert.equal(change.statusCode, 204, change.body);
      assert.equal((await events('password.changed'))[0]?.subjectId, user.userId);

      // Clients and keys (the admin console's and the CLI's core calls).
      const created = await core.clients.create({ name: 'Billing', scopes: [], audiences: [] });
      await core.clients.delete(created.client.id);
      assert.equal((await events('client.created'))[0]?.details.clientId, created.client.id);
      assert.equal((await events('client.deleted'))[0]?.details.clientId, created.client.id);
      const kid = await core.keyRing.rotate();
      assert.deepEqual((await events('key.rotated'))[0]?.details, { kid, mode: 'planned' });

      // Lockout: the account's limit (3) is hit.
      let status = 0;
      for (let i = 0; i < 5 && status !== 429; i += 1) {
        status = (await other.login('ada@example.com', 'wrong again')).statusCode;
      }
      assert.equal(status, 429);
      assert.equal((await events('login.locked_out'))[0]?.subjectId, user.userId);

      const all = JSON.stringify(await core.audit.list({ limit: 1000 }));
      for (const secret of [PASSWORD, NEW_PASSWORD, 'not the password', 'wrong again', UNKNOWN]) {
        assert.ok(!all.includes(secret), `an event holds ${secret}`);
      }
    });
  });
}
