import type { Stores } from '../ports.js';
import { createMemoryAuditStore } from './audit.js';
import { createMemoryAuthorizationCodeStore } from './authorization-codes.js';
import { createMemoryClientStore } from './clients.js';
import { createMemoryConsentStore } from './consents.js';
import { createMemoryOneTimeTokenStore } from './one-time-tokens.js';
import { createMemoryRateLimitStore } from './rate-limits.js';
import { createMemoryRefreshFamilyStore } from './refresh-families.js';
import { createMemoryRevocationStore } from './revocations.js';
import { createMemorySessionStore } from './sessions.js';
import { createMemorySigningKeyStore } from './signing-keys.js';
import { createMemoryUserStore } from './users.js';

/** Every store in process memory: for tests, and the reference the contract suite describes. */
export function createMemoryStores(): Stores {
  return {
    users: createMemoryUserStore(),
    sessions: createMemorySessionStore(),
    rateLimits: createMemoryRateLimitStore(),
    signingKeys: createMemorySigningKeyStore(),
    clients: createMemoryClientStore(),
    refreshFamilies: createMemoryRefreshFamilyStore(),
    revocations: createMemoryRevocationStore(),
    consents: createMemoryConsentStore(),
    authorizationCodes: createMemoryAuthorizationCodeStore(),
    audit: createMemoryAuditStore(),
    oneTimeTokens: createMemoryOneTimeTokenStore(),
    async ping() {},
    async close() {},
  };
}
