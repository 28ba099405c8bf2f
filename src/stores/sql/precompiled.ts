/**
 * A query built and compiled once, then run with new parameter values. Kysely builds and compiles
 * a query on every call — parsing references, visiting and freezing the operation tree — which
 * the profile of an uncached session check showed as about 8 % of the request
 * (bench/results/profile.md). Kysely has no prepared-query API, so this is hand-written: the query
 * is compiled with a marker in place of each parameter, and each run swaps the markers for the
 * values. The SQL text never changes, so the driver's cached statement is reused as well.
 */
import type { Compilable, CompiledQuery, Kysely } from 'kysely';

/** Runs the query `build` makes, compiled once; `build` must pass each argument as a value. */
export function precompiled<DB, Args extends readonly unknown[], Row>(
  db: Kysely<DB>,
  arity: Args['length'],
  build: (...args: Args) => Compilable<Row>,
): (...args: Args) => Promise<Row[]> {
  let compiled: CompiledQuery<Row> | undefined;
  let slots: number[] = [];
  return async (...args) => {
    if (compiled === undefined) {
      const markers = Array.from({ length: arity }, (_, i) => `\u0000tessera-parameter-${i}`);
      const query = build(...(markers as unknown as Args)).compile();
      slots = markers.map((marker) => {
        const at = query.parameters.indexOf(marker);
        if (at === -1 || query.parameters.lastIndexOf(marker) !== at)
          throw new Error(
            `precompiled: argument ${marker.slice(-1)} must be used once, as a value`,
          );
        return at;
      });
      compiled = query;
    }
    const parameters = [...compiled.parameters];
    slots.forEach((at, i) => (parameters[at] = args[i]));
    const result = await db.executeQuery<Row>({ ...compiled, parameters });
    return result.rows;
  };
}
