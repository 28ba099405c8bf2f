import { Accounts } from './accounts/accounts.js';
import { policyFromConfig } from './policy.js';
import { Sessions } from './sessions/sessions.js';
import type { Config } from '../config.js';
import type { Clock } from './clock.js';
import type { CoreDeps } from './deps.js';
import type { Policy } from './policy.js';
import type { Stores } from '../stores/ports.js';

/** The core services, wired to one set of stores, one clock and one policy. */
export interface Core {
  deps: CoreDeps;
  accounts: Accounts;
  sessions: Sessions;
}

/** Builds the core over `stores`; the policy comes from `config` unless given. */
export function createCore(options: {
  stores: Stores;
  clock: Clock;
  config: Config;
  policy?: Policy;
}): Core {
  const deps: CoreDeps = {
    stores: options.stores,
    clock: options.clock,
    policy: options.policy ?? policyFromConfig(options.config),
  };
  return { deps, accounts: new Accounts(deps), sessions: new Sessions(deps) };
}
