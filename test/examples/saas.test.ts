/**
 * examples/saas, started the way `npm run example:saas` starts it — Tessera, the dashboard, the
 * reports API and the worker as child processes — on free ports with a temporary data directory,
 * and driven over HTTP the way its README walks through it.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSaas, type Ports, type RunningSaas } from '../../examples/saas/run.js';
import { withCore } from '../../src/cli/open.js';
import { loadConfig } from '../../src/config.js';
import { eventually } from '../helpers/poll.js';

/** Every HTTP exchange is bounded by this. */
const REQUEST_TIMEOUT_MS = 5_000;

/** A revocation must reach every verifier within this (it takes milliseconds over the feed). */
const REVOCATION_BOUND_MS = 2_000;

const json = { 'content-type': 'application/json' };

function http(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
}

/** Four loopback ports that were free a moment ago (held together, so they differ). */
async function freePorts(): Promise<Ports> {
  const probes: Server[] = [];
  for (let i = 0; i < 4; i += 1) {
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    probes.push(probe);
  }
  const [tessera, dashboard, reports, worker] = probes.map(
    (probe) => (probe.address() as AddressInfo).port,
  ) as [number, number, number, number];
  await Promise.all(probes.map((probe) => new Promise((resolve) => probe.close(resolve))));
  return { tessera, dashboard, reports, worker };
}

async function problem(response: Response): Promise<{ code?: string }> {
  return (await response.json()) as { code?: string };
}

