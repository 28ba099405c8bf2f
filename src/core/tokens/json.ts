/**
 * Strict JSON objects for JOSE headers and JWT claims: UTF-8 only (RFC 8259 §8.1) and an object
 * at the top (RFC 7515 §4, RFC 7519 §7.2 step 10). Optionally no member name twice at any depth:
 * RFC 7515 §5.2 step 4 and RFC 7519 §4 let a recipient refuse duplicate names, and the header —
 * read before any signature is checked — must, because parsers disagree on which duplicate wins.
 */
import { isUtf8 } from 'node:buffer';

/** A parsed JSON object. */
export type JsonObject = Record<string, unknown>;

/** Parses `bytes` as a strict JSON object; undefined for anything else, never a throw. */
export function parseJsonObject(
  bytes: Buffer,
  options: { rejectDuplicates: boolean } = { rejectDuplicates: true },
): JsonObject | undefined {
  if (!isUtf8(bytes)) return undefined;
  const text = bytes.toString('utf8');
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    if (options.rejectDuplicates && hasDuplicateNames(text, value)) return undefined;
    return value as JsonObject;
  } catch {
    // Syntax errors, and a RangeError from absurd nesting, are all just "not a JSON object".
    return undefined;
  }
}

/**
 * True when the JSON text repeats a member name inside some object. JSON.parse keeps the last
 * duplicate and drops the rest, so the parsed tree holds fewer strings (names plus string
 * values) than the text when and only when a name repeated. Without backslashes every `"` in
 * the text delimits a string, so counting quotes is enough; text with escapes takes the slow,
 * exact scan.
 */
function hasDuplicateNames(text: string, value: object): boolean {
  if (text.indexOf('\\') !== -1) return scanForDuplicates(text);
  let quotes = 0;
  for (let i = text.indexOf('"'); i !== -1; i = text.indexOf('"', i + 1)) quotes++;
  return quotes !== 2 * countStrings(value);
}

function countStrings(value: unknown): number {
  if (typeof value === 'string') return 1;
  if (typeof value !== 'object' || value === null) return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (const item of value) count += countStrings(item);
    return count;
  }
  // Object.keys, not for-in: JSON.parse makes "__proto__" an own member like any other.
  for (const name of Object.keys(value)) {
    count += 1 + countStrings((value as JsonObject)[name]);
  }
  return count;
}

/**
 * Exact duplicate check for text with escapes: walks the (already valid) JSON, decodes each
 * member name with JSON.parse so `"a"` and `"\u0061"` compare equal, and keeps one name set per
 * open object.
 */
function scanForDuplicates(text: string): boolean {
  const scopes: (Set<string> | undefined)[] = [];
  let expectName = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let end = i + 1;
      while (text.charCodeAt(end) !== 0x22) end += text.charCodeAt(end) === 0x5c ? 2 : 1;
      const names = scopes[scopes.length - 1];
      if (expectName && names !== undefined) {
        const name = JSON.parse(text.slice(i, end + 1)) as string;
        if (names.has(name)) return true;
        names.add(name);
      }
      expectName = false;
      i = end;
    } else if (c === 0x7b /* { */) {
      scopes.push(new Set());
      expectName = true;
    } else if (c === 0x5b /* [ */) {
      scopes.push(undefined);
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      scopes.pop();
    } else if (c === 0x2c /* , */) {
      expectName = scopes[scopes.length - 1] !== undefined;
    }
  }
  return false;
}
