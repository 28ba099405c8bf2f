import { systemClock } from '../core/clock.js';
import { createCore } from '../core/tessera.js';
import { openStores } from '../server/stores.js';
import type { Config } from '../config.js';
import type { Core } from '../core/tessera.js';

/** Opens the stores a configuration names and builds the core over them, for one command. */
export async function withCore<T>(config: Config, run: (core: Core) => Promise<T>): Promise<T> {
  const { stores, redis } = await openStores(config);
  try {
    const core = await createCore({ stores, clock: systemClock, config });
    // Running servers reload their keys at once when told over the bus (they also poll).
    const announcements: Promise<void>[] = [];
    if (redis)
      core.keys.onRotate(() => announcements.push(redis.bus.publish('keys', { rotated: true })));
    const result = await run(core);
    await Promise.allSettled(announcements);
    return result;
  } finally {
    await stores.close();
  }
}
