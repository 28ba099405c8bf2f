/**
 * Capabilities, not string branches (STYLE.md): the SQL stores and migrations ask the dialect's
 * capabilities object (src/stores/sql/dialects/) what it can do and never compare a dialect's
 * name, so a new dialect is one file there and its contract run.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';

const root = join(import.meta.dirname, '../../src/stores/sql');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

describe('sql dialects', () => {
  it('no SQL store or migration branches on a dialect name', () => {
    const branching =
      /['"](?:sqlite|postgres|postgresql|mysql)['"]|\.name\s*[!=]==|dialect\s*[!=]==/;
    const offenders = sources(root)
      .filter((file) => !relative(root, file).startsWith('dialects'))
      .filter((file) => branching.test(readFileSync(file, 'utf8')))
      .map((file) => relative(root, file));
    assert.deepEqual(offenders, []);
  });
});
