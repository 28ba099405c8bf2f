import type { Config } from '../config.js';
import type { Policy } from '../core/policy.js';

/** Derives the core policy from the validated configuration. */
export function policyFromConfig(config: Config): Policy {
  const minutes = 60_000;
  const loginWindow = config.loginWindowMinutes * minutes;
  return {
    argon2: {
      memoryKiB: config.argon2MemoryKiB,
      iterations: config.argon2Iterations,
      parallelism: config.argon2Parallelism,
    },
    session: {
      idleMs: config.sessionIdleMinutes * minutes,
      absoluteMs: config.sessionAbsoluteHours * 60 * minutes,
      touchMs: config.sessionTouchSeconds * 1000,
    },
    limits: {
      loginPerAccount: { limit: config.loginAccountLimit, windowMs: loginWindow },
      loginPerIp: { limit: config.loginIpLimit, windowMs: loginWindow },
      signupPerIp: { limit: config.signupIpLimit, windowMs: config.signupWindowMinutes * minutes },
    },
    tokens: {
      issuer: config.issuer,
      audience: config.audience,
      firstPartyScopes: [...config.firstPartyScopes],
      accessTtlSeconds: config.accessTokenMinutes * 60,
      clockSkewSeconds: config.clockSkewSeconds,
      refreshLifetimeMs: config.refreshTokenDays * 24 * 60 * minutes,
      refreshGraceMs: config.refreshGraceSeconds * 1000,
      alg: config.signingAlg,
      hs256Secret: config.hs256Secret,
      secret: config.secret,
    },
  };
}
