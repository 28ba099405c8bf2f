/**
 * The admin console's clients (API.md "Pages"): list, **Create client**, edit redirect URIs,
 * scopes and grants (**Save**), **Rotate secret** (the new secret shown once, on a no-store
 * page), **Delete** after a confirm step. Registration rules are the core's (clients.ts).
 */
import { TesseraError } from '../../core/errors.js';
import { FIRST_PARTY_CLIENT_ID } from '../../core/clients/clients.js';
import { grants } from '../../core/oauth/grants/registry.js';
import {
  ClientPage,
  ClientSecretPage,
  ClientsPage,
  DeleteClientPage,
} from '../../web/pages/admin/clients.js';
import { withNotice } from './pages-admin.js';
import { sendPage } from './pages.js';
import type { RouteContext } from '../context.js';
import type { AdminGuard } from './pages-admin.js';
import type { GrantChoice } from '../../web/pages/admin/clients.js';
import type { FastifyInstance } from 'fastify';

/** The grants of the registry, for the checkboxes. */
const GRANT_CHOICES: GrantChoice[] = grants.map((grant) => ({
  type: grant.type,
  kinds: grant.clientKinds,
}));

type Fields = Record<string, string | string[]>;

/** A single field's text ('' when absent). */
function text(fields: Fields, name: string): string {
  const value = fields[name];
  if (Array.isArray(value)) throw new TesseraError('invalid_request', `${name} was sent twice`);
  return value ?? '';
}

/** Words separated by spaces (scopes). */
function words(fields: Fields, name: string): string[] {
  return text(fields, name).split(/\s+/).filter(Boolean);
}

/** Lines of a textarea (URIs), blank lines dropped. */
function lines(fields: Fields, name: string): string[] {
  return text(fields, name)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/** The checked grants; none checked means "the defaults" on create and "none" on edit. */
function checkedGrants(fields: Fields): string[] {
  const value = fields.grants;
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** Registers the client pages under `/admin/clients`. */
export function adminClientRoutes(
  scope: FastifyInstance,
  { core }: RouteContext,
  guard: AdminGuard,
): void {
  const clientPath = (id: string) => `/admin/clients/${encodeURIComponent(id)}`;

  /** The client of `id`, or `not_found`. */
  async function clientOf(id: string) {
    const client = await core.clients.find(id);
    if (!client) throw new TesseraError('not_found', 'no such client');
    return client;
  }

  /** The built-in client is the configuration's, not the console's. */
  function notBuiltIn(id: string) {
    if (id === FIRST_PARTY_CLIENT_ID) {
      throw new TesseraError('invalid_request', 'the first-party client is set by configuration');
    }
  }

  scope.get('/admin/clients', { schema: { hide: true } }, async (request, reply) => {
    const visit = await guard.page(request, reply);
    if (!visit) return reply;
    return sendPage(reply, 200, ClientsPage, {
      ...visit.base,
      clients: await core.clients.list(),
      grants: GRANT_CHOICES,
    });
  });

  scope.post('/admin/clients', { schema: { hide: true } }, async (request, reply) => {
    const checked = await guard.form(request, reply);
    if (!checked) return reply;
    const { fields, visit } = checked;
    const name = text(fields, 'name').trim();
    if (name === '') throw new TesseraError('invalid_request', 'a client needs a name');
    const chosen = checkedGrants(fields);
    const { client, secret } = await core.clients.create({
      name,
      scopes: words(fields, 'scopes'),
      audiences: [],
      ...(chosen.length > 0 ? { grants: chosen } : {}),
      public: text(fields, 'public') === 'yes',
      firstParty: text(fields, 'first_party') === 'yes',
      redirectUris: lines(fields, 'redirect_uris'),
      postLogoutRedirectUris: lines(fields, 'post_logout_redirect_uris'),
    });
    // 201 and the page itself, not a redirect: the secret must never sit in a URL or a history
    // entry a reload would repeat (the page headers say no-store).
    return sendPage(reply, 201, ClientSecretPage, {
      ...visit.base,
      client,
      secret,
      rotated: false,
    });
  });

  scope.get<{ Params: { id: string } }>(
    '/admin/clients/:id',
    { schema: { hide: true } },
    async (request, reply) => {
      const visit = await guard.page(request, reply);
      if (!visit) return reply;
      const client = await clientOf(request.params.id);
      return sendPage(reply, 200, ClientPage, {
        ...visit.base,
        client,
        grants: GRANT_CHOICES,
        builtIn: client.id === FIRST_PARTY_CLIENT_ID,
      });
    },
  );

  scope.post<{ Params: { id: string } }>(
    '/admin/clients/:id',
    { schema: { hide: true } },
    async (request, reply) => {
      const checked = await guard.form(request, reply);
      if (!checked) return reply;
      const { id } = request.params;
      notBuiltIn(id);
      const { fields } = checked;
      const name = text(fields, 'name').trim();
      await core.clients.update(id, {
        ...(name === '' ? {} : { name }),
        scopes: words(fields, 'scopes'),
        grants: checkedGrants(fields),
        redirectUris: lines(fields, 'redirect_uris'),
        postLogoutRedirectUris: lines(fields, 'post_logout_redirect_uris'),
      });
      return reply.redirect(withNotice(clientPath(id), 'client_saved'), 303);
    },
  );

  scope.post<{ Params: { id: string } }>(
    '/admin/clients/:id/rotate-secret',
    { schema: { hide: true } },
    async (request, reply) => {
      const checked = await guard.form(request, reply);
      if (!checked) return reply;
      notBuiltIn(request.params.id);
      const secret = await core.clients.rotateSecret(request.params.id);
      const client = await clientOf(request.params.id);
      return sendPage(reply, 200, ClientSecretPage, {
        ...checked.visit.base,
        client,
        secret,
        rotated: true,
      });
    },
  );

  scope.get<{ Params: { id: string } }>(
    '/admin/clients/:id/delete',
    { schema: { hide: true } },
    async (request, reply) => {
      const visit = await guard.page(request, reply);
      if (!visit) return reply;
      notBuiltIn(request.params.id);
      const client = await clientOf(request.params.id);
      return sendPage(reply, 200, DeleteClientPage, { ...visit.base, client });
    },
  );

  scope.post<{ Params: { id: string } }>(
    '/admin/clients/:id/delete',
    { schema: { hide: true } },
    async (request, reply) => {
      const checked = await guard.form(request, reply);
      if (!checked) return reply;
      await core.clients.delete(request.params.id);
      return reply.redirect(withNotice('/admin/clients', 'client_deleted'), 303);
    },
  );
}
