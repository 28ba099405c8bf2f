/**
 * The public reports API, for third-party integrations (and the SaaS's own apps): a Fastify app
 * on bearer tokens. Tokens are verified in this process — keys from Tessera's JWKS, revocations
 * from its feed — so no request waits on Tessera, and a revoked token is refused within
 * milliseconds of the revocation.
 *
 * A real app imports `tessera-verify` and `tessera-verify/fastify`; the example imports the sources.
 */
import { fastify } from 'fastify';
import { tesseraAuth } from '../../src/middleware/fastify.js';
import { createVerifier, type ClientCredentials } from '../../src/verify/index.js';
import {
  fail,
  HOST,
  isMain,
  portSetting,
  REPORTS_AUDIENCE,
  REPORTS_SCOPE,
  setting,
  stopOnSignals,
  type Service,
} from './common.js';

/** What the reports API needs to know. */
export interface ReportsApiOptions {
  /** Tessera's issuer URL. */
  issuer: string;
  port: number;
  /** A client allowed `tessera:revocations`: the verifier reads the feed with it. */
  feed: ClientCredentials;
}

// Demo data: the reports of the one workspace of the example.
const reports = [
  { id: 'weekly-usage', title: 'Weekly usage', rows: 7 },
  { id: 'monthly-revenue', title: 'Monthly revenue', rows: 12 },
];

/** Starts the reports API. */
export async function startReportsApi(options: ReportsApiOptions): Promise<Service> {
  const verifier = await createVerifier({
    issuer: options.issuer,
    // Integrations ask for tokens for this API (`resource=reports-api`); the SaaS's own apps
    // hold first-party tokens, whose audience is the issuer. Any other audience is refused.
    audience: [REPORTS_AUDIENCE, options.issuer],
    revocations: { feed: options.feed },
  });
  const app = fastify();

  // Open: for readiness probes. `ok` is false when revocations could not be confirmed lately,
  // and then every token is refused (fail closed) until the feed is back.
  app.get('/healthz', async (_request, reply) => {
    const health = verifier.health();
    return reply
      .code(health.ok ? 200 : 503)
      .send({ ok: health.ok, revocations: health.revocations });
  });

  // Everything registered in this scope needs a bearer token with the scope reports:read.
  await app.register(async (api) => {
    await api.register(tesseraAuth, { verifier, scopes: [REPORTS_SCOPE] });
    // `request.auth` is the caller: a user id for first-party tokens, the client id for an
    // integration's client-credentials token.
    api.get('/reports', async (request) => ({ for: request.auth?.subject, reports }));
  });

  const url = await app.listen({ host: HOST, port: options.port });
  return {
    url,
    async close() {
      await app.close();
      await verifier.close();
    },
  };
}

if (isMain(import.meta.url)) {
  const env = process.env;
  const service = await startReportsApi({
    issuer: setting(env, 'TESSERA_URL', 'http://127.0.0.1:8080'),
    port: portSetting(env, 'REPORTS_PORT', 3001),
    feed: {
      clientId: setting(env, 'FEED_CLIENT_ID'),
      clientSecret: setting(env, 'FEED_CLIENT_SECRET'),
    },
  }).catch(fail('reports-api'));
  console.log(`reports API listening on ${service.url}`);
  stopOnSignals('reports-api', () => service.close());
}
