import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { isTesseraError, TesseraError } from '../src/core/errors.js';
import type * as Errors from '../src/core/errors.js';
import { HttpStatusError } from '../src/verify/http.js';

describe('package entry points (the root tests import the sources)', () => {
  it('tessera exports the server as a library: config, core, app, stores', async () => {
    const tessera = await import('../src/index.js');
    for (const name of [
      'loadConfig',
      'createCore',
      'buildApp',
      'startServer',
      'createSqlStores',
      'createMemoryStores',
      'createRedisStores',
      'TesseraError',
    ]) {
      assert.equal(typeof (tessera as Record<string, unknown>)[name], 'function', name);
    }
  });

  it('tessera/verify exports createVerifier, and each middleware entry its tesseraAuth', async () => {
    assert.equal(typeof (await import('../src/verify/index.js')).createVerifier, 'function');
    for (const entry of ['fastify', 'express', 'hono']) {
      const module = (await import(`../src/middleware/${entry}.js`)) as Record<string, unknown>;
      assert.ok(module.tesseraAuth, entry);
    }
    assert.equal(typeof (await import('../src/middleware/node.js')).createAuthenticate, 'function');
  });
});

// ---------------------------------------------------------------------------------------------
// Two packages from one source tree: tessera-auth (the server) and tessera-verify (the toolkit).

const ROOT = join(import.meta.dirname, '..');
const readJson = (path: string) =>
  JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as PackageJson;

interface PackageJson {
  name: string;
  private?: boolean;
  workspaces?: string[];
  bin?: Record<string, string>;
  exports: Record<string, string | { types: string; import: string }>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** How a module names another: at run time (static or dynamic `import`), or only as types. */
type ImportKind = 'static' | 'dynamic' | 'type';

/** Every module specifier a TypeScript file names, and how. */
function importsOf(file: string): { specifier: string; kind: ImportKind }[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const found: { specifier: string; kind: ImportKind }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            named !== undefined &&
            ts.isNamedImports(named) &&
            named.elements.length > 0 &&
            named.elements.every((element) => element.isTypeOnly)));
      found.push({ specifier: node.moduleSpecifier.text, kind: typeOnly ? 'type' : 'static' });
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push({
        specifier: node.moduleSpecifier.text,
        kind: node.isTypeOnly ? 'type' : 'static',
      });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined
    ) {
      const argument = node.arguments[0];
      // A computed specifier could reach anything: the toolkit names what it loads.
      found.push({
        specifier: ts.isStringLiteral(argument) ? argument.text : '<computed>',
        kind: 'dynamic',
      });
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      found.push({ specifier: node.argument.literal.text, kind: 'type' });
    } else if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name)) {
      found.push({ specifier: node.name.text, kind: 'type' }); // declare module 'fastify'
    } else if (
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'require'
    ) {
      found.push({ specifier: '<require>', kind: 'static' });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * Walks the import graph from `entries` (paths under src/) the way `tsc` does for a build:
 * every relative import, type-only ones included, since their declarations ship too. Returns the
 * files reached (relative to src/) and every package import, with who imports it and how.
 */
function closure(entries: readonly string[]) {
  const src = join(ROOT, 'src');
  const files = new Set<string>();
  const packages: { specifier: string; kind: ImportKind; from: string }[] = [];
  const pending = entries.map((entry) => join(src, entry));
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    for (const { specifier, kind } of importsOf(file)) {
      if (specifier.startsWith('.')) {
        // A page's `.js` is compiled from `.tsx` (src/web).
        const source = resolve(dirname(file), specifier.replace(/\.js$/, '.ts'));
        pending.push(existsSync(source) ? source : `${source}x`);
      } else {
        packages.push({ specifier, kind, from: relative(src, file) });
      }
    }
  }
  return {
    files: [...files].map((file) => relative(src, file).split(sep).join('/')).sort(),
    packages,
  };
}

/** The package a specifier names: `@scope/name` or `name`, without a subpath. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** `./dist/verify/index.js` → `verify/index.ts` */
const sourceOf = (distPath: string) => distPath.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts');

