/** API.md "Operations": liveness, readiness and the OpenAPI document. */
import { Type } from '@sinclair/typebox';
import { TesseraError } from '../../core/errors.js';
import { problems } from '../schemas.js';
import type { RouteContext } from '../context.js';
import type { FastifyInstance } from 'fastify';

const Status = Type.Object({ status: Type.String() });

/** Registers /healthz, /readyz and /openapi.json. */
export function opsRoutes(app: FastifyInstance, { core }: RouteContext): void {
  app.get(
    '/healthz',
    {
      schema: { tags: ['operations'], summary: 'The process is alive', response: { 200: Status } },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Every store answers and the audit log writes; 503 otherwise',
        response: { 200: Status, ...problems(503) },
      },
    },
    async (request) => {
      try {
        await core.deps.stores.ping();
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed');
        throw new TesseraError('store_unavailable', 'a store did not answer');
      }
      // An audit log that cannot write is an operator's problem to see, like a store that is
      // down; the requests it records keep answering meanwhile (events wait or are dropped).
      const audit = core.audit.status();
      if (audit.state !== 'ok') {
        request.log.warn({ audit }, 'readiness check failed: audit log');
        const why =
          audit.state === 'full'
            ? `the audit queue is full (${audit.dropped} events dropped)`
            : `the audit store refuses writes (${audit.queued} events waiting)`;
        throw new TesseraError('audit_unavailable', why);
      }
      return { status: 'ok' };
    },
  );

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
