/**
 * The one place that picks the SQLite driver behind Kysely's `SqliteDialect`: Node's built-in
 * `node:sqlite` where the runtime has it (Node 22.13+, 24), better-sqlite3 — an optional
 * dependency, built from source — on Node 20. Each is loaded with a dynamic import, so Node 20
 * never asks for node:sqlite and Node 22/24 never load a native module built for another ABI.
 */
import { isBuiltin } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';
import { importNodeSqlite, openNodeSqlite } from './sqlite-node.js';
import { statementCache } from './statement-cache.js';

/** The SQLite drivers Tessera can run on. */
export type SqliteDriverName = 'node' | 'better-sqlite3';

/** Which driver to use: `auto` is node:sqlite where the runtime has it, else better-sqlite3. */
export type SqliteDriverChoice = 'auto' | SqliteDriverName;

/** The environment variable that overrides the choice for a whole process (tests, operators). */
export const SQLITE_DRIVER_ENV = 'TESSERA_SQLITE_DRIVER';

const choices: readonly SqliteDriverChoice[] = ['auto', 'node', 'better-sqlite3'];

/** How to open a database file. */
export interface SqliteOpenOptions {
  /** Open without write access (and without creating the file). */
  readonly?: boolean;
}

/** An open database: what Kysely needs, and `exec` for pragmas. */
export interface SqliteHandle extends SqliteDatabase {
  /** Runs one or more statements, discarding any rows. */
  exec(sql: string): void;
}

/** A loaded driver: which one it is and how it opens a database. */
export interface SqliteDriver {
  readonly name: SqliteDriverName;
  /** Opens `path`, or `:memory:`, creating the file unless read-only. */
  open(path: string, options?: SqliteOpenOptions): SqliteHandle;
}

/**
 * The driver choice `requested` names, else the one TESSERA_SQLITE_DRIVER names, else `auto`;
 * throws a TypeError naming the accepted values for anything else.
 */
export function sqliteDriverChoice(requested?: string): SqliteDriverChoice {
  const fromEnv = process.env[SQLITE_DRIVER_ENV];
  const value = requested ?? (fromEnv === undefined || fromEnv === '' ? 'auto' : fromEnv);
  if ((choices as readonly string[]).includes(value)) return value as SqliteDriverChoice;
  throw new TypeError(
    `${requested === undefined ? SQLITE_DRIVER_ENV : 'the sqliteDriver option'} must be one of ${choices.join(', ')}`,
  );
}

async function loadNode(): Promise<SqliteDriver> {
  let module: Awaited<ReturnType<typeof importNodeSqlite>>;
  try {
    module = await importNodeSqlite();
  } catch (cause) {
    const message = `node:sqlite is not available on Node ${process.version}: it needs 22.13+ or 24`;
    throw new Error(message, { cause });
  }
  return { name: 'node', open: (path, options) => openNodeSqlite(module, path, options) };
}

async function loadBetterSqlite3(): Promise<SqliteDriver> {
  let Database: typeof BetterSqlite3;
  try {
    ({ default: Database } = await import('better-sqlite3'));
    // The native binding loads with the first database: open one now, so that a binding built
    // for another Node version fails here, with the advice below, not at the first query.
    new Database(':memory:').close();
  } catch (cause) {
    throw new Error(
      `better-sqlite3 cannot load on Node ${process.version}: it is an optional dependency built from source (a C++ toolchain, then npm rebuild better-sqlite3); Node 22.13+ and 24 need none, they have node:sqlite`,
      { cause },
    );
  }
  return {
    name: 'better-sqlite3',
    open: (path, options) =>
      withStatementCache(new Database(path, { readonly: options?.readonly ?? false })),
  };
}

/** Reuses the prepared statement of a SQL text already seen (statement-cache.ts). */
function withStatementCache(db: BetterSqlite3.Database): BetterSqlite3.Database {
  db.prepare = statementCache(db.prepare.bind(db), (held) => !held.busy) as typeof db.prepare;
  return db;
}

// Node 22 before 22.13 lists node:sqlite but loads it only behind --experimental-sqlite.
async function loadAuto(): Promise<SqliteDriver> {
  if (isBuiltin('node:sqlite')) {
    try {
      return await loadNode();
    } catch {
      // Fall through to better-sqlite3, whose failure then says what to install.
    }
  }
  return loadBetterSqlite3();
}

const loaded = new Map<SqliteDriverChoice, Promise<SqliteDriver>>();

/** Loads the driver `choice` names, once per process; see `sqliteDriverChoice`. */
export function loadSqliteDriver(
  choice: SqliteDriverChoice = sqliteDriverChoice(),
): Promise<SqliteDriver> {
  let driver = loaded.get(choice);
  if (driver === undefined) {
    driver =
      choice === 'node'
        ? loadNode()
        : choice === 'better-sqlite3'
          ? loadBetterSqlite3()
          : loadAuto();
    // A failed load is not remembered, so a later call reports the failure afresh.
    driver.catch(() => loaded.delete(choice));
    loaded.set(choice, driver);
  }
  return driver;
}
