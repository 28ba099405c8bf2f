import { systemClock } from '../core/clock.js';
import { createCore } from '../core/tessera.js';
import { createSqlStores } from '../stores/sql/index.js';
import type { Config } from '../config.js';
import type { Core } from '../core/tessera.js';

/** Opens the stores a configuration names and builds the core over them, for one command. */
export async function withCore<T>(config: Config, run: (core: Core) => Promise<T>): Promise<T> {
  const stores = await createSqlStores({ url: config.databaseUrl });
  try {
    return await run(await createCore({ stores, clock: systemClock, config }));
  } finally {
    await stores.close();
  }
}
