// better-auth as a peer in bench/routes.ts, served from the child of bench/routes-target.ts: one
// Fastify server, its own no-auth route, and a route per configuration that calls
// `auth.api.getSession({ headers })`. SQLite through better-sqlite3 (better-auth's Kysely
// adapter), as Tessera's default store is SQLite. Three instances share the database and secret:
// the default config, the cookie cache at the maxAge the throughput rows use, and the cookie
// cache at a short maxAge for the revocation rows. Telemetry off, no network.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { fromNodeHeaders } from 'better-auth/node';
import Database from 'better-sqlite3';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';

/** The better-auth configurations served, by the path prefix of their routes. */
export const betterAuthConfigs = ['default', 'cached', 'short'] as const;
export type BetterAuthConfig = (typeof betterAuthConfigs)[number];

export interface BetterAuthTarget {
  port: number;
  email: string;
  password: string;
  /** Seconds the cookie cache keeps a session: the throughput row's, the revocation row's. */
  maxAge: { cached: number; short: number };
  close(): Promise<void>;
}

/** Starts the server on `port`; the database goes in `dir`. */
export async function startBetterAuth(options: {
  port: number;
  dir: string;
  password: string;
  cachedMaxAge: number;
  shortMaxAge: number;
}): Promise<BetterAuthTarget> {
  const { port, password } = options;
  const email = 'bench@example.com';
  // Statements run, counted so that the report can say which route reads the database.
  let statements = 0;
  const database = new Database(join(options.dir, 'better-auth.db'), {
    verbose: () => {
      statements += 1;
    },
  });
  // Same as Tessera's SQLite store (src/stores/sql): WAL.
  database.pragma('journal_mode = WAL');
  const secret = randomBytes(32).toString('base64url');
  const baseURL = `http://127.0.0.1:${port}`;
  const make = (basePath: string, maxAge: number | undefined) =>
    betterAuth({
      database,
      secret,
      baseURL,
      basePath,
      emailAndPassword: { enabled: true },
      // Tessera's own limits are raised for the bench too (loginIpLimit in routes-target.ts).
      rateLimit: { enabled: false },
      telemetry: { enabled: false },
      ...(maxAge === undefined ? {} : { session: { cookieCache: { enabled: true, maxAge } } }),
    });
  const auths = {
    default: make('/api/auth', undefined),
    cached: make('/api/auth-cached', options.cachedMaxAge),
    short: make('/api/auth-short', options.shortMaxAge),
  };
  const { runMigrations } = await getMigrations(auths.default.options);
  await runMigrations();
  await auths.default.api.signUpEmail({ body: { email, password, name: 'bench' } });

  const app = Fastify({ logger: false });
  app.get('/none', async () => ({ ok: true }));
  app.get('/bench/statements', async () => ({ statements }));
  for (const config of betterAuthConfigs) {
    const auth = auths[config];
    app.get(`/${config}`, async (request, reply) => {
      const found = await auth.api.getSession({ headers: fromNodeHeaders(request.headers) });
      if (found === null) return reply.code(401).send({ error: 'unauthenticated' });
      return { ok: true };
    });
    // better-auth's own endpoints (sign-in, sign-out), mounted as its Fastify guide does.
    app.route({
      method: ['GET', 'POST'],
      url: `${auth.options.basePath}/*`,
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const response = await auth.handler(
          new Request(new URL(request.url, baseURL), {
            method: request.method,
            headers: fromNodeHeaders(request.headers),
            ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
          }),
        );
        reply.status(response.status);
        response.headers.forEach((value, key) => {
          if (key !== 'set-cookie') reply.header(key, value);
        });
        const cookies = response.headers.getSetCookie();
        if (cookies.length > 0) reply.header('set-cookie', cookies);
        return reply.send(response.body === null ? null : await response.text());
      },
    });
  }
  await app.listen({ host: '127.0.0.1', port });
  return {
    port,
    email,
    password,
    maxAge: { cached: options.cachedMaxAge, short: options.shortMaxAge },
    close: async () => {
      await app.close();
      database.close();
    },
  };
}

/** Signs in by email through better-auth's HTTP endpoint; resolves with the Cookie header. */
export async function betterAuthSignIn(
  target: Pick<BetterAuthTarget, 'port' | 'email' | 'password'>,
  config: BetterAuthConfig,
): Promise<string> {
  const basePath = config === 'default' ? '/api/auth' : `/api/auth-${config}`;
  const response = await fetch(`http://127.0.0.1:${target.port}${basePath}/sign-in/email`, {
    method: 'POST',
    // As a browser would: better-auth refuses a sign-in without an Origin.
    headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${target.port}` },
    body: JSON.stringify({ email: target.email, password: target.password }),
  });
  if (response.status !== 200) {
    throw new Error(
      `better-auth sign-in (${config}) answered ${response.status} ${await response.text()}`,
    );
  }
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');
}

/** Signs the session of `cookie` out through better-auth's HTTP endpoint. */
export async function betterAuthSignOut(
  target: Pick<BetterAuthTarget, 'port'>,
  config: BetterAuthConfig,
  cookie: string,
): Promise<void> {
  const basePath = config === 'default' ? '/api/auth' : `/api/auth-${config}`;
  const response = await fetch(`http://127.0.0.1:${target.port}${basePath}/sign-out`, {
    method: 'POST',
    headers: {
      cookie,
      'content-type': 'application/json',
      origin: `http://127.0.0.1:${target.port}`,
    },
    body: '{}',
  });
  await response.body?.cancel();
  if (response.status !== 200) {
    throw new Error(`better-auth sign-out (${config}) answered ${response.status}`);
  }
}
