#!/usr/bin/env node
/** The `tessera` command: dispatches to one module per command. */
import { TesseraError } from '../core/errors.js';
import { audit } from './audit.js';
import { parseCommandLine } from './args.js';
import { bench } from './bench.js';
import { configTable, usage } from './help.js';
import { clientFlags, clientListFlags, clientSwitches, clients } from './clients.js';
import { keys, keySwitches } from './signing-keys.js';
import { serve } from './serve.js';
import { userFlags, users, userSwitches } from './users.js';

async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'audit') return audit(argv.slice(1)); // its own flags: see cli/audit.ts
  if (argv[0] === 'bench') return bench(argv.slice(1)); // its own flags: see cli/bench.ts
  const args = parseCommandLine(
    argv,
    [...keySwitches, ...clientSwitches, ...userSwitches],
    [...clientFlags, ...userFlags],
    clientListFlags,
  );
  const [command, ...rest] = args.words;
  if (args.switches.help || command === undefined || command === 'help') {
    process.stdout.write(`${rest[0] === 'config' ? configTable() : usage()}\n`);
    return;
  }
  if (command === 'serve') return serve(args);
  if (command === 'keys') return keys(args, rest[0]);
  if (command === 'clients') return clients(args, rest[0], rest[1]);
  if (command === 'users') return users(args, rest[0], rest[1]);
  throw new TesseraError('invalid_request', `unknown command "${command}"; see tessera help`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`tessera: ${message}\n`);
  process.exit(2);
});
