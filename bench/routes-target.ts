// The resource servers bench/routes.ts loads, in a child process so that autocannon and the
// servers do not share a thread: one protected route per mode on Tessera's Fastify middleware,
// and the peers a team would pick instead that need no auth server of their own (Fastify +
// @fastify/jwt, Express + express-session), each with its own no-auth route on the same server.
// The Tessera servers (bench/routes-tessera.ts) and better-auth (better-auth-target.ts) run in
// processes of their own: both use AsyncLocalStorage, which on Node 20 turns on promise hooks
// for the whole process, and a microservice does not share its process with the auth server.
// Nothing here enters an AsyncLocalStorage (the toolkit's middleware and verifier use none);
// `promiseHooks` in the printed line is checked, as a probe, after a request to every route.
// Reads the Tessera child's line from BENCH_TESSERA; prints one JSON line (TargetChild), then
// serves until killed.
import { executionAsyncId } from 'node:async_hooks';
import { createPublicKey } from 'node:crypto';
import fastifyJwt from '@fastify/jwt';
import { RedisStore } from 'connect-redis';
import express from 'express';
import session from 'express-session';
import Fastify from 'fastify';
import { createClient } from 'redis';
import { tesseraAuthHook } from '../src/middleware/fastify.js';
import { createVerifier } from '../src/verify/index.js';
import type { TesseraChild } from './routes-tessera.js';

/** What this process prints once it serves. */
export interface TargetChild {
  ports: { resource: number; fastifyJwt: number; express: number };
  expressCookie: string;
  /** Whether promise hooks were on in this process once every route had served a request. */
  promiseHooks: boolean;
}

const tessera = JSON.parse(process.env.BENCH_TESSERA ?? '') as TesseraChild;
const { issuer } = tessera;
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ports = { resource: 18_802, fastifyJwt: 18_803, express: 18_804 };

// Tessera's toolkit on a resource server: the same handler behind each mode.
const verifier = await createVerifier({ issuer, revocations: { feed: tessera.feed } });
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
await resource.listen({ host: '127.0.0.1', port: ports.resource });

// Fastify + @fastify/jwt, RS256 with the public key of the token's kid from the issuer's JWKS
// (over HTTP, as such a service would get it); it has no revocation.
const { kid } = JSON.parse(
  Buffer.from(tessera.token.split('.')[0]!, 'base64url').toString('utf8'),
) as { kid?: string };
const jwks = (await (await fetch(`${issuer}/.well-known/jwks.json`)).json()) as {
  keys: { kid?: string }[];
};
const jwk = jwks.keys.find((key) => key.kid === kid) ?? jwks.keys[0];
const pem = createPublicKey({ key: jwk as never, format: 'jwk' }).export({
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
  (req.session as unknown as { userId: string }).userId = tessera.userId;
  res.json({ ok: true });
});
app.get('/session', sessions, (req, res) => {
  if ((req.session as unknown as { userId?: string }).userId === undefined) res.status(401).end();
  else res.json({ ok: true });
});
await new Promise<void>((resolve) => app.listen(ports.express, '127.0.0.1', () => resolve()));
const signedIn = await fetch(`http://127.0.0.1:${ports.express}/login`);
const expressCookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

// The probe: one request to every route, then a promise reaction run from an immediate. With
// promise hooks off, a promise has no async id of its own and the reaction runs with id 0.
const bearer = { authorization: `Bearer ${tessera.token}` };
const cookie = { cookie: `tessera_session=${tessera.cookie}` };
const probes: [number, string, Record<string, string>][] = [
  [ports.resource, '/none', {}],
  [ports.resource, '/bearer', bearer],
  [ports.resource, '/session', cookie],
  [ports.resource, '/session-ask', cookie],
  [ports.resource, '/either', bearer],
  [ports.fastifyJwt, '/bearer', bearer],
  [ports.express, '/session', { cookie: expressCookie }],
];
for (const [port, path, headers] of probes) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
  await response.body?.cancel();
  if (response.status !== 200) throw new Error(`${port}${path} answered ${response.status}`);
}
const reactionId = await new Promise<number>((resolve) =>
  setImmediate(() => void Promise.resolve().then(() => resolve(executionAsyncId()))),
);

const ready: TargetChild = { ports, expressCookie, promiseHooks: reactionId !== 0 };
process.stdout.write(`${JSON.stringify(ready)}\n`);

const shutdown = async () => {
  await verifier.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(keys);
  await redis.quit();
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());
