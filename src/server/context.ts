import type { Config } from '../config.js';
import type { Core } from '../core/tessera.js';
import type { CredentialCookie } from './plugins/cookies.js';
import type { authenticators } from './plugins/auth.js';

/** What every route module is given: the core, the configuration and the auth pre-handlers. */
export interface RouteContext {
  core: Core;
  config: Config;
  cookie: CredentialCookie;
  refreshCookie: CredentialCookie;
  auth: ReturnType<typeof authenticators>;
}
