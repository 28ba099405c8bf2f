/**
 * `POST /auth/sessions/activity`: services that serve session cookies from their cache (the
 * toolkit's session check, kept current by the revocation feed) report the sessions they saw in
 * use, in batches, so the idle expiry here counts that use. Same client authentication as the
 * feed (scope `tessera:revocations`): a client that follows revocations may report activity.
 */
import { Type, type Static } from '@sinclair/typebox';
import { REVOCATIONS_SCOPE } from '../../core/clients/clients.js';
import { TesseraError } from '../../core/errors.js';
import { requireClientWithScope } from '../plugins/client-auth.js';
import { problems } from '../schemas.js';
import type { RouteContext } from '../context.js';
import type { FastifyInstance } from 'fastify';

/** Sessions one report may name (about 10 kB, under the default body limit); more go in several. */
export const MAX_ACTIVITY_BATCH = 100;

const ActivityReport = Type.Object(
  {
    sessions: Type.Array(
      Type.Object(
        {
          id: Type.String({ minLength: 1, maxLength: 64 }),
          userId: Type.String({ minLength: 1, maxLength: 64 }),
          lastSeenAt: Type.String({ format: 'date-time' }),
        },
        { additionalProperties: false },
      ),
      { maxItems: MAX_ACTIVITY_BATCH },
    ),
  },
  { additionalProperties: false },
);

/** Registers the activity report route. */
export function sessionActivityRoutes(app: FastifyInstance, { core }: RouteContext): void {
  app.post<{ Body: Static<typeof ActivityReport> }>(
    '/auth/sessions/activity',
    {
      onRequest: requireClientWithScope(core.clients, REVOCATIONS_SCOPE),
      schema: {
        tags: ['revocation feed'],
        summary: 'Report activity of sessions a service served from its cache (idle expiry)',
        security: [{ client: [] }],
        body: ActivityReport,
        response: {
          200: Type.Object({ touched: Type.Integer() }),
          ...problems(400, 401, 403, 413, 415),
        },
      },
    },
    async (request) => {
      const reports = request.body.sessions.map((s) => ({
        id: s.id,
        userId: s.userId,
        lastSeenAt: Date.parse(s.lastSeenAt),
      }));
      if (reports.some((r) => !Number.isFinite(r.lastSeenAt))) {
        throw new TesseraError('invalid_request', 'lastSeenAt must be a date-time');
      }
      return { touched: await core.sessions.recordActivity(reports) };
    },
  );
}
