/** Helpers for tests that run real servers on loopback. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/cli/bench/free-port.js';
import { loadConfig } from '../../src/config.js';
import { FAST_ARGON2 } from './server.js';
import type { Config } from '../../src/config.js';

export { freePort };

/**
 * The configuration of a real server on a free loopback port, its issuer equal to the URL clients
 * use, on a fresh SQLite database in a temp directory, with cheap argon2 and no logs.
 */
export async function liveConfig(prefix: string, overrides: Partial<Config> = {}) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const config = loadConfig(
    { env: {} },
    {
      ...FAST_ARGON2,
      host: '127.0.0.1',
      port,
      issuer,
      databaseUrl: `sqlite:${join(dir, 't.db')}`,
      logLevel: 'silent',
      ...overrides,
    },
  );
  return { dir, port, issuer, config };
}
