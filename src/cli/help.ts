import { options } from '../config.js';
import { DEFAULT_CLIENT_GRANTS, DEFAULT_REDIRECT_CLIENT_GRANTS } from '../core/clients/clients.js';
import { grants } from '../core/oauth/grants/registry.js';

// The grants `clients create` registers clients of each kind for, from the registry itself.
const grantsFor = (kind: 'confidential' | 'public') =>
  grants.filter((grant) => grant.clientKinds.includes(kind)).map((grant) => grant.type);

/** The usage text of the `tessera` command. */
export function usage(): string {
  return [
    'Usage: tessera <command> [flags]',
    '',
    'Commands:',
    '  serve                 start the server (embedded SQLite at ./tessera.db by default)',
    '  audit [--since 24h|ISO-TIME] [--kind KIND]... [--user EMAIL|ID] [--limit N] [--json]',
    '                        security events, newest first (--json: one JSON object per line)',
    '  keys list|rotate      the signing keys; rotate publishes a next key that signs in 6 min;',
    '                        rotate --now (compromised key) signs with a new key at once',
    '  clients create --name NAME [--scope "a b"] [--audience "x"] [--redirect-uri URI]...',
    '                 [--post-logout-redirect-uri URI]... [--public] [--first-party]',
    '                 [--grant TYPE]... [--json]',
    '                        --redirect-uri (repeatable): https, http on 127.0.0.1, [::1] or',
    '                        localhost, or a private-use scheme with a dot (com.example.app:/cb);',
    '                        --public: no secret (SPAs, native apps); --first-party: no consent page;',
    `                        --grant (repeatable): ${grantsFor('confidential').join(', ')}`,
    `                        (public clients: ${grantsFor('public').join(', ')}); without it:`,
    `                        ${DEFAULT_REDIRECT_CLIENT_GRANTS.join(', ')} with a redirect URI or --public,`,
    `                        else ${DEFAULT_CLIENT_GRANTS.join(', ')}`,
    '  clients list|delete <client_id>',
    '  users create --email EMAIL [--admin] [--json]',
    '                        the password is read from standard input; the email counts as',
    '                        verified (the operator vouches for it); --admin: may use /admin',
    '  users list [--email-prefix P] [--json]',
    '  users disable|enable|delete EMAIL',
    '                        disable: no sign-in, every session and token revoked at once;',
    '                        delete: the account and its sessions, tokens and consents',
    '  bench [--quick]       measure token sizes, verify/s, session checks (bench/results)',
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
