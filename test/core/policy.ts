// The policy core tests run on: the numbers spelled out here, so a test reads against them, and
// argon2 at its smallest cost so hashing stays fast.
import { randomUUID } from 'node:crypto';
import type { Policy } from '../../src/core/policy.js';
import type { Stores } from '../../src/stores/ports.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** A small, explicit policy; `session` and `limits` can be overridden per test. */
export function testPolicy(
  overrides: { session?: Partial<Policy['session']>; limits?: Partial<Policy['limits']> } = {},
): Policy {
  return {
    argon2: { memoryKiB: 1024, iterations: 1, parallelism: 1 },
    session: { idleMs: 30 * MINUTE, absoluteMs: 12 * HOUR, touchMs: MINUTE, ...overrides.session },
    limits: {
      loginPerAccount: { limit: 5, windowMs: 15 * MINUTE },
      loginPerIp: { limit: 50, windowMs: 15 * MINUTE },
      signupPerIp: { limit: 10, windowMs: HOUR },
      ...overrides.limits,
    },
    tokens: {
      issuer: 'https://auth.example.com',
      audience: 'https://api.example.com',
      firstPartyScopes: ['account'],
      passwordTokens: true,
      accessTtlSeconds: 600,
      clockSkewSeconds: 30,
      refreshLifetimeMs: 30 * 24 * HOUR,
      refreshGraceMs: 10_000,
      alg: 'EdDSA',
      hs256Secret: undefined,
      secret: undefined,
    },
  };
}

/** Inserts a user with no password and no cutoff; returns its id. */
export async function insertTestUser(stores: Pick<Stores, 'users'>): Promise<string> {
  const id = randomUUID();
  await stores.users.insert({
    id,
    email: `${id}@example.com`,
    passwordHash: 'x',
    createdAt: 0,
    tokensValidAfter: 0,
    role: 'user',
    disabledAt: null,
    emailVerifiedAt: null,
  });
  return id;
}
