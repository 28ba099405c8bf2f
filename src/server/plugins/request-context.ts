/**
 * The facts of the current request for audit events (core/audit/context.ts): the client's IP, its
 * user agent, the request id, and the signed-in caller once authenticated. They live in an
 * AsyncLocalStorage entered for each request, so a core service several awaits deep reads them
 * through the `requestContext` function the server gives createCore, without HTTP in the core.
 *
 * The request id is ours (a random UUID, not a client-chosen header, so a client cannot make its
 * events pass for another request's) and is sent back as `X-Request-Id`: it names the request in
 * the log lines and the audit events, for support and incident work.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestContext, RequestFacts } from '../../core/audit/context.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const storage = new AsyncLocalStorage<RequestFacts>();
// The same object the storage holds, reachable from the request wherever the async context is
// not that of the request (Fastify runs some callbacks outside it).
const factsOf = new WeakMap<FastifyRequest, RequestFacts>();

/** The current request's facts (undefined outside a request): what the server gives createCore. */
export const requestContext: RequestContext = () => storage.getStore();

/** Records who the request is from once it is authenticated (the actor of its audit events). */
export function setRequestActor(request: FastifyRequest, userId: string): void {
  const facts = factsOf.get(request);
  if (facts !== undefined) facts.actorId = userId;
}

/** Enters the request's facts for every hook and handler of every request; answers X-Request-Id. */
export function installRequestContext(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    const userAgent = request.headers['user-agent'];
    const facts: RequestFacts = { ip: request.ip, requestId: request.id };
    if (typeof userAgent === 'string') facts.userAgent = userAgent.slice(0, 512);
    factsOf.set(request, facts);
    void reply.header('X-Request-Id', request.id);
    storage.run(facts, done);
  });
  // The body is parsed in stream callbacks outside the context entered above, so it is entered
  // again for the rest of the chain (the route's own hooks and the handler).
  app.addHook('preValidation', (request, _reply, done) => {
    const facts = factsOf.get(request);
    if (facts === undefined) done();
    else storage.run(facts, done);
  });
}
