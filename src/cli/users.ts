import { loadConfig } from '../config.js';
import { TesseraError } from '../core/errors.js';
import { withCore } from './open.js';
import type { ParsedArgs } from './args.js';
import type { Core } from '../core/tessera.js';
import type { UserRecord } from '../stores/ports.js';

/** The flags of `tessera users`. */
export const userFlags = ['email', 'email-prefix'];

/** The switches of `tessera users`. */
export const userSwitches = ['admin'];

const USAGE =
  'usage: tessera users create --email EMAIL [--admin] [--json] (password on standard input) | ' +
  'list [--email-prefix P] [--json] | disable|enable|delete EMAIL';

/** One page of `users list`; the command reads every page. */
const PAGE = 1000;

/**
 * `tessera users create|list|disable|enable|delete`: accounts of the configured database.
 * Disabling and deleting revoke the user's credentials; running servers learn it through the
 * bus and the revocation feed (withCore announces it).
 */
export async function users(
  args: ParsedArgs,
  action: string | undefined,
  target: string | undefined,
): Promise<void> {
  const config = loadConfig({ env: process.env, flags: args.flags });
  const print = (value: unknown, text: string) =>
    process.stdout.write(`${args.switches.json ? JSON.stringify(value) : text}\n`);
  if (action === 'create') {
    const email = args.flags.email;
    if (!email) throw new TesseraError('invalid_request', USAGE);
    // From standard input, never a flag: a flag would sit in the shell history and in `ps`.
    const password = await readPassword();
    await withCore(config, async (core) => {
      const user = await core.accounts.create({
        email,
        password,
        role: args.switches.admin === true ? 'admin' : 'user',
      });
      print({ id: user.id, email: user.email }, `created ${user.email} (${user.id}, ${user.role})`);
    });
    return;
  }
  if (action === 'list') {
    await withCore(config, async (core) => {
      const list = (await allUsers(core, args.flags['email-prefix'])).map(describe);
      print(
        list,
        list
          .map(
            (u) =>
              `${u.email}  ${u.id}  ${u.role}  ${u.disabled_at ? 'disabled' : 'enabled'}` +
              `  ${u.email_verified_at ? 'verified' : 'unverified'}`,
          )
          .join('\n') || '(no users)',
      );
    });
    return;
  }
  if (['disable', 'enable', 'delete'].includes(action ?? '') && target !== undefined) {
    await withCore(config, async (core) => {
      const user = await core.accounts.findByEmail(target);
      if (!user) throw new TesseraError('not_found', `no user with email ${target}`);
      if (action === 'disable') await core.accounts.disable(user.id);
      else if (action === 'enable') await core.accounts.enable(user.id);
      else await core.accounts.delete(user.id);
      print({ id: user.id, email: user.email, [`${action}d`]: true }, `${action}d ${user.email}`);
    });
    return;
  }
  throw new TesseraError('invalid_request', USAGE);
}

async function allUsers(core: Core, emailPrefix: string | undefined): Promise<UserRecord[]> {
  const found: UserRecord[] = [];
  let after: string | undefined;
  do {
    const page = await core.accounts.search({
      limit: PAGE,
      ...(emailPrefix === undefined ? {} : { emailPrefix }),
      ...(after === undefined ? {} : { after }),
    });
    found.push(...page.users);
    after = page.next;
  } while (after !== undefined);
  return found;
}

function describe(user: UserRecord) {
  const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    created_at: iso(user.createdAt),
    disabled_at: iso(user.disabledAt),
    email_verified_at: iso(user.emailVerifiedAt),
  };
}

/** The password: all of standard input but one trailing line break. */
async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('password (then Ctrl-D): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (password === '') {
    throw new TesseraError('invalid_request', 'give the password on standard input');
  }
  return password;
}
