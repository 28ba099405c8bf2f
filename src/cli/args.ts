import { parseArgs } from 'node:util';
import { options } from '../config.js';

/** Parsed command line: the command words, the configuration flags and the other flags. */
export interface ParsedArgs {
  words: string[];
  flags: Record<string, string | undefined>;
  switches: Record<string, boolean>;
}

/**
 * Parses `argv`: every configuration option is a `--flag value`; `extra` names boolean switches
 * and `extraFlags` other valued flags.
 */
export function parseCommandLine(
  argv: string[],
  extra: string[] = [],
  extraFlags: string[] = [],
): ParsedArgs {
  const spec: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const option of options) spec[option.flag] = { type: 'string' };
  for (const name of extraFlags) spec[name] = { type: 'string' };
  for (const name of ['help', 'json', ...extra]) spec[name] = { type: 'boolean' };
  const { values, positionals } = parseArgs({
    args: argv,
    options: spec,
    allowPositionals: true,
    strict: true,
  });
  const flags: Record<string, string | undefined> = {};
  const switches: Record<string, boolean> = {};
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'string') flags[name] = value;
    else if (typeof value === 'boolean') switches[name] = value;
  }
  return { words: positionals, flags, switches };
}
