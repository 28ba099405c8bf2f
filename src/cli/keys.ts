import { loadConfig } from '../config.js';
import { TesseraError } from '../core/errors.js';
import { withCore } from './open.js';
import type { ParsedArgs } from './args.js';

const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

/** `tessera keys list|rotate`: the signing keys of the configured database. */
export async function keys(args: ParsedArgs, action: string | undefined): Promise<void> {
  const config = loadConfig({ env: process.env, flags: args.flags });
  await withCore(config, async (core) => {
    if (action === 'rotate') {
      const kid = await core.keys.rotate();
      const out = args.switches.json
        ? JSON.stringify({ kid })
        : `new active key ${kid}; the previous one stays verify-only until its tokens expire`;
      process.stdout.write(`${out}\n`);
      return;
    }
    if (action !== 'list')
      throw new TesseraError('invalid_request', 'usage: tessera keys list|rotate');
    const summaries = await core.keys.summaries();
    if (args.switches.json) {
      process.stdout.write(`${JSON.stringify(summaries, null, 2)}\n`);
      return;
    }
    const rows = summaries.map((key) =>
      [
        key.kid,
        key.alg,
        key.state,
        iso(key.createdAt),
        iso(key.rotatedAt),
        key.encrypted ? 'yes' : 'no',
      ].join('  '),
    );
    process.stdout.write(
      ['kid  alg  state  created  rotated  encrypted', ...rows].join('\n') + '\n',
    );
  });
}
