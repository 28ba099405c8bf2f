import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { configTable } from '../src/cli/help.js';
import { errorsPage } from '../src/core/error-docs.js';

describe('documentation', () => {
  it('the README configuration table is exactly what `tessera help config` prints', () => {
    const readme = readFileSync(join(import.meta.dirname, '../README.md'), 'utf8');
    const table = /<!-- config:start -->\n([\s\S]*?)\n<!-- config:end -->/.exec(readme)?.[1];
    assert.equal(table, configTable(), 'run: npx tsx src/cli/main.ts help config');
  });

  it('docs/errors.md is exactly what the error registry renders', () => {
    const page = readFileSync(join(import.meta.dirname, '../docs/errors.md'), 'utf8');
    assert.equal(page, errorsPage(), 'run: npm run docs:errors');
  });

  it('the README links the error-code page', () => {
    const readme = readFileSync(join(import.meta.dirname, '../README.md'), 'utf8');
    assert.match(readme, /\]\(docs\/errors\.md\)/);
  });
});
