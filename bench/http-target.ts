// The servers the HTTP benchmark loads (run by bench/http.ts in a child process, so the load
// generator and the servers do not share a thread). Prints one JSON line with the URLs and the
// credentials, then serves until killed.
import { createPublicKey } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVerifier as createFastJwtVerifier } from 'fast-jwt';
import Fastify from 'fastify';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { loadConfig } from '../src/config.js';
import { systemClock } from '../src/core/clock.js';
import { createCore } from '../src/core/tessera.js';
import { policyFromConfig } from '../src/server/policy.js';
import { buildApp } from '../src/server/app.js';
import { busChannel, joinInstances } from '../src/server/instances.js';
import { createRedisStores } from '../src/stores/redis/index.js';
import { createSqlStores } from '../src/stores/sql/index.js';
import { createVerifier } from '../src/verify/index.js';
import type { InvalidationChannel } from '../src/core/sessions/near-cache.js';
import type { Stores } from '../src/stores/ports.js';

const PASSWORD = 'correct horse battery staple';
const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `bench${process.pid}:`;

/** A channel that is never connected: the near cache is bypassed, as when the bus is down. */
const noCache: InvalidationChannel = {
  connected: false,
  publish: async () => {},
  subscribe: () => {},
  onStatus: () => {},
};

const sql = await createSqlStores({ url: `sqlite:${join(dir, 'bench.db')}` });
let redis: Awaited<ReturnType<typeof createRedisStores>> | undefined;
try {
  redis = await createRedisStores({ url: redisUrl, keyPrefix: prefix });
} catch {
  redis = undefined; // no Redis here: the Redis rows are left out of the table
}

/**
 * What GET /auth/session answers for the bench's session, captured once the session exists: the
 * no-auth twin of that route (`/bench/session-shape`) sends it back, so the two rows differ only
 * by the session check ("same route, same response", as the bearer rows are measured).
 */
let sessionAnswer: unknown = {};

/** Starts one Tessera app over `stores` on a free port; returns its URL. */
async function tessera(stores: Stores, channel: InvalidationChannel | undefined, issuer: string) {
  const config = loadConfig(
    {},
    { issuer, argon2MemoryKiB: 1024, argon2Iterations: 1, loginIpLimit: 1e6, signupIpLimit: 1e6 },
  );
  const core = await createCore({
    stores,
    clock: systemClock,
    policy: policyFromConfig(config),
    ...(channel ? { channel } : {}),
  });
  const app = await buildApp({
    config,
    core,
    routes: (scope) => {
      scope.get('/bench/session-shape', async () => sessionAnswer);
    },
  });
  const port = Number(new URL(issuer).port);
  await app.listen({ host: '127.0.0.1', port });
  return { core, url: issuer };
}

const ports = {
  tessera: 18_701,
  sqliteNoCache: 18_702,
  redisCache: 18_703,
  redisNoCache: 18_704,
  resource: 18_705,
};
const main = await tessera(sql, undefined, `http://127.0.0.1:${ports.tessera}`);
// Joined to the bus as `tessera serve` joins it: its bearer check then holds revocations in memory.
await joinInstances(main.core, sql.bus, () => {});
// The same stores behind a second app whose near cache is bypassed.
await tessera(sql, noCache, `http://127.0.0.1:${ports.sqliteNoCache}`);
const redisStores = redis
  ? { ...sql, sessions: redis.sessions, rateLimits: redis.rateLimits }
  : undefined;
if (redis && redisStores) {
  await tessera(redisStores, busChannel(redis.bus), `http://127.0.0.1:${ports.redisCache}`);
  await tessera(redisStores, noCache, `http://127.0.0.1:${ports.redisNoCache}`);
}

// Credentials: a user with a session (in SQLite and in Redis) and an access token.
const user = await main.core.accounts.signup(
  { email: 'bench@example.com', password: PASSWORD },
  { ip: '127.0.0.1' },
);
const sqliteSession = await main.core.sessions.create(user.id, {
  userAgent: 'bench',
  ip: '127.0.0.1',
});
sessionAnswer = await (
  await fetch(`${main.url}/auth/session`, {
    headers: { cookie: `tessera_session=${sqliteSession.secret}` },
  })
).json();
let redisCookie: string | undefined;
if (redis) {
  const redisCore = await createCore({
    stores: { ...sql, sessions: redis.sessions, rateLimits: redis.rateLimits },
    clock: systemClock,
    policy: policyFromConfig(loadConfig({}, { issuer: main.url })),
  });
  redisCookie = (await redisCore.sessions.create(user.id, { userAgent: 'bench', ip: '127.0.0.1' }))
    .secret;
}
const login = await main.core.tokenService.login(
  { email: 'bench@example.com', password: PASSWORD },
  { ip: '127.0.0.1' },
);
const token = login.access.token;
const feedClient = await main.core.clients.create({
  name: 'bench',
  scopes: ['tessera:revocations'],
  audiences: [],
});

// The resource server: the same route protected four ways.
const verifier = await createVerifier({
  issuer: main.url,
  revocations: { feed: { clientId: feedClient.client.id, clientSecret: feedClient.secret } },
});
const jwks = (await (await fetch(`${main.url}/.well-known/jwks.json`)).json()) as {
  keys: { kid: string }[];
};
const jwk = jwks.keys[0] as object;
const fastJwt = createFastJwtVerifier({
  key: createPublicKey({ key: jwk as never, format: 'jwk' }).export({
    type: 'spki',
    format: 'pem',
  }) as string,
  cache: true,
  allowedIss: main.url,
});
const localJwks = createLocalJWKSet(jwks as never);
const resource = Fastify({ logger: false });
const bearer = (header: string | undefined) => (header ?? '').slice(7);
resource.get('/plain', async () => ({ ok: true }));
resource.get('/tessera', async (request) => ({
  sub: (await verifier.verify(bearer(request.headers.authorization))).sub,
}));
resource.get('/fast-jwt', async (request) => ({
  sub: (fastJwt(bearer(request.headers.authorization)) as { sub: string }).sub,
}));
resource.get('/jose', async (request) => ({
  sub: (await jwtVerify(bearer(request.headers.authorization), localJwks, { issuer: main.url }))
    .payload.sub,
}));
await resource.listen({ host: '127.0.0.1', port: ports.resource });

process.stdout.write(
  `${JSON.stringify({
    ports,
    redis: redis !== undefined,
    token,
    sqliteCookie: sqliteSession.secret,
    redisCookie,
  })}\n`,
);

const shutdown = async () => {
  await verifier.close();
  if (redis) {
    const keys = await redis.client.keys(`${prefix}*`);
    if (keys.length > 0) await redis.client.del(...keys);
    await redis.close();
  }
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());
