import { Kysely, SqliteDialect, type Dialect, type PostgresPool } from 'kysely';
import { Pool, TypeOverrides, types } from 'pg';
import { TesseraError } from '../../core/errors.js';
import type { Database } from './database.js';
import type { SqlCapabilities } from './dialects/capabilities.js';
import { postgresCapabilities } from './dialects/postgres.js';
import { sqliteCapabilities } from './dialects/sqlite.js';
import { ScopedPostgresDialect } from './postgres-introspector.js';
import { loadSqliteDriver, sqliteDriverChoice, type SqliteDriverChoice } from './sqlite-driver.js';

/** How to reach the SQL database. */
export interface SqlStoreOptions {
  /** `sqlite:<path>`, `sqlite::memory:`, or a `postgres://` / `postgresql://` connection URL. */
  url: string;
  /** PostgreSQL only: the schema to create (if missing) and use, in lower case. */
  schema?: string;
  /** PostgreSQL only: the most connections the pool opens (default 10). */
  maxConnections?: number;
  /** PostgreSQL only: how long to wait for a connection before giving up (default 5000 ms). */
  connectTimeoutMs?: number;
  /** SQLite only: how long a write waits for another process's lock (default 5000 ms). */
  busyTimeoutMs?: number;
  /** SQLite only: the driver (default: TESSERA_SQLITE_DRIVER, else `auto`); see sqlite-driver.ts. */
  sqliteDriver?: SqliteDriverChoice;
}

/** A Kysely instance and what the dialect behind it can do (chosen here, once). */
export interface SqlConnection {
  db: Kysely<Database>;
  dialect: SqlCapabilities;
}

// Lower case only: search_path folds unquoted names to lower case while Kysely quotes them, so a
// mixed-case name would put the tables and Kysely's bookkeeping in two different schemas.
const schemaName = /^[a-z_][a-z0-9_]{0,62}$/;

/** Opens the database `options.url` names; PostgreSQL connects lazily, on the first query. */
export function openDatabase(options: SqlStoreOptions): SqlConnection {
  const { url } = options;
  if (url.startsWith('sqlite:')) {
    if (options.schema !== undefined) {
      throw new TypeError('the schema option applies to PostgreSQL only');
    }
    const db = new Kysely<Database>({ dialect: sqliteDialect(url, options) });
    return { db, dialect: sqliteCapabilities };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    if (options.schema !== undefined && !schemaName.test(options.schema)) {
      throw new TypeError('the schema option must match /^[a-z_][a-z0-9_]{0,62}$/');
    }
    if (options.sqliteDriver !== undefined) {
      throw new TypeError('the sqliteDriver option applies to SQLite only');
    }
    const db = new Kysely<Database>({ dialect: postgresDialect(url, options) });
    return { db, dialect: postgresCapabilities };
  }
  // The URL is not echoed: a mistyped one can still carry a password.
  throw new TypeError('the database url must start with sqlite:, postgres:// or postgresql://');
}

function sqliteDialect(url: string, options: SqlStoreOptions): Dialect {
  const path = url.slice('sqlite:'.length);
  if (path === '') throw new TypeError('the sqlite: url needs a file path or :memory:');
  // Checked now, so a wrong value fails here; the driver itself loads with the first query.
  const choice = sqliteDriverChoice(options.sqliteDriver);
  const busyTimeoutMs = Math.trunc(options.busyTimeoutMs ?? 5000);
  return new SqliteDialect({
    database: async () => {
      const database = (await loadSqliteDriver(choice)).open(path);
      try {
        // First, so that switching to WAL below also waits out another process's lock.
        database.exec(`pragma busy_timeout = ${busyTimeoutMs}`);
        // WAL lets readers run beside the writer; FULL (not NORMAL) because in WAL mode NORMAL
        // can lose the last commits on power loss, and a lost revocation or password change is
        // a breach.
        database.exec('pragma journal_mode = WAL');
        database.exec('pragma synchronous = FULL');
      } catch (error) {
        database.close();
        throw error;
      }
      return database;
    },
  });
}

function postgresDialect(url: string, options: SqlStoreOptions): Dialect {
  // Per pool, not on the global pg.types, so an application embedding Tessera keeps its own
  // parsers. int8 holds millisecond times, exact as a JS number up to the largest Date.
  const typeParsers = new TypeOverrides();
  typeParsers.setTypeParser(types.builtins.INT8, Number);
  const pool = new Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    application_name: 'tessera',
    types: typeParsers,
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
  // An idle client whose server went away is reported here; without a listener Node would crash
  // the process. The pool drops that client and the next query meets the failure instead.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    // A checked-out client whose server dies emits 'error' too; unheard, that crashes the process.
    client.on('error', () => {});
    // Failures of the connection itself during a query are the store being away (503), not a
    // bug (500): map them, and let every other database error through unchanged. Done once per
    // connection, when the pool opens it, not on every checkout of a reused client.
    const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
    (client as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = async (
      ...args: unknown[]
    ) => {
      try {
        return await query(...args);
      } catch (cause) {
        throw isConnectionFailure(cause) ? databaseUnavailable(cause) : cause;
      }
    };
  });
  const guarded: PostgresPool = {
    async connect() {
      try {
        return await pool.connect();
      } catch (cause) {
        throw databaseUnavailable(cause);
      }
    },
    end: () => pool.end(),
  };
  return new ScopedPostgresDialect({ pool: guarded });
}

/**
 * True for errors that mean the database connection is gone: SQLSTATE class 08 (connection
 * exception), 57P01–57P03 (shutdown, crash, cannot connect now), and pg's own messages for a
 * socket closed under it.
 */
export function isConnectionFailure(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (code.startsWith('08') || /^57P0[123]$/.test(code))) return true;
  if (
    typeof code === 'string' &&
    ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT'].includes(code)
  )
    return true;
  return (
    typeof message === 'string' &&
    /Connection terminated|connection (?:is )?closed|terminating connection/i.test(message)
  );
}

/**
 * The error callers see when the database cannot be reached (a 503), with the driver's error
 * kept as `cause` for the logs and never shown to a client.
 */
export function databaseUnavailable(cause: unknown): TesseraError {
  if (cause instanceof TesseraError) return cause;
  const error = new TesseraError('store_unavailable', 'the database did not answer');
  error.cause = cause;
  return error;
}
