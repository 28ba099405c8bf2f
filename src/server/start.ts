/**
 * Starts a whole Tessera server from configuration: stores, core, HTTP app, periodic clean-up,
 * and a `close` that stops them in order.
 */
import { hashingPriority } from '../core/passwords/hash.js';
import { setTimeout as delay } from 'node:timers/promises';
import { pino } from 'pino';
import { systemClock } from '../core/clock.js';
import { createCore } from '../core/tessera.js';
import { revocationStreamKey } from '../core/revocation/wire.js';
import { busChannel, joinInstances } from './instances.js';
import { policyFromConfig } from './policy.js';
import { openStores } from './stores.js';
import { buildApp } from './app.js';
import { createMailer } from './mailer.js';
import { requestContext } from './plugins/request-context.js';
import { auditLogSink } from './audit-sink.js';
import type { Config } from '../config.js';
import type { FastifyInstance } from 'fastify';

/** A running server. */
export interface RunningServer {
  app: FastifyInstance;
  /** The URL it listens on. */
  url: string;
  /** Stops accepting requests, waits for those in flight, then closes the stores. */
  close(): Promise<void>;
}

const SWEEP_INTERVAL_MS = 10 * 60_000;
// Rotations are announced on the bus and reloaded at once (and again whenever the bus comes
// back up); this slow reload is only a safety net for an announcement lost some other way.
const KEY_RELOAD_INTERVAL_MS = 30_000;

/** Opens the stores named by the configuration and starts listening. */
export async function startServer(config: Config): Promise<RunningServer> {
  const logger = pino({
    level: config.logLevel,
    // Cookies and authorization headers are credentials: never write them to logs.
    redact: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'],
  });
  if (config.secret === undefined) {
    logger.warn('TESSERA_SECRET is not set: private signing keys will be stored unencrypted');
  }
  if (config.smtpUrl === undefined) {
    logger.warn(
      'TESSERA_SMTP_URL is not set: password reset and verification links go to this log, not by mail',
    );
  }
  const { stores, bus, redis } = await openStores(config);
  const core = await createCore({
    stores,
    clock: systemClock,
    policy: policyFromConfig(config),
    channel: busChannel(bus),
    mailer: createMailer(config, logger),
    // One structured line per security event, besides the stored copy (issue 11).
    audit: { sink: auditLogSink(logger) },
    context: requestContext,
  });
  await joinInstances(
    core,
    bus,
    (error, what) => logger.warn({ err: error }, what),
    redis ? { client: redis.client, key: revocationStreamKey(config.redisPrefix) } : undefined,
  );
  // While the bus is down the near cache is bypassed and other processes' changes wait for it.
  bus.onStatus((status) => {
    if (status === 'down') logger.warn('event bus down: the session near cache is bypassed');
    else logger.info('event bus up');
  });
  const app = await buildApp({ config, core, logger });
  const sweep = setInterval(() => {
    core.sweep().catch((error: unknown) => logger.warn({ err: error }, 'sweep failed'));
  }, SWEEP_INTERVAL_MS);
  sweep.unref();
  const reload = setInterval(() => {
    core.keyRing.load().catch((error: unknown) => logger.warn({ err: error }, 'key reload failed'));
  }, KEY_RELOAD_INTERVAL_MS);
  reload.unref();
  // Starts a hashing worker now, so the first sign-in does not wait for one, and says at what
  // priority hashing runs (or why it could not be lowered).
  const priority = await hashingPriority();
  if (priority.unavailable !== undefined) {
    logger.warn(
      { hashing: priority },
      `password hashing runs at normal priority: ${priority.unavailable}`,
    );
  } else logger.info({ hashing: priority }, `password hashing runs at nice ${priority.nice}`);
  const url = await app.listen({ host: config.host, port: config.port });
  logger.info(
    { url, issuer: config.issuer, database: redactUrl(config.databaseUrl) },
    `Tessera listening on ${url}`,
  );
  return {
    app,
    url,
    async close() {
      clearInterval(sweep);
      clearInterval(reload);
      await app.close();
      // Mail on its way gets a moment to leave; a hung mail server does not hold the shutdown.
      await Promise.race([core.recovery.idle(), delay(5000, undefined, { ref: false })]);
      // The events of the last requests are written before the stores close.
      await core.audit.close();
      await stores.close();
    },
  };
}

/** Hides a password in a database URL before it is logged. */
function redactUrl(raw: string): string {
  if (raw.startsWith('sqlite:')) return raw;
  const parsed = new URL(raw);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
