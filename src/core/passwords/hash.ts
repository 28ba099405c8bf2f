/**
 * argon2id password hashing through @node-rs/argon2, which runs each hash on the libuv thread
 * pool, off the event loop. Parameters come from configuration (OWASP's 19 MiB / 2 iterations /
 * 1 lane by default); a stored hash made with other parameters is re-hashed at the next login.
 */
import { hash, verify } from '@node-rs/argon2';

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

/** Hashes a (normalized) password into a PHC string. */
export function hashPassword(password: string, params: Argon2Params): Promise<string> {
  return hash(password, {
    algorithm: ARGON2ID,
    memoryCost: params.memoryKiB,
    timeCost: params.iterations,
    parallelism: params.parallelism,
  });
}

/** Checks a password against a PHC string; false (never a throw) for a malformed hash. */
export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  try {
    return await verify(phc, password);
  } catch {
    return false;
  }
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
