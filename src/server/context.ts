import type { Config } from '../config.js';
import type { Core } from '../core/tessera.js';
import type { SessionCookie } from './plugins/cookies.js';
import type { sessionAuth } from './plugins/session-auth.js';

/** What every route module is given: the core, the configuration and the auth pre-handlers. */
export interface RouteContext {
  core: Core;
  config: Config;
  cookie: SessionCookie;
  auth: ReturnType<typeof sessionAuth>;
}
