/**
 * Headers of API.md "Conventions" that are not any one route's business:
 * `X-Content-Type-Options: nosniff` on every answer, and `Cache-Control: no-store` on every answer
 * of the API (`/auth/*`, `/oauth/*`), which carry credentials, CSRF tokens or personal data.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';

/** Answers under these paths are never stored by a browser or a proxy. */
const NO_STORE_PREFIXES = ['/auth/', '/oauth/'];

function noSniff(response: ServerResponse): void {
  response.setHeader('X-Content-Type-Options', 'nosniff');
}

/** Whether the answer to `request` must not be stored. */
function isNoStore(request: FastifyRequest): boolean {
  const path = request.url.split('?', 1)[0] ?? '';
  return NO_STORE_PREFIXES.some((prefix) => path.startsWith(prefix));
}

/** Installs the convention headers on `app`. */
export function installResponseHeaders(app: FastifyInstance): void {
  // On the raw response, so it survives what bypasses Fastify's reply: the hijacked revocation
  // stream, and the 400/414 Fastify answers before routing (a malformed URL) — those never run a
  // hook, so the server's own 'request' event sets it. inject() skips that event, hence the hook.
  app.server.prependListener('request', (_request, response: ServerResponse) => noSniff(response));
  app.addHook('onRequest', async (_request, reply) => noSniff(reply.raw));

  // After the handler, so a route that chose its own Cache-Control keeps it; errors and 404s
  // under the API are covered too, since onSend runs for them.
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (isNoStore(request) && !reply.hasHeader('cache-control')) {
      void reply.header('Cache-Control', 'no-store');
    }
    return payload;
  });
}
