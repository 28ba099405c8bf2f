/**
 * The Fastify application over the core. Routes translate HTTP to core calls and back; no
 * business rule lives here.
 */
import cookiePlugin from '@fastify/cookie';
import swaggerPlugin from '@fastify/swagger';
import Fastify from 'fastify';
import { installErrorHandlers } from './plugins/errors.js';
import { SessionCookie } from './plugins/cookies.js';
import { sessionAuth } from './plugins/session-auth.js';
import { Problem, Session, User } from './schemas.js';
import { accountRoutes } from './routes/accounts.js';
import { meRoutes } from './routes/me.js';
import { opsRoutes } from './routes/ops.js';
import { sessionRoutes } from './routes/sessions.js';
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
}

/** Builds the HTTP application (not yet listening). */
export async function buildApp({ config, core, logger }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    // Reject rather than repair: wrong types and unknown fields are client errors, not input.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  });

  installErrorHandlers(app);
  await app.register(cookiePlugin);
  await app.register(swaggerPlugin, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tessera',
        version: '0.1.0',
        description: 'Session and JWT authentication. See API.md for the contract.',
      },
      servers: [{ url: config.issuer }],
    },
  });
  app.decorateRequest('session', null);
  app.addSchema(User);
  app.addSchema(Session);
  app.addSchema(Problem);

  const cookie = new SessionCookie(config);
  const ctx: RouteContext = {
    core,
    config,
    cookie,
    auth: sessionAuth(core, cookie, config.allowedOrigins),
  };
  accountRoutes(app, ctx);
  sessionRoutes(app, ctx);
  meRoutes(app, ctx);
  opsRoutes(app, ctx);
  await app.ready();
  return app;
}
