import type { Config } from '../config.js';
import type { Argon2Params } from './passwords/hash.js';
import type { Limit } from './limits/rate-limit.js';

/** The numbers the core rules run on, derived once from configuration. */
export interface Policy {
  argon2: Argon2Params;
  session: {
    /** A session unused this long ends. */
    idleMs: number;
    /** A session ends this long after it began, whatever the activity. */
    absoluteMs: number;
    /** Last-seen is written at most this often. */
    touchMs: number;
  };
  limits: {
    loginPerAccount: Limit;
    loginPerIp: Limit;
    signupPerIp: Limit;
  };
  tokens: {
    issuer: string;
    audience: string;
    firstPartyScopes: string[];
    accessTtlSeconds: number;
    clockSkewSeconds: number;
    refreshLifetimeMs: number;
    refreshGraceMs: number;
    alg: Config['signingAlg'];
    hs256Secret: string | undefined;
    /** Encrypts private keys at rest. */
    secret: string | undefined;
  };
}

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
      firstPartyScopes: config.firstPartyScopes,
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
