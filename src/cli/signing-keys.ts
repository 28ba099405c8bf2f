import { loadConfig } from '../config.js';
import { replaceCompromisedKeys } from '../core/keys/compromise.js';
import { TesseraError } from '../core/errors.js';
import { withCore } from './open.js';
import type { ParsedArgs } from './args.js';
import type { Core } from '../core/tessera.js';

const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

/** The switches `tessera keys` takes besides the common ones. */
export const keySwitches = ['now'];

/**
 * `tessera keys list|rotate [--now]`: the signing keys of the configured database. `rotate` is
 * the planned rotation (the new key is published now and signs once every cached JWKS knows
 * it); `rotate --now` is for a compromised key (see core/keys/compromise.ts).
 */
export async function keys(args: ParsedArgs, action: string | undefined): Promise<void> {
  const config = loadConfig({ env: process.env, flags: args.flags });
  await withCore(config, async (core) => {
    if (action === 'rotate') return rotate(core, args);
    if (action !== 'list')
      throw new TesseraError('invalid_request', 'usage: tessera keys list|rotate [--now]');
    const summaries = await core.keyRing.summaries();
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
        iso(key.activatesAt),
        iso(key.rotatedAt),
        key.encrypted ? 'yes' : 'no',
      ].join('  '),
    );
    process.stdout.write(
      ['kid  alg  state  created  signs-from  rotated  encrypted', ...rows].join('\n') + '\n',
    );
  });
}

async function rotate(core: Core, args: ParsedArgs): Promise<void> {
  if (args.switches.now) {
    const { kid, retired } = await replaceCompromisedKeys(core.keyRing, core.revocations);
    const out = args.switches.json
      ? JSON.stringify({ kid, retired })
      : `new active key ${kid}, signing now; retired and revoked at every verifier: ${retired.join(', ') || '-'}`;
    process.stdout.write(`${out}\n`);
    return;
  }
  const before = new Set((await core.keyRing.summaries()).map((key) => key.kid));
  const kid = await core.keyRing.rotate();
  const pending = (await core.keyRing.summaries()).find((key) => key.kid === kid);
  const activatesAt = iso(pending?.activatesAt ?? null);
  const scheduled = !before.has(kid);
  const out = args.switches.json
    ? JSON.stringify({ kid, activatesAt, scheduled })
    : scheduled
      ? `next key ${kid} is published now and signs from ${activatesAt}; the current one then stays verify-only until its tokens expire`
      : `a rotation is already under way: key ${kid} signs from ${activatesAt} (nothing changed)`;
  process.stdout.write(`${out}\n`);
}
