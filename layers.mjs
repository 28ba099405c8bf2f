// The layer map of src/, written once: eslint.config.js turns it into no-restricted-imports
// rules, and the README's "Layout" section explains it. Data flows HTTP → core → stores, so
// imports point down: a layer imports itself and the layers in its `imports`, nothing else.
import { readdirSync } from 'node:fs';
import { posix } from 'node:path';

const sql = ['kysely', 'pg', 'better-sqlite3'];
// What the verifier toolkit and the pure parts may name only in types: a microservice that
// verifies tokens must not load a Redis client or compile SQLite unless it asked for them.
const ioredisTypesOnly = {
  name: 'ioredis',
  allowTypeImports: true,
  message: 'Load ioredis lazily with import() (redis-connect/open.ts); import only its types.',
};

/**
 * Each layer owns paths under src/ (a folder ends with '/', a file is named without its
 * extension; the most specific path wins), may import the layers in `imports`, and may not
 * import the packages in `packages` (an entry with allowTypeImports still allows their types).
 * Listed lowest first.
 */
export const layers = {
  // The parts of core the verifier toolkit shares: errors, time, randomness, JOSE, the feed's
  // wire format. No store, no I/O.
  base: {
    paths: [
      'core/errors',
      'core/error-registry',
      'core/error-docs',
      'core/clock',
      'core/random',
      'core/csrf',
      'core/tokens/',
      'core/keys/algorithms',
      'core/keys/jwk',
      'core/keys/key',
      'core/keys/key-set',
      'core/keys/key-strength',
      'core/revocation/wire',
      // The in-memory revocation list: the toolkit's verifier and the server's bearer check.
      'core/revocation/state',
      'core/revocation/expiry-heap',
    ],
    imports: [],
    packages: [...sql, 'fastify', 'ioredis'],
  },
  // Redis URLs and connections, for the stores and the verifiers alike.
  'redis-connect': {
    paths: ['redis-connect/'],
    imports: ['base'],
    packages: [...sql, ioredisTypesOnly],
  },
  // The store interfaces.
  ports: { paths: ['stores/ports'], imports: ['base'], packages: [...sql, 'fastify', 'ioredis'] },
  // The rules, over the ports.
  core: { paths: ['core/'], imports: ['base', 'ports'], packages: [...sql, 'fastify', 'ioredis'] },
  // The adapters: memory, SQL, Redis.
  stores: { paths: ['stores/'], imports: ['base', 'ports', 'redis-connect'], packages: [] },
  // The resource-server toolkit.
  verify: {
    paths: ['verify/'],
    imports: ['base', 'redis-connect'],
    packages: [...sql, ioredisTypesOnly],
  },
  middleware: {
    paths: ['middleware/'],
    imports: ['base', 'verify'],
    packages: [...sql, ioredisTypesOnly],
  },
  config: {
    paths: ['config'],
    imports: ['base', 'redis-connect'],
    packages: [...sql, ioredisTypesOnly],
  },
  // The hosted pages: preact components that render what the server hands them. They name the
  // core's records only as types, and know nothing of HTTP or stores.
  web: {
    paths: ['web/'],
    imports: ['base', 'ports', 'core'],
    packages: [...sql, 'fastify', 'ioredis'],
  },
  server: {
    paths: ['server/'],
    imports: ['base', 'redis-connect', 'ports', 'core', 'stores', 'verify', 'config', 'web'],
    packages: [],
  },
  cli: {
    paths: ['cli/'],
    imports: ['base', 'redis-connect', 'ports', 'core', 'stores', 'verify', 'config', 'server'],
    packages: [],
  },
  // The public entry point re-exports from anywhere.
  entry: { paths: ['index'], imports: ['*'], packages: [] },
};

/** The layer of a path under src/ (without extension): the most specific matching path. */
export function layerOf(path) {
  const layer = findLayer(path);
  if (layer === undefined) throw new Error(`layers.mjs: src/${path} belongs to no layer`);
  return layer;
}

function findLayer(path) {
  let best;
  for (const [name, layer] of Object.entries(layers)) {
    for (const owned of layer.paths) {
      const match = owned.endsWith('/') ? path.startsWith(owned) : path === owned;
      if (match && (best === undefined || owned.length > best.owned.length)) {
        best = { name, owned };
      }
    }
  }
  return best?.name;
}

function sourceFiles(root) {
  return readdirSync(root, { recursive: true })
    .map((file) => String(file).split('\\').join('/'))
    .filter((file) => /\.tsx?$/.test(file) && !file.endsWith('.d.ts'))
    .map((file) => file.replace(/\.tsx?$/, ''));
}

function mayImport(from, to) {
  const allowed = layers[from].imports;
  return from === to || allowed.includes('*') || allowed.includes(to);
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The no-restricted-imports options for a file of `layer` in `dir` (both under src/). */
function restrictions(files, layer, dir) {
  const forbidden = new Map();
  for (const file of files) {
    const target = layerOf(file);
    if (mayImport(layer, target)) continue;
    const relative = posix.relative(dir, file);
    const specifier = relative.startsWith('.') ? relative : `./${relative}`;
    forbidden.set(target, [...(forbidden.get(target) ?? []), escape(specifier)]);
  }
  const patterns = [...forbidden].map(([target, specifiers]) => ({
    regex: `^(?:${specifiers.join('|')})(?:\\.[cm]?[jt]s)?$`,
    message: `the ${layer} layer may not import the ${target} layer: dependencies point one way (layers.mjs: ${layer} imports only ${[layer, ...layers[layer].imports].join(', ')}).`,
  }));
  const paths = layers[layer].packages.map((entry) =>
    typeof entry === 'string'
      ? { name: entry, message: `the ${layer} layer does not use ${entry} (layers.mjs).` }
      : entry,
  );
  return { paths, patterns };
}

/**
 * ESLint config objects enforcing the map on `root` (src): one per folder, since a relative
 * import reads differently from each, and one per file the map places in another layer.
 */
export function layerRules(root = 'src') {
  const files = sourceFiles(root);
  const rule = (layer, dir) => ({
    '@typescript-eslint/no-restricted-imports': ['error', restrictions(files, layer, dir)],
  });
  // A new file takes its folder's layer; the files the map places elsewhere get their own.
  const folderLayer = (dir) => (dir === '.' ? undefined : findLayer(`${dir}/*`));
  const dirs = [...new Set(files.map((file) => posix.dirname(file)))];
  const configs = dirs
    .filter((dir) => folderLayer(dir) !== undefined)
    .map((dir) => ({ files: [`${root}/${dir}/*.{ts,tsx}`], rules: rule(folderLayer(dir), dir) }));
  for (const file of files) {
    const dir = posix.dirname(file);
    const layer = layerOf(file);
    if (layer !== folderLayer(dir)) {
      configs.push({ files: [`${root}/${file}.{ts,tsx}`], rules: rule(layer, dir) });
    }
  }
  return configs;
}
