/**
 * A background worker on plain node:http: it takes jobs from the SaaS's own apps, each sent with
 * the bearer token of the user who asked, verifies the token locally and does the job. A token
 * revoked at Tessera — by the user's logout, a password change, an admin — is refused here
 * within milliseconds, although the worker never calls Tessera per request.
 *
 * A real app imports `tessera-verify` and `tessera-verify/node`; the example imports the sources.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { createAuthenticate, sendAuthFailure } from '../../src/middleware/node.js';
import { createVerifier, type ClientCredentials } from '../../src/verify/index.js';
import { fail, HOST, isMain, portSetting, setting, stopOnSignals, type Service } from './common.js';
import type { AddressInfo } from 'node:net';

/** What the worker needs to know. */
export interface WorkerOptions {
  /** Tessera's issuer URL. */
  issuer: string;
  port: number;
  /** A client allowed `tessera:revocations`: the verifier reads the feed with it. */
  feed: ClientCredentials;
}

// A job description is tiny; anything larger is refused before it is read in full.
const MAX_BODY_BYTES = 4096;

/** Starts the worker. */
export async function startWorker(options: WorkerOptions): Promise<Service> {
  const verifier = await createVerifier({
    issuer: options.issuer,
    // Only the SaaS's own first-party tokens (audience: the issuer), not integrations' tokens.
    audience: options.issuer,
    revocations: { feed: options.feed },
  });
  const authenticate = createAuthenticate({ verifier });

  const server = createServer(async (req, res) => {
    try {
      if (req.method === 'GET' && req.url === '/healthz') {
        const { ok, revocations } = verifier.health();
        return sendJson(res, ok ? 200 : 503, { ok, revocations });
      }
      if (req.method !== 'POST' || req.url !== '/jobs') {
        return sendJson(res, 404, { error: 'not found' });
      }
      // The token is checked before the body is read: unauthenticated callers cost nothing.
      const auth = await authenticate(req);
      if (!auth.ok) return sendAuthFailure(res, auth.failure);
      const body = await readJson(req);
      const report = (body as { report?: unknown } | undefined)?.report;
      if (typeof report !== 'string' || !/^[a-z0-9-]{1,64}$/.test(report)) {
        return sendJson(res, 400, { error: 'the body must be {"report": "<report id>"}' });
      }
      return sendJson(res, 200, { job: runExport(report, auth.principal.subject) });
    } catch {
      if (!res.headersSent) sendJson(res, 400, { error: 'bad request' });
      else res.destroy();
    }
  });
  server.listen(options.port, HOST);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${HOST}:${port}`,
    async close() {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeIdleConnections();
      await closed;
      await verifier.close();
    },
  };
}

/** The job itself: a stand-in for rendering an export of a report for a user. */
function runExport(report: string, requestedBy: string) {
  return { id: randomUUID(), report, requestedBy, status: 'done', finishedAt: new Date() };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** Reads a JSON body of at most MAX_BODY_BYTES; rejects on anything else. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error('body too large');
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

if (isMain(import.meta.url)) {
  const env = process.env;
  const service = await startWorker({
    issuer: setting(env, 'TESSERA_URL', 'http://127.0.0.1:8080'),
    port: portSetting(env, 'WORKER_PORT', 3002),
    feed: {
      clientId: setting(env, 'FEED_CLIENT_ID'),
      clientSecret: setting(env, 'FEED_CLIENT_SECRET'),
    },
  }).catch(fail('worker'));
  console.log(`worker listening on ${service.url}`);
  stopOnSignals('worker', () => service.close());
}
