import { defaultHashBound } from '../core/passwords/hash.js';
import type { Config } from '../config.js';
import type { Policy } from '../core/policy.js';

/** One minute in milliseconds. */
const MINUTE_MS = 60_000;

/** Derives the core policy from the validated configuration. */
export function policyFromConfig(config: Config): Policy {
  const loginWindowMs = config.loginWindowMinutes * MINUTE_MS;
  return {
    argon2: {
      memoryKiB: config.argon2MemoryKiB,
      iterations: config.argon2Iterations,
      parallelism: config.argon2Parallelism,
    },
    hashing: {
      concurrency:
        config.hashConcurrency === 0 ? defaultHashBound().concurrency : config.hashConcurrency,
      queue: config.hashQueue,
      nice: config.hashNice,
    },
    session: {
      idleMs: config.sessionIdleMinutes * MINUTE_MS,
      absoluteMs: config.sessionAbsoluteHours * 60 * MINUTE_MS,
      touchMs: config.sessionTouchSeconds * 1000,
    },
    limits: {
      loginPerAccount: { limit: config.loginAccountLimit, windowMs: loginWindowMs },
      loginPerIp: { limit: config.loginIpLimit, windowMs: loginWindowMs },
      signupPerIp: {
        limit: config.signupIpLimit,
        windowMs: config.signupWindowMinutes * MINUTE_MS,
      },
    },
    accounts: { requireVerifiedEmail: config.requireVerifiedEmail },
    audit: { retentionMs: config.auditRetentionDays * 24 * 60 * MINUTE_MS },
    tokens: {
      issuer: config.issuer,
      audience: config.audience,
      firstPartyScopes: [...config.firstPartyScopes],
      passwordTokens: config.passwordTokens,
      accessTtlSeconds: config.accessTokenMinutes * 60,
      clockSkewSeconds: config.clockSkewSeconds,
      refreshLifetimeMs: config.refreshTokenDays * 24 * 60 * MINUTE_MS,
      refreshGraceMs: config.refreshGraceSeconds * 1000,
      alg: config.signingAlg,
      hs256Secret: config.hs256Secret,
      secret: config.secret,
    },
  };
}
