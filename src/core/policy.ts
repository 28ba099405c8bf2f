import type { SigningAlgorithm } from './keys/algorithms.js';
import type { Argon2Params, HashingBound } from './passwords/hash.js';
import type { Limit } from './limits/rate-limit.js';

/**
 * The numbers the core rules run on. The core takes them as they are; the server and the CLI
 * derive them from configuration (server/policy.ts), so the core never reads a Config.
 */
export interface Policy {
  argon2: Argon2Params;
  /**
   * Hashes at once and waiting, process-wide, and their threads' nice value (passwords/hash.ts);
   * absent: cores − 1, 32 and nice 10.
   */
  hashing?: HashingBound;
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
  /** Account rules; absent means the defaults (no verified email needed). */
  accounts?: {
    /** Refuse sign-in (`email_unverified`) until the email is verified. */
    requireVerifiedEmail: boolean;
  };
  tokens: {
    issuer: string;
    audience: string;
    firstPartyScopes: string[];
    /** Whether /auth/token may trade a password for tokens (first-party apps only). */
    passwordTokens: boolean;
    accessTtlSeconds: number;
    clockSkewSeconds: number;
    refreshLifetimeMs: number;
    refreshGraceMs: number;
    alg: SigningAlgorithm;
    hs256Secret: string | undefined;
    /** Encrypts private keys at rest. */
    secret: string | undefined;
  };
  /** The audit log; absent: events are kept 90 days. */
  audit?: {
    /** Events older than this are deleted by the sweep. */
    retentionMs: number;
  };
}
