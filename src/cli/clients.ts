import { loadConfig } from '../config.js';
import { TesseraError } from '../core/errors.js';
import { withCore } from './open.js';
import type { ParsedArgs } from './args.js';

/** The flags of `tessera clients`. */
export const clientFlags = ['name', 'scope', 'audience'];

/** The repeatable flags of `tessera clients`. */
export const clientListFlags = ['grant'];

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
      if (!name)
        throw new TesseraError(
          'invalid_request',
          'usage: tessera clients create --name NAME [--scope "a b"] [--audience "x y"] [--grant TYPE]... [--json]',
        );
      // Without --grant the client gets the default grants (core/clients/clients.ts).
      const grants = args.lists.grant;
      const { client, secret } = await core.clients.create({
        name,
        scopes: words(args.flags.scope),
        audiences: words(args.flags.audience),
        ...(grants === undefined ? {} : { grants }),
      });
      print(
        { client_id: client.id, client_secret: secret },
        `client_id:     ${client.id}\nclient_secret: ${secret}\n(the secret is shown once; only its hash is stored)`,
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
        first_party: client.firstParty,
        created_at: new Date(client.createdAt).toISOString(),
      }));
      print(
        list,
        list
          .map(
            (c) =>
              `${c.client_id}  ${c.name}  scopes: ${c.scopes.join(' ') || '-'}  grants: ${c.grants.join(' ') || '-'}`,
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
