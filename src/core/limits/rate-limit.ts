import { TesseraError } from '../errors.js';
import type { RateLimitStore } from '../../stores/ports.js';

/** One limit: at most `limit` hits per `windowMs`. */
export interface Limit {
  limit: number;
  windowMs: number;
}

/**
 * Counts a hit against `key` and throws `rate_limited` (429, with the seconds until the window
 * ends) once the count passes the limit. The store increments atomically, so concurrent requests
 * cannot all slip in under the limit.
 */
export async function consume(
  store: RateLimitStore,
  key: string,
  { limit, windowMs }: Limit,
  now: number,
): Promise<void> {
  const { count, resetAt } = await store.hit(key, windowMs, now);
  if (count > limit) {
    throw new TesseraError('rate_limited', 'too many attempts; try again later', {
      retryAfterSeconds: Math.max(1, Math.ceil((resetAt - now) / 1000)),
    });
  }
}
