// The servers bench/routes.ts loads, in a child process so that autocannon and the servers do
// not share a thread: one protected route per mode on Tessera's Fastify middleware, and the
// peers a team would pick instead (better-auth in better-auth-target.ts), each with its own
// no-auth route on the same server. A second Tessera at the default argon2id settings serves the
// sign-in latency rows. Prints one JSON line with the ports and credentials, then serves until
// killed. `--quick`: a shorter cookie-cache maxAge for better-auth's revocation rows.
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fastifyJwt from '@fastify/jwt';
import { RedisStore } from 'connect-redis';
import express from 'express';
import session from 'express-session';
import Fastify from 'fastify';
import { createClient } from 'redis';
import { loadConfig } from '../src/config.js';
import { systemClock } from '../src/core/clock.js';
import { createCore } from '../src/core/tessera.js';
import { tesseraAuthHook } from '../src/middleware/fastify.js';
import { buildApp } from '../src/server/app.js';
import { policyFromConfig } from '../src/server/policy.js';
import { createSqlStores } from '../src/stores/sql/index.js';
import { createVerifier } from '../src/verify/index.js';
import { startBetterAuth } from './better-auth-target.js';

const PASSWORD = 'correct horse battery staple';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ports = {
  tessera: 18_801,
  resource: 18_802,
  fastifyJwt: 18_803,
  express: 18_804,
  betterAuth: 18_805,
  tesseraSignIn: 18_806,
};
const issuer = `http://127.0.0.1:${ports.tessera}`;
const quick = process.argv.includes('--quick');

// The authorization server: SQLite, near cache on (the default deployment). Cheap argon2 here:
// its hashes are only for the setup; the sign-in rows use the Tessera below.
const dir = mkdtempSync(join(tmpdir(), 'tessera-routes-'));
const config = loadConfig(
  {},
  { issuer, argon2MemoryKiB: 1024, argon2Iterations: 1, loginIpLimit: 1e6, signupIpLimit: 1e6 },
);
const core = await createCore({
  stores: await createSqlStores({ url: `sqlite:${join(dir, 'bench.db')}` }),
  clock: systemClock,
  policy: policyFromConfig(config),
});
const server = await buildApp({ config, core });
await server.listen({ host: '127.0.0.1', port: ports.tessera });
const user = await core.accounts.signup(
  { email: 'bench@example.com', password: PASSWORD },
  { ip: '127.0.0.1' },
);
const { secret: cookie } = await core.sessions.create(user.id, {
  userAgent: 'bench',
  ip: '127.0.0.1',
});
const login = await core.tokenService.login(
  { email: 'bench@example.com', password: PASSWORD },
  { ip: '127.0.0.1' },
);
const feedClient = await core.clients.create({
  name: 'bench',
  scopes: ['tessera:revocations'],
  audiences: [],
});

// Tessera's toolkit on a resource server: the same handler behind each mode.
const verifier = await createVerifier({
  issuer,
  revocations: { feed: { clientId: feedClient.client.id, clientSecret: feedClient.secret } },
});
const resource = Fastify({ logger: false });
const handler = async () => ({ ok: true });
resource.get('/none', handler);
// Sessions are kept on the feed's word by default (the verifier follows it); /session-ask asks
// Tessera on every request.
for (const accept of ['bearer', 'session', 'either'] as const) {
  resource.get(`/${accept}`, { onRequest: tesseraAuthHook({ verifier, accept }) }, handler);
}
resource.get(
  '/session-ask',
  { onRequest: tesseraAuthHook({ verifier, accept: 'session', session: { maxCacheMs: 0 } }) },
  handler,
);
// For the revocation-latency rows (bench/routes.ts): a fresh token, and its revocation.
resource.get('/bench/issue', async () => {
  const fresh = await core.tokenService.login(
    { email: 'bench@example.com', password: PASSWORD },
    { ip: '127.0.0.1' },
  );
  return { token: fresh.access.token };
});
resource.post('/bench/revoke', async (request) => {
  const { jti, exp } = request.body as { jti: string; exp: number };
  await core.revocations.revokeToken(jti, exp);
  return { ok: true };
});
// For the session revocation rows: a fresh session, and its revocation at the server.
resource.get('/bench/session', async () => {
  const { secret, session } = await core.sessions.create(user.id, {
    userAgent: 'bench',
    ip: '127.0.0.1',
  });
  return { cookie: secret, id: session.id };
});
resource.post('/bench/session-revoke', async (request) => {
  const { id } = request.body as { id: string };
  await core.sessions.revoke(user.id, id);
  return { ok: true };
});
await resource.listen({ host: '127.0.0.1', port: ports.resource });

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
await signInCore.accounts.signup(
  { email: 'bench@example.com', password: PASSWORD },
  { ip: '127.0.0.1' },
);
const argon2 = {
  memoryKiB: signInConfig.argon2MemoryKiB,
  iterations: signInConfig.argon2Iterations,
  parallelism: signInConfig.argon2Parallelism,
};

// better-auth: default config, cookie cache at its default maxAge (5 min), and a short one.
const betterAuth = await startBetterAuth({
  port: ports.betterAuth,
  dir,
  password: PASSWORD,
  cachedMaxAge: 300,
  shortMaxAge: quick ? 5 : 10,
});

// Fastify + @fastify/jwt, RS256 with the same public key; it has no revocation.
const jwks = core.keyRing.jwks();
const pem = createPublicKey({ key: jwks.keys[0] as never, format: 'jwk' }).export({
  type: 'spki',
  format: 'pem',
});
const withJwt = Fastify({ logger: false });
await withJwt.register(fastifyJwt, { secret: { public: pem as string, private: 'unused' } });
withJwt.get('/none', handler);
withJwt.get(
  '/bearer',
  {
    onRequest: async (request) => {
      await request.jwtVerify();
    },
  },
  handler,
);
await withJwt.listen({ host: '127.0.0.1', port: ports.fastifyJwt });

// Express + express-session + connect-redis: every request reads its session from Redis.
const redis = createClient({ url: redisUrl });
await redis.connect();
const prefix = `bench-routes${process.pid}:`;
const app = express();
const sessions = session({
  store: new RedisStore({ client: redis, prefix }),
  secret: 'bench secret, not a real one',
  resave: false,
  saveUninitialized: false,
});
app.get('/none', (_req, res) => {
  res.json({ ok: true });
});
app.get('/login', sessions, (req, res) => {
  (req.session as unknown as { userId: string }).userId = user.id;
  res.json({ ok: true });
});
app.get('/session', sessions, (req, res) => {
  if ((req.session as unknown as { userId?: string }).userId === undefined) res.status(401).end();
  else res.json({ ok: true });
});
await new Promise<void>((resolve) => app.listen(ports.express, '127.0.0.1', () => resolve()));
const signedIn = await fetch(`http://127.0.0.1:${ports.express}/login`);
const expressCookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

process.stdout.write(
  `${JSON.stringify({ ports, issuer, feed: { clientId: feedClient.client.id, clientSecret: feedClient.secret }, token: login.access.token, cookie, expressCookie, email: 'bench@example.com', password: PASSWORD, argon2, betterAuthMaxAge: betterAuth.maxAge })}\n`,
);

const shutdown = async () => {
  await verifier.close();
  await betterAuth.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(keys);
  await redis.quit();
  // The SQLite databases (Tessera's two, better-auth's) go with the run.
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());
