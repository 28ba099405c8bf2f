/**
 * API.md "Pages": the admin console (`/admin`), for users with the admin role only. Every route
 * goes through `AdminGuard`: no session → the sign-in page with a way back; a session of a user
 * without the role → a 403 page; every POST also needs the session's CSRF token and an allowed
 * Origin. The actions are the core's (accounts, sessions, consents, clients, keys), which record
 * the audit events; the request context names the admin as their actor. Users are here, clients
 * in pages-admin-clients.ts, keys, the audit log and the live view in pages-admin-ops.ts.
 */
import { TesseraError } from '../../core/errors.js';
import { ADMIN_STYLESHEET, ADMIN_STYLESHEET_PATH } from '../../web/pages/admin/stylesheet.js';
import { DeleteUserPage, UserPage, UsersPage } from '../../web/pages/admin/users.js';
import { adminClientRoutes } from './pages-admin-clients.js';
import { adminOpsRoutes } from './pages-admin-ops.js';
import { sendPage, singleValued } from './pages.js';
import type { RouteContext } from '../context.js';
import type { PageSupport } from './pages.js';
import type { ValidSession } from '../../core/sessions/sessions.js';
import type { Core } from '../../core/tessera.js';
import type { AdminPageBase } from '../../web/pages/admin/users.js';
import type { UserQuery } from '../../stores/ports.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Users a page of the users list shows. */
export const USERS_PER_PAGE = 50;

/** What an admin page learns from the guard. */
export interface AdminVisit {
  session: ValidSession;
  /** The frame's fields: who is signed in, the CSRF token, the message of the last action. */
  base: AdminPageBase;
}

/** Checks every admin request; see the file's comment. */
export interface AdminGuard {
  /** The admin behind a GET, or undefined when the answer (a redirect to sign in) is sent. */
  page(request: FastifyRequest, reply: FastifyReply): Promise<AdminVisit | undefined>;
  /** The admin behind a POST, its CSRF token and Origin checked; returns the form's fields. */
  form(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<{ visit: AdminVisit; fields: Record<string, string | string[]> } | undefined>;
}

// The message after an action: the redirect names it by key, so no text travels in the URL.
const NOTICES: Record<string, string> = {
  disabled:
    'The user is disabled: they cannot sign in, and every session and token of theirs is revoked.',
  enabled: 'The user is enabled: they can sign in again.',
  deleted: 'The user is deleted.',
  session_revoked: 'The session is signed out.',
  signed_out: 'Every session and token of the user is revoked.',
  consent_revoked: 'The app’s access is revoked, with every token of it for this user.',
  client_saved: 'The client is saved.',
  client_deleted: 'The client is deleted.',
  key_rotated:
    'A new key is published; it starts signing once verifiers have had time to learn it.',
};

/**
 * A form body of `@fastify/formbody`: each field once, except those in `lists` (checkboxes of
 * one name), which may repeat.
 */
export function formFields(
  body: unknown,
  lists: readonly string[] = [],
): Record<string, string | string[]> {
  if (body === undefined || body === null || typeof body !== 'object') return singleValued(body);
  const single: Record<string, unknown> = {};
  const fields: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(body)) {
    if (lists.includes(name)) {
      const values = Array.isArray(value) ? value : [value];
      if (!values.every((item): item is string => typeof item === 'string')) {
        throw new TesseraError('invalid_request', 'malformed form');
      }
      fields[name] = values;
    } else single[name] = value;
  }
  return { ...singleValued(single), ...fields };
}

/** The admin guard over the page services. */
export function adminGuard(core: Core, support: PageSupport): AdminGuard {
  async function admin(request: FastifyRequest, reply: FastifyReply) {
    const session = await support.currentSession(request, reply);
    if (!session) return undefined;
    // The role is read from the store, not from the session: the near cache may hold the user
    // as they were when the session was last checked, and a role taken away must count at once.
    const user = await core.accounts.find(session.user.id);
    // 403 and not a redirect: the person is signed in, and signing in again changes nothing.
    if (user?.role !== 'admin') {
      throw new TesseraError('admin_required', 'this page is for administrators only');
    }
    const { done } = singleValued(request.query);
    const visit: AdminVisit = {
      session,
      base: {
        adminEmail: session.user.email,
        csrfToken: support.formToken(request, reply, session),
        notice: done === undefined ? undefined : NOTICES[done],
      },
    };
    return visit;
  }
  return {
    async page(request, reply) {
      const visit = await admin(request, reply);
      if (visit) return visit;
      const returnTo = request.url;
      await reply.redirect(
        `/login?${new URLSearchParams({ return_to: returnTo }).toString()}`,
        303,
      );
      return undefined;
    },
    async form(request, reply) {
      const fields = formFields(request.body, ['grants']);
      const visit = await admin(request, reply);
      if (!visit) throw new TesseraError('unauthenticated', 'sign in to use the admin console');
      const token = fields.csrf_token;
      support.checkForm(request, typeof token === 'string' ? token : undefined, visit.session);
      return { visit, fields };
    },
  };
}

/** A path with a notice for the page it leads to. */
export function withNotice(path: string, notice: keyof typeof NOTICES): string {
  return `${path}${path.includes('?') ? '&' : '?'}done=${notice}`;
}

