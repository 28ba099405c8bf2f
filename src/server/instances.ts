/**
 * What the processes of one deployment (Tessera instances, and the CLI beside them) tell each
 * other over the event bus, so that they behave as one, on every shape (Redis pub/sub,
 * PostgreSQL LISTEN/NOTIFY, or the SQLite file's watched table): session invalidations (the
 * near cache), revocations (each instance's feed reads the store once and pushes to its
 * streams; with Redis, verifiers listening on the Redis stream learn of them too), and key
 * rotations (everyone reloads the key ring at once).
 */
import { toFeedEvent } from '../core/revocation/feed.js';
import { toRevocation } from '../verify/feed-event.js';
import { appendRevocationToStream } from '../stores/redis/revocation-stream.js';
import type { InvalidationChannel, SessionInvalidation } from '../core/sessions/near-cache.js';
import type { Core } from '../core/tessera.js';
import type { EventBus } from '../stores/ports.js';
import type { RedisClient } from '../stores/redis/connect.js';

const SESSIONS = 'sessions';
const REVOCATIONS = 'revocations';
const KEYS = 'keys';

// The longest a revocation waits for the bus to take its announcement.
const ANNOUNCE_WAIT_MS = 250;

/** `promise`, or nothing after `ms`: a stuck bus must not hold a revocation up for long. */
function within(promise: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Reports a failure that must not stop anything (a lost announcement, a failed reload). */
export type Warn = (error: unknown, what: string) => void;

/** The Redis stream verifiers may read revocations from (only when Redis is configured). */
export interface RevocationStream {
  client: RedisClient;
  key: string;
}

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

/**
 * A channel that only tells the others, for a process that serves no sessions (the CLI): it
 * listens to nothing, and so never trusts a cached session (connected is false).
 */
export function announceChannel(bus: EventBus): InvalidationChannel {
  return {
    connected: false,
    publish: (message) => bus.publish(SESSIONS, message),
    subscribe: () => {},
    onStatus: () => {},
  };
}

/**
 * Announces this process's revocations and key rotations on the bus (and revocations on the
 * Redis stream, when there is one). Resolves, through the returned function, once every
 * announcement made so far has been sent or has failed (a command waits for it before exiting).
 */
export function announceChanges(
  core: Core,
  bus: EventBus,
  warn: Warn,
  stream?: RevocationStream,
): () => Promise<void> {
  const pending = new Set<Promise<void>>();
  const track = (promise: Promise<void>, what: string) => {
    const settled = promise.catch((error: unknown) => warn(error, what));
    pending.add(settled);
    void settled.then(() => pending.delete(settled));
    return settled;
  };
  const t = core.deps.policy.tokens;
  const horizonMs = (t.accessTtlSeconds + t.clockSkewSeconds) * 1000;
  core.revocations.subscribe((event) => {
    const wire = toFeedEvent(event);
    const published = track(bus.publish(REVOCATIONS, wire), 'revocation publish failed');
    if (stream) {
      void track(
        appendRevocationToStream(stream.client, wire, horizonMs, { streamKey: stream.key }).then(
          () => {},
        ),
        'revocation stream append failed',
      );
    }
    // Other instances check bearer tokens in memory, fed by this message: the revocation call
    // waits until the bus has taken it (briefly, and only while the bus is up), so a client told
    // "revoked" here is refused there too.
    return bus.connected ? within(published, ANNOUNCE_WAIT_MS) : undefined;
  });
  core.keyRing.onRotate(
    () => void track(bus.publish(KEYS, { rotated: true }), 'key publish failed'),
  );
  return async () => {
    await Promise.all([...pending]);
  };
}

/** Wires one instance's core to the other processes through the bus. */
export async function joinInstances(
  core: Core,
  bus: EventBus,
  warn: Warn,
  stream?: RevocationStream,
): Promise<void> {
  announceChanges(core, bus, warn, stream);
  const reloadKeys = () => {
    core.keyRing.load().catch((error: unknown) => warn(error, 'key reload failed'));
  };
  // The message is the event itself: the bearer check holds it at once, without waiting for the
  // feed's store read (which follows, and is what the state's trust rests on).
  await bus.subscribe(REVOCATIONS, (message) => {
    try {
      core.liveRevocations.record(toRevocation(message));
    } catch (error) {
      warn(error, 'revocation message unreadable');
    }
    core.feed.notify();
  });
  await bus.subscribe(KEYS, reloadKeys);
  // Messages sent while the bus was down are lost: look again at what they would have announced.
  // The bearer check trusts its in-memory revocations only while the bus is up, and only once a
  // store read begun after it came up has succeeded (live-state.ts); until then it reads the store.
  bus.onStatus((status) => {
    core.liveRevocations.busStatus(status === 'up');
    if (status !== 'up') return;
    core.feed.notify();
    reloadKeys();
  });
  if (bus.connected) core.liveRevocations.busStatus(true);
  // Instances started together on an empty database may each have made a first key (the store
  // keeps one active): tell the others to reload, so all sign with the same key and know all.
  await bus.publish(KEYS, { joined: true });
}
