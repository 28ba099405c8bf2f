import type { Audit } from './audit/audit.js';
import type { Clock } from './clock.js';
import type { Policy } from './policy.js';
import type { Stores } from '../stores/ports.js';

/** What every core service is built from: the stores, the time, the policy and the audit log. */
export interface CoreDeps {
  stores: Stores;
  clock: Clock;
  policy: Policy;
  /** Where every service records its security events (core/audit/audit-log.ts). */
  audit: Audit;
}
