/**
 * The layer map (layers.mjs) is enforced by lint: these tests run the project's own ESLint
 * config on tiny in-memory files, so the rule cannot silently stop firing.
 */
import * as assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('..', import.meta.url));
const rule = '@typescript-eslint/no-restricted-imports';

// The real eslint.config.js, without type information: these files are in no tsconfig, and
// the layer rule reads import statements only.
const eslint = new ESLint({
  cwd: root,
  overrideConfig: {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { parserOptions: { project: null } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-misused-promises': 'off',
    },
  },
});

/** The layer-rule messages for `code` placed at `filePath` (under the repository). */
async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  assert.ok(result);
  const fatal = result.messages.filter((message) => message.fatal);
  assert.deepEqual(fatal, [], 'the file parses');
  return result.messages.filter((message) => message.ruleId === rule).map((m) => m.message);
}

void describe('layers', () => {
  void it('core importing the config (even a type) fails lint', async () => {
    const errors = await layerErrors(
      'src/core/wrong-way.ts',
      "import type { Config } from '../config.js';\nexport type Wrong = Config;\n",
    );
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? '', /the core layer may not import the config layer/);
  });

  void it("the verifier toolkit importing the server's store adapters fails lint", async () => {
    const errors = await layerErrors(
      'src/verify/wrong-way.ts',
      "import { openClients } from '../stores/redis/connect.js';\nexport const wrong = openClients;\n",
    );
    assert.match(errors.join('\n'), /the verify layer may not import the stores layer/);
  });

  void it('a base file importing core beside it in a shared folder fails lint', async () => {
    const errors = await layerErrors(
      'src/core/keys/jwk.ts',
      "import { KeyRing } from './keyring.js';\nexport const wrong = KeyRing;\n",
    );
    assert.match(errors.join('\n'), /the base layer may not import the core layer/);
  });

  void it('the verifier toolkit loads ioredis lazily: a value import fails lint, a type passes', async () => {
    const value = await layerErrors(
      'src/verify/wrong-way.ts',
      "import { Redis } from 'ioredis';\nexport const wrong = Redis;\n",
    );
    assert.match(value.join('\n'), /Load ioredis lazily/);
    const type = await layerErrors(
      'src/verify/right-way.ts',
      "import type { Redis } from 'ioredis';\nexport type Right = Redis;\n",
    );
    assert.deepEqual(type, []);
  });

  void it('a page importing a store adapter or the server fails lint, and the server may render pages', async () => {
    const wrong = await layerErrors(
      'src/web/pages/wrong-way.tsx',
      [
        "import { createMemoryStores } from '../../stores/memory/index.js';",
        "import { sendPage } from '../../server/routes/pages.js';",
        'export const wrong = [createMemoryStores, sendPage];',
        'export const Page = () => <p>wrong</p>;',
        '',
      ].join('\n'),
    );
    assert.match(wrong.join('\n'), /the web layer may not import the stores layer/);
    assert.match(wrong.join('\n'), /the web layer may not import the server layer/);
    const fastify = await layerErrors(
      'src/web/wrong-way.tsx',
      "import Fastify from 'fastify';\nexport const wrong = Fastify;\n",
    );
    assert.match(fastify.join('\n'), /the web layer does not use fastify/);
    const right = await layerErrors(
      'src/server/right-way.ts',
      "import { renderPage } from '../web/render.js';\nexport const right = renderPage;\n",
    );
    assert.deepEqual(right, []);
  });

  void it('imports that point down pass', async () => {
    const errors = await layerErrors(
      'src/server/right-way.ts',
      [
        "import { TesseraError } from '../core/errors.js';",
        "import { createCore } from '../core/tessera.js';",
        "import { openClients } from '../stores/redis/connect.js';",
        "import { loadConfig } from '../config.js';",
        'export const right = [TesseraError, createCore, openClients, loadConfig];',
        '',
      ].join('\n'),
    );
    assert.deepEqual(errors, []);
  });
});
