import { options } from '../config.js';
import { DEFAULT_CLIENT_GRANTS } from '../core/clients/clients.js';
import { grants } from '../core/oauth/grants/registry.js';

// The grants `clients create` registers confidential clients for, from the registry itself.
const clientGrants = grants
  .filter((grant) => grant.clientKinds.includes('confidential'))
  .map((grant) => grant.type);

/** The usage text of the `tessera` command. */
export function usage(): string {
  return [
    'Usage: tessera <command> [flags]',
    '',
    'Commands:',
    '  serve                 start the server (embedded SQLite at ./tessera.db by default)',
    '  keys list|rotate      the signing keys; rotate publishes a next key that signs in 6 min;',
    '                        rotate --now (compromised key) signs with a new key at once',
    '  clients create --name NAME [--scope "a b"] [--audience "x"] [--grant TYPE]... [--json]',
    `                        --grant (repeatable): ${clientGrants.join(', ')};`,
    `                        without it: ${DEFAULT_CLIENT_GRANTS.join(', ')}`,
    '  clients list|delete <client_id>',
    '  help config           list every configuration option as a markdown table',
    '',
    'Every option is a flag and an environment variable; `tessera help config` lists them.',
  ].join('\n');
}

/** Every configuration option as a markdown table (the README's table comes from this). */
export function configTable(): string {
  const rows = options.map((option) => {
    const fallback =
      typeof option.fallback === 'function'
        ? '(derived)'
        : option.fallback === undefined
          ? 'unset'
          : JSON.stringify(option.fallback);
    return `| \`${option.env}\` | \`--${option.flag}\` | ${fallback} | ${option.doc} |`;
  });
  return ['| variable | flag | default | meaning |', '| --- | --- | --- | --- |', ...rows].join(
    '\n',
  );
}
