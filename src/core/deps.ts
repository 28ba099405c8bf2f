import type { Clock } from './clock.js';
import type { Policy } from './policy.js';
import type { Stores } from '../stores/ports.js';

/** What every core service is built from: the stores, the time and the policy. */
export interface CoreDeps {
  stores: Stores;
  clock: Clock;
  policy: Policy;
}
