/**
 * argon2id password hashing through @node-rs/argon2. Parameters come from configuration
 * (OWASP's 19 MiB / 2 iterations / 1 lane by default); a stored hash made with other parameters
 * is re-hashed at the next login.
 *
 * Where the work runs: not on libuv's thread pool (where @node-rs/argon2's async `hash`/`verify`
 * would put it, at the event loop's priority), but on a few worker threads that lower their own
 * OS priority (hash-pool.ts; nice 10 by default, TESSERA_HASH_NICE), so the event loop — every
 * other request — wins the CPU when both want it. Every hash and verification also goes through
 * one process-wide semaphore, by default cores − 1 at once with a short queue; past it, `busy`
 * (503). The pool has as many workers as the semaphore lets hashes run, up to the core count. argon2's own
 * `parallelism` is no help and keeps its default of 1: the argon2 crate is built with its
 * `parallel` feature (node-rs packages/argon2/Cargo.toml), so p > 1 computes the lanes on rayon
 * threads — one admitted hash would then use up to p cores and the bound would count hashes, not
 * cores — and the lane count is part of the stored hash.
 */
import { availableParallelism } from 'node:os';
import { Semaphore, type Bound } from '../limits/semaphore.js';
import { HashPool } from './hash-pool.js';
import type { ThreadPriority } from './hash-protocol.js';

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

/** The nice value of the hashing threads unless configured: well below the event loop. */
export const DEFAULT_HASH_NICE = 10;

/** The hashing bound, and the nice value (0–19) its threads run at; absent: DEFAULT_HASH_NICE. */
export interface HashingBound extends Bound {
  nice?: number;
}

/** The default bound: one core kept for the event loop, so protected requests stay fast. */
export function defaultHashBound(): Bound {
  return { concurrency: Math.max(1, availableParallelism() - 1), queue: DEFAULT_HASH_QUEUE };
}

/**
 * Workers for `concurrency` admitted hashes: never more than the cores, since argon2 is CPU-bound
 * and each worker is a V8 isolate plus up to one hash's memory (19 MiB at OWASP's parameters).
 * Admitted hashes beyond it wait in the pool, as they waited for libuv's 4 threads before.
 */
function poolSize(concurrency: number): number {
  return Math.max(1, Math.min(concurrency, availableParallelism()));
}

let gate = new Semaphore(defaultHashBound());
let pool = new HashPool({ size: poolSize(gate.bound.concurrency), nice: DEFAULT_HASH_NICE });

/**
 * Sets the process-wide bound on concurrent hashes and their threads' nice value (createTessera
 * calls it with the policy's). Hashes already admitted finish under the old bound; the workers
 * are replaced only when their number or nice value changes.
 */
export function boundHashing(bound: HashingBound): void {
  gate = new Semaphore({ concurrency: bound.concurrency, queue: bound.queue });
  const nice = bound.nice ?? DEFAULT_HASH_NICE;
  const size = poolSize(bound.concurrency);
  if (pool.size === size && pool.nice === nice) return;
  pool.close();
  pool = new HashPool({ size, nice });
}

/**
 * The nice value the hashing threads run at, or why they could not lower it; starts one worker
 * if none runs yet. Meant for the server's start log (nothing is logged per hash).
 */
export function hashingPriority(): Promise<ThreadPriority> {
  return pool.priority();
}

/** The process-wide hashing semaphore (tests look at its counters). */
export function hashGate(): Semaphore {
  return gate;
}

/** Hashes a (normalized) password into a PHC string; `busy` (503) when the queue is full. */
export function hashPassword(password: string, params: Argon2Params): Promise<string> {
  return gate.run(() =>
    pool.hash(password, {
      memoryCost: params.memoryKiB,
      timeCost: params.iterations,
      parallelism: params.parallelism,
    }),
  );
}

/**
 * Checks a password against a PHC string; false for a malformed hash, `busy` (503) when the queue
 * is full, `internal` only when a hashing worker died.
 */
export function verifyPassword(phc: string, password: string): Promise<boolean> {
  return gate.run(() => pool.verify(phc, password));
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
