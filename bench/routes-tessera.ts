// The Tessera servers of bench/routes.ts, in their own process (started by bench/routes.ts with
// routes-child.ts): the authorization server the resource servers verify against (SQLite, near
// cache on, the default deployment) with the bench-only endpoints the latency rows call, and a
// second Tessera at the default argon2id settings for the sign-in latency rows. Prints one JSON
// line (TesseraChild), then serves until killed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { systemClock } from '../src/core/clock.js';
import { createCore } from '../src/core/tessera.js';
import { buildApp } from '../src/server/app.js';
import { policyFromConfig } from '../src/server/policy.js';
import { createSqlStores } from '../src/stores/sql/index.js';

/** What this process prints once it serves. */
export interface TesseraChild {
  issuer: string;
  ports: { tessera: number; tesseraSignIn: number };
  feed: { clientId: string; clientSecret: string };
  token: string;
  cookie: string;
  userId: string;
  email: string;
  password: string;
  argon2: { memoryKiB: number; iterations: number; parallelism: number };
}

const email = 'bench@example.com';
const password = 'correct horse battery staple';
const ports = { tessera: 18_801, tesseraSignIn: 18_806 };
const issuer = `http://127.0.0.1:${ports.tessera}`;
const dir = mkdtempSync(join(tmpdir(), 'tessera-routes-'));
// The SQLite databases go with the run, also when the setup fails.
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));

// Cheap argon2 here: its hashes are only for the setup; the sign-in rows use the Tessera below.
const config = loadConfig(
  {},
  { issuer, argon2MemoryKiB: 1024, argon2Iterations: 1, loginIpLimit: 1e6, signupIpLimit: 1e6 },
);
const core = await createCore({
  stores: await createSqlStores({ url: `sqlite:${join(dir, 'bench.db')}` }),
  clock: systemClock,
  policy: policyFromConfig(config),
});
const user = await core.accounts.signup({ email, password }, { ip: '127.0.0.1' });
const server = await buildApp({
  config,
  core,
  // For the revocation-latency rows (bench/routes-latency.ts): a fresh token and its revocation,
  // a fresh session and its revocation at the server. Bench only.
  routes: (app) => {
    app.get('/bench/issue', async () => {
      const fresh = await core.tokenService.login({ email, password }, { ip: '127.0.0.1' });
      return { token: fresh.access.token };
    });
    app.post('/bench/revoke', async (request) => {
      const { jti, exp } = request.body as { jti: string; exp: number };
      await core.revocations.revokeToken(jti, exp);
      return { ok: true };
    });
    app.get('/bench/session', async () => {
      const { secret, session } = await core.sessions.create(user.id, {
        userAgent: 'bench',
        ip: '127.0.0.1',
      });
      return { cookie: secret, id: session.id };
    });
    app.post('/bench/session-revoke', async (request) => {
      const { id } = request.body as { id: string };
      await core.sessions.revoke(user.id, id);
      return { ok: true };
    });
  },
});
await server.listen({ host: '127.0.0.1', port: ports.tessera });
const { secret: cookie } = await core.sessions.create(user.id, {
  userAgent: 'bench',
  ip: '127.0.0.1',
});
const login = await core.tokenService.login({ email, password }, { ip: '127.0.0.1' });
const feedClient = await core.clients.create({
  name: 'bench',
  scopes: ['tessera:revocations'],
  audiences: [],
});

// Sign-in latency: a Tessera at the default argon2id settings (loadConfig's fallbacks), its own
// SQLite database; only the rate limits are raised, as above.
const signInConfig = loadConfig(
  {},
  { issuer: `http://127.0.0.1:${ports.tesseraSignIn}`, loginIpLimit: 1e6, signupIpLimit: 1e6 },
);
const signInCore = await createCore({
  stores: await createSqlStores({ url: `sqlite:${join(dir, 'sign-in.db')}` }),
  clock: systemClock,
  policy: policyFromConfig(signInConfig),
});
const signInServer = await buildApp({ config: signInConfig, core: signInCore });
await signInServer.listen({ host: '127.0.0.1', port: ports.tesseraSignIn });
await signInCore.accounts.signup({ email, password }, { ip: '127.0.0.1' });

const ready: TesseraChild = {
  issuer,
  ports,
  feed: { clientId: feedClient.client.id, clientSecret: feedClient.secret },
  token: login.access.token,
  cookie,
  userId: user.id,
  email,
  password,
  argon2: {
    memoryKiB: signInConfig.argon2MemoryKiB,
    iterations: signInConfig.argon2Iterations,
    parallelism: signInConfig.argon2Parallelism,
  },
};
process.stdout.write(`${JSON.stringify(ready)}\n`);

process.once('SIGTERM', () => process.exit(0));
process.once('SIGINT', () => process.exit(0));
