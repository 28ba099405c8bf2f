import { systemClock } from '../core/clock.js';
import { createCore } from '../core/tessera.js';
import { announceChanges, announceChannel } from '../server/instances.js';
import { revocationStreamKey } from '../core/revocation/wire.js';
import { policyFromConfig } from '../server/policy.js';
import { openStores } from '../server/stores.js';
import type { Config } from '../config.js';
import type { Core } from '../core/tessera.js';

/**
 * Opens the stores a configuration names and builds the core over them, for one command. What
 * the command changes (a key rotation, a revocation, ended sessions) is announced on the
 * deployment's bus, so running servers see it within about a second; the command waits for
 * those announcements before it closes the stores.
 */
export async function withCore<T>(config: Config, run: (core: Core) => Promise<T>): Promise<T> {
  const { stores, bus, redis } = await openStores(config);
  try {
    const core = await createCore({
      stores,
      clock: systemClock,
      policy: policyFromConfig(config),
      channel: announceChannel(bus),
    });
    const announced = announceChanges(
      core,
      bus,
      // A lost announcement is not the command's failure: servers still reload keys and read
      // the feed on their own, only later.
      (error, what) => process.stderr.write(`warning: ${what}: ${String(error)}\n`),
      redis ? { client: redis.client, key: revocationStreamKey(config.redisPrefix) } : undefined,
    );
    const result = await run(core);
    await announced();
    // What the command recorded (a key rotation, a disabled user) is written before closing.
    await core.audit.close();
    return result;
  } finally {
    await stores.close();
  }
}
