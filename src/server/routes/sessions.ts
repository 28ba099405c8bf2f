/** API.md "Sessions — the browser flow". */
import { Type } from '@sinclair/typebox';
import { Credentials, NoContent, SessionListItem, problems } from '../schemas.js';
import { presentSession, presentSessionRow, presentUser } from '../present.js';
import { sessionOf } from '../plugins/auth.js';
import type { RouteContext } from '../context.js';
import type { FastifyInstance } from 'fastify';

const SessionView = Type.Object({
  user: Type.Ref('User'),
  session: Type.Ref('Session'),
  csrfToken: Type.String(),
});

/** Registers the session routes. */
export function sessionRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { core, cookie, auth } = ctx;

  app.post<{ Body: Credentials }>(
    '/auth/session',
    {
      onRequest: auth.requireAllowedOrigin,
      schema: {
        tags: ['sessions'],
        summary: 'Log in with email and password; sets the session cookie',
        body: Credentials,
        response: { 200: SessionView, ...problems(400, 401, 403, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const user = await core.accounts.authenticate(request.body, { ip: request.ip });
      const { secret, session } = await core.sessions.create(user.id, {
        userAgent: request.headers['user-agent'] ?? '',
        ip: request.ip,
      });
      cookie.set(reply, secret, session.absoluteExpiresAt);
      return {
        user: presentUser(user),
        session: presentSession(session, core.sessions.expiresAt(session)),
        csrfToken: session.csrfSecret,
      };
    },
  );

  app.get(
    '/auth/session',
    {
      onRequest: auth.requireSession,
      schema: {
        tags: ['sessions'],
        summary: 'The current session, its user and its CSRF token',
        response: { 200: SessionView, ...problems(401) },
      },
    },
    async (request) => {
      const { user, session } = sessionOf(request);
      return {
        user: presentUser(user),
        session: presentSession(session, core.sessions.expiresAt(session)),
        csrfToken: session.csrfSecret,
      };
    },
  );

  app.delete(
    '/auth/session',
    {
      onRequest: auth.requireSession,
      schema: {
        tags: ['sessions'],
        summary: 'Log out: deletes the current session and clears the cookie',
        response: { 204: NoContent, ...problems(401, 403) },
      },
    },
    async (request, reply) => {
      const { user, session } = sessionOf(request);
      await core.sessions.revoke(user.id, session.id);
      cookie.clear(reply);
      return reply.code(204).send();
    },
  );

  app.get(
    '/auth/sessions',
    {
      onRequest: auth.requireSession,
      schema: {
        tags: ['sessions'],
        summary: "The caller's own live sessions",
        response: {
          200: Type.Object({ sessions: Type.Array(SessionListItem) }),
          ...problems(401),
        },
      },
    },
    async (request) => {
      const { user, session: current } = sessionOf(request);
      const sessions = await core.sessions.list(user.id);
      return {
        sessions: sessions.map((session) =>
          presentSessionRow(session, core.sessions.expiresAt(session), current.id),
        ),
      };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/auth/sessions/:id',
    {
      onRequest: auth.requireSession,
      schema: {
        tags: ['sessions'],
        summary: 'Revoke one of the caller’s sessions',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 204: NoContent, ...problems(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { user, session: current } = sessionOf(request);
      await core.sessions.revoke(user.id, request.params.id);
      if (request.params.id === current.id) cookie.clear(reply);
      return reply.code(204).send();
    },
  );

  app.delete<{ Querystring: { include?: 'current' } }>(
    '/auth/sessions',
    {
      onRequest: auth.requireSession,
      schema: {
        tags: ['sessions'],
        summary: 'Log out everywhere else (or everywhere, with ?include=current)',
        querystring: Type.Object(
          { include: Type.Optional(Type.Literal('current')) },
          { additionalProperties: false },
        ),
        response: { 204: NoContent, ...problems(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const { user, session: current } = sessionOf(request);
      const includeCurrent = request.query.include === 'current';
      await core.accounts.revokeEverything(user.id, includeCurrent ? undefined : current.id);
      if (includeCurrent) cookie.clear(reply);
      return reply.code(204).send();
    },
  );
}
