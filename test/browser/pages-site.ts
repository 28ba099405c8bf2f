/**
 * A Tessera for the page tests in a real browser: SQLite in a temporary directory, the system
 * clock (the browser keeps cookies by the wall clock), listening on `http://localhost:<port>`,
 * with its core and stores at hand to register clients directly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/core/clock.js';
import { createCore } from '../../src/core/tessera.js';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/server/app.js';
import { policyFromConfig } from '../../src/server/policy.js';
import { createSqlStores } from '../../src/stores/sql/index.js';
import { FAST_ARGON2 } from '../helpers/server.js';
import { freePort } from '../helpers/live.js';
import type { Core } from '../../src/core/tessera.js';
import type { Stores } from '../../src/stores/ports.js';

/** A listening Tessera with its insides. */
export interface PagesSite {
  origin: string;
  core: Core;
  stores: Stores;
  close(): Promise<void>;
}

/** Starts the site. */
export async function startPagesSite(): Promise<PagesSite> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-pages-'));
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
  const core = await createCore({ stores, clock: systemClock, policy: policyFromConfig(config) });
  const app = await buildApp({ config, core });
  await app.listen({ host: config.host, port });
  return {
    origin,
    core,
    stores,
    async close() {
      await app.close();
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
