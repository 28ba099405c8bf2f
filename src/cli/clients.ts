import { loadConfig } from '../config.js';
import { TesseraError } from '../core/errors.js';
import { withCore } from './open.js';
import type { ParsedArgs } from './args.js';

/** The flags of `tessera clients`. */
export const clientFlags = ['name', 'scope', 'audience'];

/** The repeatable flags of `tessera clients`. */
export const clientListFlags = ['grant', 'redirect-uri', 'post-logout-redirect-uri'];

/** The switches of `tessera clients create`. */
export const clientSwitches = ['public', 'first-party'];

const CREATE_USAGE =
  'usage: tessera clients create --name NAME [--scope "a b"] [--audience "x y"] [--redirect-uri URI]... ' +
  '[--post-logout-redirect-uri URI]... [--public] [--first-party] [--grant TYPE]... [--json]';

const words = (value: string | undefined) => (value ?? '').split(' ').filter(Boolean);

/** `tessera clients create|list|delete`: OAuth clients of the configured database. */
export async function clients(
  args: ParsedArgs,
  action: string | undefined,
  target: string | undefined,
): Promise<void> {
  const config = loadConfig({ env: process.env, flags: args.flags });
  await withCore(config, async (core) => {
    const print = (value: unknown, text: string) =>
      process.stdout.write(`${args.switches.json ? JSON.stringify(value) : text}\n`);
    if (action === 'create') {
      const name = args.flags.name;
      if (!name) throw new TesseraError('invalid_request', CREATE_USAGE);
      // Without --grant the client gets the default grants of its kind (core/clients/clients.ts).
      const { grant: grants, 'redirect-uri': redirectUris } = args.lists;
      const postLogoutRedirectUris = args.lists['post-logout-redirect-uri'];
      const { client, secret } = await core.clients.create({
        name,
        scopes: words(args.flags.scope),
        audiences: words(args.flags.audience),
        ...(grants === undefined ? {} : { grants }),
        ...(redirectUris === undefined ? {} : { redirectUris }),
        ...(postLogoutRedirectUris === undefined ? {} : { postLogoutRedirectUris }),
        public: args.switches.public === true,
        firstParty: args.switches['first-party'] === true,
      });
      // A public client has no secret: the JSON has no client_secret at all, not a null one.
      print(
        secret === undefined
          ? { client_id: client.id }
          : { client_id: client.id, client_secret: secret },
        secret === undefined
          ? `client_id:     ${client.id}\n(a public client: it has no secret)`
          : `client_id:     ${client.id}\nclient_secret: ${secret}\n(the secret is shown once; only its hash is stored)`,
      );
      return;
    }
    if (action === 'list') {
      const list = (await core.clients.list()).map((client) => ({
        client_id: client.id,
        name: client.name,
        scopes: client.scopes,
        audiences: client.audiences,
        grants: client.grants,
        redirect_uris: client.redirectUris,
        post_logout_redirect_uris: client.postLogoutRedirectUris,
        public: client.secretHash === null,
        first_party: client.firstParty,
        created_at: new Date(client.createdAt).toISOString(),
      }));
      print(
        list,
        list
          .map(
            (c) =>
              `${c.client_id}  ${c.name}  ${c.public ? 'public' : 'confidential'}${c.first_party ? ' first-party' : ''}` +
              `  scopes: ${c.scopes.join(' ') || '-'}  grants: ${c.grants.join(' ') || '-'}` +
              `  redirect URIs: ${c.redirect_uris.join(' ') || '-'}` +
              `  post-logout URIs: ${c.post_logout_redirect_uris.join(' ') || '-'}`,
          )
          .join('\n'),
      );
      return;
    }
    if (action === 'delete' && target !== undefined) {
      await core.clients.delete(target);
      print({ deleted: target }, `deleted ${target}`);
      return;
    }
    throw new TesseraError(
      'invalid_request',
      'usage: tessera clients create|list|delete <client_id>',
    );
  });
}
