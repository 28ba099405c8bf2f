import type { RateLimitHit, RateLimitStore } from '../ports.js';

/** An in-memory RateLimitStore: the reference semantics every other adapter must match. */
export function createMemoryRateLimitStore(): RateLimitStore {
  const windows = new Map<string, RateLimitHit>();

  return {
    async hit(key, windowMs, now) {
      const current = windows.get(key);
      // A window ends at resetAt itself, so a hit at exactly resetAt opens the next one.
      const next: RateLimitHit =
        current === undefined || current.resetAt <= now
          ? { count: 1, resetAt: now + windowMs }
          : { count: current.count + 1, resetAt: current.resetAt };
      windows.set(key, next);
      return { ...next };
    },

    async reset(key) {
      windows.delete(key);
    },

    async deleteExpired(now) {
      let removed = 0;
      for (const [key, window] of windows) {
        if (window.resetAt <= now) {
          windows.delete(key);
          removed += 1;
        }
      }
      return removed;
    },
  };
}
