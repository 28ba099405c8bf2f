import type { Stores } from '../ports.js';
import { createMemoryRateLimitStore } from './rate-limits.js';
import { createMemorySessionStore } from './sessions.js';
import { createMemoryUserStore } from './users.js';

/** Every store in process memory: for tests, and the reference the contract suite describes. */
export function createMemoryStores(): Stores {
  return {
    users: createMemoryUserStore(),
    sessions: createMemorySessionStore(),
    rateLimits: createMemoryRateLimitStore(),
    async ping() {},
    async close() {},
  };
}
