/**
 * What several Tessera instances tell each other over the Redis bus, so that N stateless
 * instances behave as one: session invalidations (the near cache), revocations (each instance's
 * feed readers wake up, and verifiers listening on the Redis stream learn of them), and key
 * rotations (everyone reloads the key ring at once).
 */
import { toFeedEvent } from '../core/revocation/feed.js';
import { appendRevocationToStream } from '../verify/redis-feed.js';
import type { InvalidationChannel, SessionInvalidation } from '../core/sessions/near-cache.js';
import type { Core } from '../core/tessera.js';
import type { EventBus } from '../stores/redis/index.js';
import type { FastifyBaseLogger } from 'fastify';
import type { Cluster, Redis } from 'ioredis';

const SESSIONS = 'sessions';
const REVOCATIONS = 'revocations';
const KEYS = 'keys';

/** The session invalidation channel over the bus: connected only while the bus is up. */
export function busChannel(bus: EventBus): InvalidationChannel {
  return {
    get connected() {
      return bus.connected;
    },
    publish: (message) => bus.publish(SESSIONS, message),
    subscribe: (handler) => {
      void bus.subscribe(SESSIONS, (message) => handler(message as SessionInvalidation));
    },
    onStatus: (listener) => {
      bus.onStatus((status) => listener(status === 'up'));
    },
  };
}

/** Wires one instance's core to the others through the bus and the revocation stream. */
export async function joinInstances(
  core: Core,
  bus: EventBus,
  redis: Redis | Cluster,
  logger: FastifyBaseLogger,
  prefix: string,
): Promise<void> {
  const t = core.deps.policy.tokens;
  const horizonMs = (t.accessTtlSeconds + t.clockSkewSeconds) * 1000;
  core.revocations.subscribe((event) => {
    const wire = toFeedEvent(event);
    bus
      .publish(REVOCATIONS, wire)
      .catch((error: unknown) => logger.warn({ err: error }, 'revocation publish failed'));
    appendRevocationToStream(redis, wire, horizonMs, { streamKey: `${prefix}revocations` }).catch(
      (error: unknown) => logger.warn({ err: error }, 'revocation stream append failed'),
    );
  });
  await bus.subscribe(REVOCATIONS, () => core.feed.notify());
  // A feed reader may have missed events while the bus was down: look again once it is back.
  bus.onStatus((status) => {
    if (status === 'up') core.feed.notify();
  });
  core.keys.onRotate(() => {
    bus
      .publish(KEYS, { rotated: true })
      .catch((error: unknown) => logger.warn({ err: error }, 'key publish failed'));
  });
  await bus.subscribe(KEYS, () => {
    core.keys.load().catch((error: unknown) => logger.warn({ err: error }, 'key reload failed'));
  });
  // Instances started together on an empty database may each have made a first key (the store
  // keeps one active): tell the others to reload, so all sign with the same key and know all.
  await bus.publish(KEYS, { joined: true });
}
