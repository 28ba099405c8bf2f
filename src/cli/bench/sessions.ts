// Row 2b of `tessera bench`: what core.sessions.validate costs per store, with the near cache
// and without it. "Without" is a second core over the same stores whose invalidation channel
// reports itself disconnected — the near cache then answers nothing, exactly as when the bus is
// down — so both rows validate the same session in the same store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config.js';
import { systemClock } from '../../core/clock.js';
import { createCore, type Core } from '../../core/tessera.js';
import type { InvalidationChannel } from '../../core/sessions/near-cache.js';
import { policyFromConfig } from '../../server/policy.js';
import { createMemoryStores } from '../../stores/memory/index.js';
import { createRedisStores } from '../../stores/redis/index.js';
import { createSqlStores } from '../../stores/sql/index.js';
import type { Stores } from '../../stores/ports.js';
import { measure, type Timing } from './measure.js';
import { PASSWORD } from './tokens.js';

export interface SessionRow {
  store: string;
  nearCache: boolean;
  /** Undefined when the store could not be reached; `skipped` says why. */
  timing?: Timing;
  skipped?: string;
}

export interface StoreTargets {
  postgresUrl: string;
  redisUrl: string;
}

const bypass: InvalidationChannel = {
  connected: false,
  publish: async () => {},
  subscribe: () => {},
  onStatus: () => {},
};

interface Opened {
  stores: Stores;
  close(): Promise<void>;
}

/** The four stores; each opener throws when its server does not answer. */
function openers(targets: StoreTargets): [string, () => Promise<Opened>][] {
  const tag = `bench_${process.pid}`;
  return [
    ['memory', async () => ({ stores: createMemoryStores(), close: async () => {} })],
    [
      'SQLite (file)',
      async () => {
        const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
        const stores = await createSqlStores({ url: `sqlite:${join(dir, 'bench.db')}` });
        return {
          stores,
          close: async () => {
            await stores.close();
            rmSync(dir, { recursive: true, force: true });
          },
        };
      },
    ],
    [
      'PostgreSQL',
      async () => {
        const stores = await createSqlStores({
          url: targets.postgresUrl,
          schema: tag,
          connectTimeoutMs: 2000,
        });
        return {
          stores,
          close: async () => {
            // The bench's own schema goes with it; the database is left as found.
            await stores.close();
            await dropSchema(targets.postgresUrl, tag);
          },
        };
      },
    ],
    [
      'Redis (users in memory)',
      async () => {
        const redis = await createRedisStores({ url: targets.redisUrl, keyPrefix: `${tag}:` });
        const stores = {
          ...createMemoryStores(),
          sessions: redis.sessions,
          rateLimits: redis.rateLimits,
        };
        return {
          stores,
          close: async () => {
            const keys = await redis.client.keys(`${tag}:*`);
            if (keys.length > 0) await redis.client.del(...keys);
            await redis.close();
          },
        };
      },
    ],
  ];
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

async function coreOver(stores: Stores, channel?: InvalidationChannel): Promise<Core> {
  const config = loadConfig(
    {},
    { issuer: 'http://localhost:8080', argon2MemoryKiB: 1024, argon2Iterations: 1 },
  );
  return createCore({
    stores,
    clock: systemClock,
    policy: policyFromConfig(config),
    ...(channel ? { channel } : {}),
  });
}

/** Per store: validate one live session back to back, with and without the near cache. */
export async function sessionRows(
  targets: StoreTargets,
  runMs: number,
  progress: (label: string) => void,
): Promise<SessionRow[]> {
  const rows: SessionRow[] = [];
  for (const [store, open] of openers(targets)) {
    progress(`session check: ${store}`);
    let opened: Opened;
    try {
      opened = await open();
    } catch (error) {
      const skipped = error instanceof Error ? error.message : String(error);
      rows.push({ store, nearCache: true, skipped }, { store, nearCache: false, skipped });
      continue;
    }
    try {
      const cached = await coreOver(opened.stores);
      const uncached = await coreOver(opened.stores, bypass);
      const email = `bench-${process.pid}@example.com`;
      const user = await cached.accounts.signup({ email, password: PASSWORD }, { ip: '127.0.0.1' });
      const { secret } = await cached.sessions.create(user.id, {
        userAgent: 'bench',
        ip: '127.0.0.1',
      });
      for (const [nearCache, core] of [
        [true, cached],
        [false, uncached],
      ] as const) {
        progress(`session check: ${store}, near cache ${nearCache ? 'on' : 'off'}`);
        rows.push({
          store,
          nearCache,
          timing: await measure(() => core.sessions.validate(secret), runMs),
        });
      }
    } finally {
      await opened.close();
    }
  }
  return rows;
}
