/**
 * argon2id password hashing through @node-rs/argon2. Parameters come from configuration
 * (OWASP's 19 MiB / 2 iterations / 1 lane by default); a stored hash made with other parameters
 * is re-hashed at the next login.
 *
 * Where the work runs: @node-rs/argon2's async `hash`/`verify` return a napi-rs `AsyncTask`,
 * which is `napi_queue_async_work`, i.e. the libuv thread pool (UV_THREADPOOL_SIZE, 4 by
 * default), not threads of its own. So on 2 cores a burst of sign-ins runs 4 hashes at once and
 * leaves the event loop (every other request) a fraction of a core. Every hash and verification
 * therefore goes through one process-wide semaphore (the pool is process-wide too), by default
 * cores − 1 at once with a short queue; past it, `busy` (503). argon2's own `parallelism` is no
 * help and keeps its default of 1: the argon2 crate is built with its `parallel` feature
 * (node-rs packages/argon2/Cargo.toml), so p > 1 computes the lanes on rayon threads outside the
 * libuv pool — one admitted hash would then use up to p cores and the bound would count hashes,
 * not cores — and the lane count is part of the stored hash.
 */
import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import { Semaphore, type Bound } from '../limits/semaphore.js';

// @node-rs/argon2 declares `Algorithm` as an ambient const enum, which isolated modules cannot
// read; 2 is its Argon2id member.
const ARGON2ID = 2;

/** argon2id cost parameters. */
export interface Argon2Params {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

/** OWASP Password Storage Cheat Sheet, argon2id first option. */
export const OWASP_ARGON2: Argon2Params = { memoryKiB: 19456, iterations: 2, parallelism: 1 };

/** Waiting hashes beyond the running ones before `busy`: ~1 s of work on 2 cores at 70 ms each. */
export const DEFAULT_HASH_QUEUE = 32;

/** The default bound: one core kept for the event loop, so protected requests stay fast. */
export function defaultHashBound(): Bound {
  return { concurrency: Math.max(1, availableParallelism() - 1), queue: DEFAULT_HASH_QUEUE };
}

let gate = new Semaphore(defaultHashBound());

/**
 * Sets the process-wide bound on concurrent hashes (createTessera calls it with the policy's).
 * Hashes already admitted finish under the old bound.
 */
export function boundHashing(bound: Bound): void {
  gate = new Semaphore(bound);
}

/** The process-wide hashing semaphore (tests look at its counters). */
export function hashGate(): Semaphore {
  return gate;
}

/** Hashes a (normalized) password into a PHC string; `busy` (503) when the queue is full. */
export function hashPassword(password: string, params: Argon2Params): Promise<string> {
  return gate.run(() =>
    hash(password, {
      algorithm: ARGON2ID,
      memoryCost: params.memoryKiB,
      timeCost: params.iterations,
      parallelism: params.parallelism,
    }),
  );
}

/**
 * Checks a password against a PHC string; false (never a throw) for a malformed hash, `busy`
 * (503) when the queue is full.
 */
export function verifyPassword(phc: string, password: string): Promise<boolean> {
  return gate.run(async () => {
    try {
      return await verify(phc, password);
    } catch {
      return false;
    }
  });
}

/** True when `phc` was not made with argon2id at exactly `params`, so it should be re-hashed. */
export function needsRehash(phc: string, params: Argon2Params): boolean {
  const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(phc);
  if (!match) return true;
  const [, m, t, p] = match;
  return (
    Number(m) !== params.memoryKiB ||
    Number(t) !== params.iterations ||
    Number(p) !== params.parallelism
  );
}
