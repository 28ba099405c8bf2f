import { parseArgs } from 'node:util';
import { options } from '../config.js';

/** Parsed command line: the command words, the configuration flags and the other flags. */
export interface ParsedArgs {
  words: string[];
  flags: Record<string, string | undefined>;
  switches: Record<string, boolean>;
  /** The repeatable flags, each value in the order given (empty when not given). */
  lists: Record<string, string[]>;
}

/**
 * Parses `argv`: every configuration option is a `--flag value`; `extra` names boolean switches,
 * `extraFlags` other valued flags and `listFlags` valued flags that may be repeated.
 */
export function parseCommandLine(
  argv: string[],
  extra: string[] = [],
  extraFlags: string[] = [],
  listFlags: string[] = [],
): ParsedArgs {
  const spec: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {};
  for (const option of options) spec[option.flag] = { type: 'string' };
  for (const name of extraFlags) spec[name] = { type: 'string' };
  for (const name of listFlags) spec[name] = { type: 'string', multiple: true };
  for (const name of ['help', 'json', ...extra]) spec[name] = { type: 'boolean' };
  const { values, positionals } = parseArgs({
    args: argv,
    options: spec,
    allowPositionals: true,
    strict: true,
  });
  const flags: Record<string, string | undefined> = {};
  const switches: Record<string, boolean> = {};
  const lists: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'string') flags[name] = value;
    else if (typeof value === 'boolean') switches[name] = value;
    else if (Array.isArray(value)) lists[name] = value.filter((item) => typeof item === 'string');
  }
  return { words: positionals, flags, switches, lists };
}
