/**
 * Node's built-in `node:sqlite` (`DatabaseSync`, Node 22.13+ and 24) as the database Kysely's
 * `SqliteDialect` expects, which is shaped after better-sqlite3. Nothing to build or download.
 */
import { statementCache } from './statement-cache.js';
import type { SqliteStatement } from 'kysely';
import type { SqliteHandle, SqliteOpenOptions } from './sqlite-driver.js';

// The part of node:sqlite used here, declared because @types/node 20 has no node:sqlite types.
interface StatementSync {
  columns(): unknown[];
  all(...parameters: unknown[]): unknown[];
  iterate(...parameters: unknown[]): Iterable<unknown>;
  run(...parameters: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
}
interface DatabaseSync {
  prepare(sql: string): StatementSync;
  exec(sql: string): void;
  close(): void;
}
interface NodeSqlite {
  DatabaseSync: new (path: string, options?: { readOnly?: boolean }) => DatabaseSync;
}

// A variable, not a literal, so that TypeScript does not look for types @types/node 20 lacks.
const specifier = 'node:sqlite';
const sqliteWarning = 'SQLite is an experimental feature';

/**
 * Imports node:sqlite. Node 22 prints an ExperimentalWarning when it loads; the API used here is
 * the part that is the same on 22 and 24 and is tested on both, so that one warning is noise to
 * an operator. It alone is dropped: any other warning emitted meanwhile passes through.
 */
export async function importNodeSqlite(): Promise<NodeSqlite> {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (warning: string | Error, ...rest: unknown[]): void {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: unknown })?.type;
    const message = typeof warning === 'string' ? warning : warning.message;
    if (type === 'ExperimentalWarning' && message.startsWith(sqliteWarning)) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return (await import(specifier)) as NodeSqlite;
  } finally {
    process.emitWarning = emitWarning;
  }
}

// node:sqlite rows have a null prototype; better-sqlite3's are plain objects. Copying makes both
// drivers return the same values, so deepStrictEqual and anything else that looks at the
// prototype cannot tell them apart.
function plain(row: unknown): unknown {
  return { ...(row as object) };
}

function* plainRows(rows: Iterable<unknown>): IterableIterator<unknown> {
  for (const row of rows) yield plain(row);
}

function statement(database: DatabaseSync, sql: string): SqliteStatement {
  const prepared = database.prepare(sql);
  return {
    // better-sqlite3's `reader`: the statement returns rows (select, pragma, `returning`). A
    // statement with result columns is exactly that, and Kysely then reads them with all().
    reader: prepared.columns().length > 0,
    all: (parameters) => prepared.all(...parameters).map(plain),
    run: (parameters) => prepared.run(...parameters),
    // An iteration can outlive the call, and running the statement again would reset it: each
    // one gets a statement of its own (all() and run() finish before they return).
    iterate: (parameters) => plainRows(database.prepare(sql).iterate(...parameters)),
  };
}

/** Opens `path` (or `:memory:`) with node:sqlite, shaped as Kysely's SQLite database. */
export function openNodeSqlite(
  module: NodeSqlite,
  path: string,
  options: SqliteOpenOptions = {},
): SqliteHandle {
  const database = new module.DatabaseSync(path, { readOnly: options.readonly ?? false });
  return {
    prepare: statementCache((sql) => statement(database, sql)),
    exec: (sql) => database.exec(sql),
    close: () => database.close(),
  };
}
