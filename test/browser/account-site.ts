/**
 * A Tessera for the account and recovery pages in a real browser: SQLite, listening on
 * `http://localhost:<port>`, its core and stores at hand, a clock a test can move forward (the
 * wall clock plus an offset: the browser keeps cookies by the wall clock), and mail over SMTP
 * when `smtpUrl` is given (server/mailer.ts, as `tessera serve` sends it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createCore } from '../../src/core/tessera.js';
import { buildApp } from '../../src/server/app.js';
import { createMailer } from '../../src/server/mailer.js';
import { requestContext } from '../../src/server/plugins/request-context.js';
import { policyFromConfig } from '../../src/server/policy.js';
import { createSqlStores } from '../../src/stores/sql/index.js';
import { FAST_ARGON2 } from '../helpers/server.js';
import { freePort } from '../helpers/live.js';
import type { Clock } from '../../src/core/clock.js';
import type { Core } from '../../src/core/tessera.js';
import type { Stores } from '../../src/stores/ports.js';

/** The wall clock, moved forward by `advance`. */
export class MovedClock implements Clock {
  private offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  /** Moves the clock `ms` forward. */
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/** A listening Tessera with its insides. */
export interface AccountSite {
  origin: string;
  core: Core;
  stores: Stores;
  clock: MovedClock;
  close(): Promise<void>;
}

const silent = { warn: () => undefined, error: () => undefined };

/** Starts the site on SQLite in a temporary directory. */
export async function startAccountSite(options: { smtpUrl?: string } = {}): Promise<AccountSite> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-account-'));
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const config = loadConfig(
    { env: {} },
    {
      ...FAST_ARGON2,
      host: '127.0.0.1',
      port,
      issuer: origin,
      databaseUrl: `sqlite:${join(dir, 'tessera.db')}`,
      logLevel: 'silent',
    },
  );
  const stores = await createSqlStores({ url: config.databaseUrl });
  const clock = new MovedClock();
  const mailer =
    options.smtpUrl === undefined
      ? undefined
      : createMailer(
          { smtpUrl: options.smtpUrl, mailFrom: 'Tessera <no-reply@localhost>' },
          silent,
        );
  const core = await createCore({
    stores,
    clock,
    policy: policyFromConfig(config),
    // Events carry the request's IP and user agent, as `tessera serve` records them.
    context: requestContext,
    ...(mailer ? { mailer } : {}),
  });
  const app = await buildApp({ config, core });
  await app.listen({ host: config.host, port });
  return {
    origin,
    core,
    stores,
    clock,
    async close() {
      await app.close();
      await core.recovery.idle();
      await core.audit.close();
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