const toolkitEntries = [
  'verify/index.ts',
  'middleware/fastify.ts',
  'middleware/express.ts',
  'middleware/hono.ts',
  'middleware/node.ts',
];

describe('two packages from one source tree', () => {
  const root = readJson('package.json');
  const auth = readJson('packages/tessera-auth/package.json');
  const toolkit = readJson('packages/tessera-verify/package.json');

  it('the root is a private workspace of tessera-auth and tessera-verify, with no runtime dependencies', () => {
    assert.equal(root.private, true);
    assert.deepEqual(root.workspaces, ['packages/*']);
    assert.equal(root.dependencies, undefined, 'runtime dependencies belong to the packages');
    assert.equal(auth.name, 'tessera-auth');
    assert.equal(toolkit.name, 'tessera-verify');
    assert.deepEqual(auth.bin, { tessera: './dist/cli/main.js' });
  });

  it('every entry point of each package is built by its tsconfig.build.json, with types', () => {
    for (const [dir, pkg] of [
      ['tessera-auth', auth],
      ['tessera-verify', toolkit],
    ] as const) {
      const config = ts.readConfigFile(join(ROOT, 'packages', dir, 'tsconfig.build.json'), (path) =>
        readFileSync(path, 'utf8'),
      ).config as { files: string[]; compilerOptions: { rootDir: string; outDir: string } };
      assert.equal(config.compilerOptions.rootDir, '../../src', dir);
      assert.equal(config.compilerOptions.outDir, 'dist', dir);
      const built = config.files.map((file) => file.replace(/^\.\.\/\.\.\/src\//, '')).sort();
      const entries = [...Object.values(pkg.exports), ...Object.values(pkg.bin ?? {})]
        .filter((entry) => entry !== './package.json')
        .map((entry) => {
          if (typeof entry === 'string') return sourceOf(entry);
          assert.equal(
            entry.types,
            entry.import.replace(/\.js$/, '.d.ts'),
            `${dir}: types of ${entry.import}`,
          );
          return sourceOf(entry.import);
        });
      assert.deepEqual(
        [...new Set(entries)].sort(),
        built,
        `${dir}: exports and bin = files built`,
      );
      for (const entry of entries) assert.ok(existsSync(join(ROOT, 'src', entry)), entry);
    }
    assert.deepEqual(
      Object.values(toolkit.exports)
        .filter((entry) => typeof entry !== 'string')
        .map((entry) => sourceOf(entry.import)),
      toolkitEntries,
    );
  });

  it('the toolkit closure stays out of the server, and needs jose, node: builtins and optional peers only', () => {
    const { files, packages } = closure(toolkitEntries);
    const server = files.filter((file) =>
      /^(server|stores|cli)\/|^config\.ts$|^index\.ts$/.test(file),
    );
    assert.deepEqual(server, [], 'the toolkit must not reach server, stores, CLI or config code');
    // What it shares with the server is the core's token verifier, errors and key checks.
    for (const shared of ['core/tokens/verify.ts', 'core/errors.ts', 'core/keys/jwk.ts']) {
      assert.ok(files.includes(shared), shared);
    }

    const peers = Object.keys(toolkit.peerDependencies ?? {}).sort();
    assert.deepEqual(peers, ['express', 'fastify', 'hono', 'ioredis']);
    for (const peer of peers)
      assert.equal(toolkit.peerDependenciesMeta?.[peer]?.optional, true, peer);
    assert.deepEqual(Object.keys(toolkit.dependencies ?? {}), ['jose']);

    for (const { specifier, kind, from } of packages) {
      const name = packageName(specifier);
      const where = `${from} imports ${specifier} (${kind})`;
      if (specifier.startsWith('node:') || name === 'jose') continue;
      assert.ok(peers.includes(name), `${where}: only jose, node: builtins and the optional peers`);
      // An optional peer may be missing: the toolkit names it as types, or loads it lazily.
      assert.notEqual(kind, 'static', `${where}: an optional peer must be imported lazily`);
    }
    // ioredis is really used, and lazily (src/verify/redis-feed.ts).
    assert.ok(packages.some((entry) => entry.specifier === 'ioredis' && entry.kind === 'dynamic'));
  });

  it("tsc's own program for the toolkit build holds exactly the walked closure", () => {
    const parsed = ts.getParsedCommandLineOfConfigFile(
      join(ROOT, 'packages/tessera-verify/tsconfig.build.json'),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (diagnostic) =>
          assert.fail(String(diagnostic.messageText)),
      },
    );
    assert.ok(parsed);
    const program = ts.createProgram(parsed.fileNames, { ...parsed.options, noEmit: true });
    const src = join(ROOT, 'src');
    const compiled = program
      .getSourceFiles()
      .map((file) => relative(src, file.fileName).split(sep).join('/'))
      .filter((file) => !file.startsWith('..'))
      .sort();
    assert.deepEqual(compiled, closure(toolkitEntries).files);
  });

  it('the server package declares every package its closure imports', () => {
    const { packages } = closure(['index.ts', 'cli/main.ts']);
    const declared = Object.keys({ ...auth.dependencies, ...auth.optionalDependencies });
    for (const { specifier, kind, from } of packages) {
      if (specifier.startsWith('node:') || kind === 'type') continue;
      // node:sqlite, named through a variable so Node 20's types need not know it (a built-in).
      if (specifier === '<computed>' && from === 'stores/sql/sqlite-node.ts') continue;
      assert.ok(declared.includes(packageName(specifier)), `${from} imports ${specifier}`);
    }
  });
});

describe('TesseraError across copies of the compiled class', () => {
  it('isTesseraError and instanceof recognise an error thrown by the other package', async () => {
    // The server and the toolkit each ship a compiled errors.js; build two copies the same way.
    const dir = mkdtempSync(join(tmpdir(), 'tessera-errors-'));
    try {
      // errors.ts and the registry it imports, compiled into each copy's own folder.
      const compiled = ['errors', 'error-registry'].map((module) => ({
        module,
        text: ts.transpileModule(readFileSync(join(ROOT, `src/core/${module}.ts`), 'utf8'), {
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
        }).outputText,
      }));
      writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
      const copies: (typeof Errors)[] = [];
      for (const name of ['auth', 'verify']) {
        mkdirSync(join(dir, name));
        for (const { module, text } of compiled)
          writeFileSync(join(dir, name, `${module}.js`), text);
        const file = join(dir, name, 'errors.js');
        copies.push((await import(pathToFileURL(file).href)) as typeof Errors);
      }
      const [a, b] = copies as [typeof Errors, typeof Errors];
      assert.notEqual(a.TesseraError, b.TesseraError, 'two distinct classes');
      const fromA = new a.TesseraError('token_revoked', 'revoked');
      const fromB = new b.TesseraError('jwks_unavailable', 'down');
      assert.equal(b.isTesseraError(fromA), true);
      assert.equal(a.isTesseraError(fromB), true);
      assert.equal(fromA instanceof b.TesseraError, true);
      assert.equal(fromB instanceof a.TesseraError, true);
      assert.equal(fromA instanceof TesseraError, true, 'and the source copy');
      assert.equal(isTesseraError(fromB), true);

      // Nothing else passes: not an Error with a code, not a look-alike object.
      for (const other of [
        new Error('x'),
        Object.assign(new Error('x'), { code: 'token_revoked', status: 401, name: 'TesseraError' }),
        { code: 'token_revoked' },
        null,
        'TesseraError',
      ]) {
        assert.equal(a.isTesseraError(other), false);
        assert.equal(other instanceof a.TesseraError, false);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('subclasses keep the ordinary instanceof check', () => {
    const error = new HttpStatusError('jwks_unavailable', 'https://auth.example.com/jwks', 502);
    assert.equal(error instanceof HttpStatusError, true);
    assert.equal(error instanceof TesseraError, true);
    assert.equal(new TesseraError('internal', 'x') instanceof HttpStatusError, false);
    assert.equal(isTesseraError(error), true);
  });
});
