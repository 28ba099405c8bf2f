/** Helpers for tests that run real servers on loopback. */
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { FAST_ARGON2 } from './server.js';
import type { Config } from '../../src/config.js';

/** A loopback port that was free a moment ago (another process may take it before us). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const address = probe.address();
  probe.close();
  await once(probe, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

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
