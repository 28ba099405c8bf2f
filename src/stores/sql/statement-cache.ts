/**
 * Prepared statements reused by SQL text, for both SQLite drivers (better-sqlite3 and
 * node:sqlite). Kysely prepares every query anew; compiling the same SQL on each request was a
 * tenth of the session and bearer checks' CPU time in a profile (bench/results/profile.md).
 * The oldest statements go past the bound.
 */
const STATEMENT_CACHE_SIZE = 256;

/**
 * `prepare`, remembering each SQL text's statement. A held statement that is not `reusable` at
 * the moment (better-sqlite3's, still iterating) is not handed out twice: that caller gets a
 * fresh one.
 */
export function statementCache<S>(
  prepare: (sql: string) => S,
  reusable: (statement: S) => boolean = () => true,
): (sql: string) => S {
  const cache = new Map<string, S>();
  return (sql) => {
    const held = cache.get(sql);
    if (held !== undefined && reusable(held)) return held;
    const statement = prepare(sql);
    if (held === undefined) {
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      cache.set(sql, statement);
    }
    return statement;
  };
}
