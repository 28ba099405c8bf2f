// better-auth as a peer in bench/routes.ts, in its own process (started by bench/routes.ts with
// routes-child.ts; better-auth's AsyncLocalStorage turns on promise hooks for its whole process,
// so no other stack shares it): one Fastify server, its own no-auth route, and a route per
// configuration that calls `auth.api.getSession({ headers })`. SQLite through better-sqlite3
// (better-auth's Kysely adapter), as Tessera's default store is SQLite. Three instances share the database and secret:
// the default config, the cookie cache at the maxAge the throughput rows use, and the cookie
// cache at a short maxAge for the revocation rows. Telemetry off, no network. Prints one JSON
// line (BetterAuthChild), then serves until killed. `--quick`: the short maxAge is shorter.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { fromNodeHeaders } from 'better-auth/node';
import Database from 'better-sqlite3';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { betterAuthConfigs, type BetterAuthChild } from './routes-better-auth.js';

/** Starts the server on `port`; the database goes in `dir`. */
async function startBetterAuth(options: {
  port: number;
  dir: string;
  email: string;
  password: string;
  cachedMaxAge: number;
  shortMaxAge: number;
}): Promise<BetterAuthChild> {
  const { port, email, password } = options;
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
  };
}

// The same account as Tessera's (bench/routes-tessera.ts); default config, the cookie cache at
// its default maxAge (5 min), and a short one.
const dir = mkdtempSync(join(tmpdir(), 'tessera-routes-better-auth-'));
// The SQLite databases go with the run, also when the setup fails.
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
const ready = await startBetterAuth({
  port: 18_805,
  dir,
  email: 'bench@example.com',
  password: 'correct horse battery staple',
  cachedMaxAge: 300,
  shortMaxAge: process.argv.includes('--quick') ? 5 : 10,
});
process.stdout.write(`${JSON.stringify(ready)}\n`);
process.once('SIGTERM', () => process.exit(0));
process.once('SIGINT', () => process.exit(0));