/** Registers the admin console. */
export function adminPageRoutes(
  scope: FastifyInstance,
  ctx: RouteContext,
  support: PageSupport,
): void {
  const { core } = ctx;
  const guard = adminGuard(core, support);

  /** The user of `id`, or `not_found`. */
  async function userOf(id: string) {
    const user = await core.accounts.find(id);
    if (!user) throw new TesseraError('not_found', 'no such user');
    return user;
  }

  /** Refuses what an admin must not do to their own account (lock themself out). */
  function notSelf(visit: AdminVisit, id: string) {
    if (visit.session.user.id === id) {
      throw new TesseraError(
        'invalid_request',
        'you cannot disable or delete your own account from the console',
      );
    }
  }

  const userPath = (id: string) => `/admin/users/${encodeURIComponent(id)}`;

  scope.get('/admin', { schema: { hide: true } }, async (request, reply) => {
    const visit = await guard.page(request, reply);
    if (!visit) return reply;
    return reply.redirect('/admin/users', 303);
  });

  scope.get('/admin/users', { schema: { hide: true } }, async (request, reply) => {
    const visit = await guard.page(request, reply);
    if (!visit) return reply;
    const { q = '', after } = singleValued(request.query);
    const query: UserQuery = { limit: USERS_PER_PAGE };
    const prefix = q.trim().toLowerCase();
    if (prefix !== '') query.emailPrefix = prefix;
    if (after !== undefined && after !== '') query.after = after;
    const [{ users, next }, total] = await Promise.all([
      core.accounts.search(query),
      core.accounts.count(),
    ]);
    const nextHref =
      next === undefined
        ? undefined
        : `/admin/users?${new URLSearchParams({ q, after: next }).toString()}`;
    return sendPage(reply, 200, UsersPage, {
      ...visit.base,
      query: q,
      users,
      total,
      nextHref,
      later: query.after !== undefined,
    });
  });

  scope.get<{ Params: { id: string } }>(
    '/admin/users/:id',
    { schema: { hide: true } },
    async (request, reply) => {
      const visit = await guard.page(request, reply);
      if (!visit) return reply;
      const user = await userOf(request.params.id);
      const [sessions, consents, events] = await Promise.all([
        core.sessions.list(user.id),
        core.consents.list(user.id),
        core.audit.list({ subjectId: user.id, limit: 20 }),
      ]);
      return sendPage(reply, 200, UserPage, {
        ...visit.base,
        user,
        sessions,
        consents,
        events,
        self: visit.session.user.id === user.id,
      });
    },
  );

  scope.get<{ Params: { id: string } }>(
    '/admin/users/:id/delete',
    { schema: { hide: true } },
    async (request, reply) => {
      const visit = await guard.page(request, reply);
      if (!visit) return reply;
      notSelf(visit, request.params.id);
      const user = await userOf(request.params.id);
      return sendPage(reply, 200, DeleteUserPage, { ...visit.base, user });
    },
  );

  /** Registers `POST /admin/users/:id/<action>`, answered by a redirect to the user's page. */
  function userAction(
    action: string,
    run: (visit: AdminVisit, id: string, params: Record<string, string>) => Promise<string>,
  ) {
    scope.post<{ Params: Record<string, string> & { id: string } }>(
      `/admin/users/:id/${action}`,
      { schema: { hide: true } },
      async (request, reply) => {
        const checked = await guard.form(request, reply);
        if (!checked) return reply;
        const to = await run(checked.visit, request.params.id, request.params);
        return reply.redirect(to, 303);
      },
    );
  }

  userAction('disable', async (visit, id) => {
    notSelf(visit, id);
    await core.accounts.disable(id);
    return withNotice(userPath(id), 'disabled');
  });
  userAction('enable', async (_visit, id) => {
    await core.accounts.enable(id);
    return withNotice(userPath(id), 'enabled');
  });
  userAction('delete', async (visit, id) => {
    notSelf(visit, id);
    await core.accounts.delete(id);
    return withNotice('/admin/users', 'deleted');
  });
  userAction('sessions/:sessionId/revoke', async (_visit, id, params) => {
    await core.sessions.revoke(id, params.sessionId ?? '');
    return withNotice(userPath(id), 'session_revoked');
  });
  userAction('sign-out-everywhere', async (visit, id) => {
    await userOf(id);
    // The admin's own "everywhere" keeps the session they are using.
    const keep = visit.session.user.id === id ? visit.session.session.id : undefined;
    await core.accounts.revokeEverything(id, keep);
    return withNotice(userPath(id), 'signed_out');
  });
  userAction('consents/:clientId/revoke', async (_visit, id, params) => {
    await userOf(id);
    await core.consents.revoke(id, params.clientId ?? '');
    return withNotice(userPath(id), 'consent_revoked');
  });

  adminClientRoutes(scope, ctx, guard);
  adminOpsRoutes(scope, ctx, guard);
}

/** Serves the admin stylesheet like the shared one: immutable, its path changes with its text. */
export function adminAssetRoutes(app: FastifyInstance): void {
  app.get(ADMIN_STYLESHEET_PATH, { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('text/css; charset=utf-8')
      .header('Cache-Control', 'public, max-age=31536000, immutable')
      .send(ADMIN_STYLESHEET),
  );
}