describe('examples/saas', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-saas-'));
  let running: RunningSaas | undefined;
  const saas = (): RunningSaas => {
    if (running === undefined) throw new Error('the example did not start');
    return running;
  };

  before(
    async () => {
      running = await startSaas({
        ports: await freePorts(),
        dataDir,
        // Cheap hashing and a quiet server: this test is not about either.
        tesseraEnv: {
          TESSERA_ARGON2_MEMORY_KIB: '1024',
          TESSERA_ARGON2_ITERATIONS: '1',
          TESSERA_LOG_LEVEL: 'silent',
        },
      });
    },
    { timeout: 45_000 },
  );

  after(
    async () => {
      await running?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
    { timeout: 25_000 },
  );

  /** A client-credentials token of the integration (or another client), for the reports API. */
  async function integrationToken(
    { clientId, clientSecret } = saas().credentials.integration,
  ): Promise<string> {
    const form = new URLSearchParams({ grant_type: 'client_credentials', resource: 'reports-api' });
    const response = await http(`${saas().urls.tessera}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${btoa(`${clientId}:${clientSecret}`)}` },
      body: form,
    });
    assert.equal(response.status, 200, await response.clone().text());
    return ((await response.json()) as { access_token: string }).access_token;
  }

  /** A first-party access token of a user, as the SaaS's own app gets it. */
  async function userToken(email: string, password: string): Promise<string> {
    const response = await http(`${saas().urls.tessera}/auth/token`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email, password, refresh: 'body' }),
    });
    assert.equal(response.status, 200, await response.clone().text());
    return ((await response.json()) as { access_token: string }).access_token;
  }

  /** Logs in through the dashboard's origin, as the page does; the cookie and CSRF token. */
  async function dashboardLogin(email: string, password: string) {
    const { dashboard } = saas().urls;
    const response = await http(`${dashboard}/auth/session`, {
      method: 'POST',
      headers: { ...json, origin: dashboard },
      body: JSON.stringify({ email, password }),
    });
    assert.equal(response.status, 200, await response.clone().text());
    const cookie = (response.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    assert.match(cookie, /^tessera_session=./);
    const { csrfToken } = (await response.json()) as { csrfToken: string };
    return { cookie, csrfToken };
  }

  const reports = (token: string) =>
    http(`${saas().urls.reports}/reports`, { headers: { authorization: `Bearer ${token}` } });

  const job = (token: string) =>
    http(`${saas().urls.worker}/jobs`, {
      method: 'POST',
      headers: { ...json, authorization: `Bearer ${token}` },
      body: JSON.stringify({ report: 'weekly-usage' }),
    });

  /** Whether `response` is the 401 of a revoked token (and consumes it). */
  async function refusedAsRevoked(response: Response): Promise<boolean> {
    const { code } = await problem(response);
    return response.status === 401 && code === 'token_revoked';
  }

  it('the integration reads reports with a client-credentials token', async () => {
    const response = await reports(await integrationToken());
    assert.equal(response.status, 200);
    const body = (await response.json()) as { for: string; reports: unknown[] };
    assert.equal(body.for, saas().credentials.integration.clientId);
    assert.equal(body.reports.length, 2);
  });

  it('a token without reports:read is 403 insufficient_scope naming the scope', async () => {
    // An empty scope now means the client's default scopes (RFC 6749 §3.2), so a token without
    // reports:read comes from a client that is not allowed it, created as setup.ts does.
    const config = loadConfig({
      env: { TESSERA_DATABASE_URL: `sqlite:${join(dataDir, 'tessera.db')}` },
    });
    const { client, secret } = await withCore(config, (core) =>
      core.clients.create({
        name: 'no-reports',
        scopes: ['reports:list'],
        audiences: ['reports-api'],
      }),
    );
    const token = await integrationToken({ clientId: client.id, clientSecret: secret });
    const response = await reports(token);
    assert.equal(response.status, 403);
    assert.equal((await problem(response)).code, 'insufficient_scope');
    const challenge = String(response.headers.get('www-authenticate'));
    assert.match(challenge, /^Bearer error="insufficient_scope"/);
    assert.match(challenge, /scope="reports:read"/);
  });

  it('a request without a token is 401 with a Bearer challenge', async () => {
    const response = await http(`${saas().urls.reports}/reports`);
    assert.equal(response.status, 401);
    assert.match(String(response.headers.get('www-authenticate')), /^Bearer error="invalid_token"/);
    assert.equal((await problem(response)).code, 'unauthenticated');
  });

  it('a person logs in through the dashboard and gets their projects; without the cookie, 401', async () => {
    const { dashboard } = saas().urls;
    const { email, password } = saas().credentials.demo;
    const { cookie, csrfToken } = await dashboardLogin(email, password);

    const mine = await http(`${dashboard}/api/projects`, { headers: { cookie } });
    assert.equal(mine.status, 200);
    const body = (await mine.json()) as { user: { email: string }; projects: unknown[] };
    assert.equal(body.user.email, email);
    assert.equal(body.projects.length, 2);

    const anonymous = await http(`${dashboard}/api/projects`);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('www-authenticate'), null);
    assert.equal((await problem(anonymous)).code, 'unauthenticated');

    // A write by cookie needs the session's CSRF token.
    const add = (headers: Record<string, string>) =>
      http(`${dashboard}/api/projects`, {
        method: 'POST',
        headers: { ...json, cookie, origin: dashboard, ...headers },
        body: JSON.stringify({ name: 'Launch' }),
      });
    const forged = await add({});
    assert.equal(forged.status, 403);
    assert.equal((await problem(forged)).code, 'csrf');
    const added = await add({ 'x-csrf-token': csrfToken });
    assert.equal(added.status, 201);
  });

  it('a user token revoked at /oauth/revoke is refused by the worker and the reports API within the bound', async () => {
    const { email, password } = saas().credentials.demo;
    const token = await userToken(email, password);
    assert.equal((await job(token)).status, 200);
    assert.equal((await reports(token)).status, 200);

    const revoked = await http(`${saas().urls.tessera}/oauth/revoke`, {
      method: 'POST',
      body: new URLSearchParams({ token, client_id: 'tessera' }),
    });
    assert.equal(revoked.status, 200);

    await eventually(async () => refusedAsRevoked(await job(token)), REVOCATION_BOUND_MS, 10);
    await eventually(async () => refusedAsRevoked(await reports(token)), REVOCATION_BOUND_MS, 10);
  });

  it('a password change ends the dashboard session and every token of the user, everywhere', async () => {
    const { tessera, dashboard } = saas().urls;
    const email = `change-${process.pid}@example.com`;
    const password = 'a fresh passphrase for this test';
    const signup = await http(`${tessera}/auth/signup`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email, password }),
    });
    assert.equal(signup.status, 201, await signup.clone().text());
    const { cookie } = await dashboardLogin(email, password);
    const token = await userToken(email, password);
    assert.equal((await job(token)).status, 200);

    const changed = await http(`${tessera}/auth/password`, {
      method: 'POST',
      headers: { ...json, authorization: `Bearer ${await userToken(email, password)}` },
      body: JSON.stringify({ currentPassword: password, newPassword: `${password}, changed` }),
    });
    assert.equal(changed.status, 204, await changed.clone().text());

    const session = await http(`${dashboard}/api/projects`, { headers: { cookie } });
    assert.equal(session.status, 401);
    await eventually(async () => refusedAsRevoked(await job(token)), REVOCATION_BOUND_MS, 10);
    await eventually(async () => refusedAsRevoked(await reports(token)), REVOCATION_BOUND_MS, 10);
  });
});
