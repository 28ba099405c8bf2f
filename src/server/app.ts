/**
 * The Fastify application over the core. Routes translate HTTP to core calls and back; no
 * business rule lives here.
 */
import cookiePlugin from '@fastify/cookie';
import swaggerPlugin from '@fastify/swagger';
import Fastify, { LogController } from 'fastify';
import { installErrorHandlers } from './plugins/errors.js';
import { clientErrorHandler, frameworkErrors } from './plugins/framework-errors.js';
import { installCors } from './plugins/cors.js';
import { installResponseHeaders } from './plugins/headers.js';
import { installRequestContext } from './plugins/request-context.js';
import { randomId } from '../core/random.js';
import { installMetrics } from './metrics.js';
import { installAdminFigures } from './admin-figures.js';
import { refreshCookie, sessionCookie } from './plugins/cookies.js';
import { authenticators } from './plugins/auth.js';
import { Problem, Session, TokenResponse, User } from './schemas.js';
import { accountRoutes } from './routes/accounts.js';
import { discoveryRoutes } from './routes/discovery.js';
import { meRoutes } from './routes/me.js';
import { oauthRoutes } from './routes/oauth.js';
import { revocationRoutes } from './routes/revocations.js';
import { tokenRoutes } from './routes/tokens.js';
import { userinfoRoutes } from './routes/userinfo.js';
import { opsRoutes } from './routes/ops.js';
import { assetRoutes, pageRoutes } from './routes/pages.js';
import { adminAssetRoutes } from './routes/pages-admin.js';
import { sessionRoutes } from './routes/sessions.js';
import { sessionActivityRoutes } from './routes/session-activity.js';
import type { Config } from '../config.js';
import type { Core } from '../core/tessera.js';
import type { RouteContext } from './context.js';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';

/** What the app is built from. */
export interface AppOptions {
  config: Config;
  core: Core;
  /** A pino logger; silent when absent. */
  logger?: FastifyBaseLogger;
  /**
   * The embedding app's own routes, added to the same Fastify instance before it is made ready,
   * behind the same hooks (request ids, security headers, error mapping) as Tessera's.
   */
  routes?: (app: FastifyInstance) => void | Promise<void>;
}

/**
 * Fastify's `trustProxy` from ours. A hop count becomes the function Fastify itself makes of a
 * number (its types only name the other forms): hop 0 is the TCP peer, so `n` trusts the peer
 * and the n − 1 entries it and its fellow proxies appended, and the client is the next one.
 */
function trustedProxies(
  trust: Config['trustProxy'],
): false | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return trust === false ? false : [...trust]; // the config's list is frozen
}

/** Builds the HTTP application (not yet listening). */
export async function buildApp({
  config,
  core,
  logger,
  routes,
}: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: trustedProxies(config.trustProxy),
    // Fastify 5.12's way (the top-level disableRequestLogging is deprecated, FSTDEP023).
    logController: new LogController({ disableRequestLogging: !config.logRequests }),
    // Reject rather than repair: wrong types and unknown fields are client errors, not input.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    // Refusals made before any route runs go through the same error mapping as the rest.
    frameworkErrors,
    clientErrorHandler,
    // Random ids, unique across restarts and instances: they name requests in audit events.
    genReqId: () => randomId(),
  });

  installRequestContext(app);
  installErrorHandlers(app);
  installResponseHeaders(app);
  await installCors(app, config.allowedOrigins);
  await app.register(cookiePlugin);
  // Fastify's own JSON parser (prototype poisoning refused), except that an empty body is no
  // body: a DELETE sent with a JSON content type and nothing in it is not malformed.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text === '') return done(null, undefined);
    void parseJson(request, text, done);
  });
  await app.register(swaggerPlugin, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tessera',
        version: '0.1.0',
        description: 'Session and JWT authentication. See API.md for the contract.',
      },
      servers: [{ url: config.issuer }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          session: { type: 'apiKey', in: 'cookie', name: sessionCookie(config).name },
          client: { type: 'http', scheme: 'basic' },
        },
      },
    },
  });
  app.decorateRequest('authenticatedUser', null);
  app.addSchema(User);
  app.addSchema(Session);
  app.addSchema(Problem);
  app.addSchema(TokenResponse);

  const cookie = sessionCookie(config);
  const ctx: RouteContext = {
    core,
    config,
    cookie,
    refreshCookie: refreshCookie(config),
    auth: authenticators(core, cookie, config.allowedOrigins, config.audience),
  };
  accountRoutes(app, ctx);
  sessionRoutes(app, ctx);
  meRoutes(app, ctx);
  tokenRoutes(app, ctx);
  await app.register(async (scope) => oauthRoutes(scope, ctx));
  await app.register(async (scope) => userinfoRoutes(scope, ctx));
  await app.register(async (scope) => pageRoutes(scope, ctx));
  assetRoutes(app);
  adminAssetRoutes(app);
  discoveryRoutes(app, ctx);
  revocationRoutes(app, ctx);
  sessionActivityRoutes(app, ctx);
  opsRoutes(app, ctx);
  installMetrics(app, core);
  installAdminFigures(app, core);
  await routes?.(app);
  await app.ready();
  return app;
}
