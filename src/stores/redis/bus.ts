import type { Redis } from 'ioredis';
import { guard, type RedisClient } from './connect.js';
import type { KeyLayout } from './key-layout.js';
import type { BusHandler, BusStatus, EventBus } from '../ports.js';

export type { BusHandler, BusStatus, EventBus } from '../ports.js';

interface Subscription {
  handlers: Set<{ handler: BusHandler }>;
  /** The SUBSCRIBE sent when the first handler came, settled either way. */
  confirmed: Promise<void>;
}

/**
 * An EventBus on Redis pub/sub. The subscriber is a connection of its own in subscriber mode.
 * It reports 'down' as soon as that connection closes, and 'up' only after ioredis reconnected
 * by itself and this bus has subscribed every channel again, so nothing published while it
 * reports 'up' is missed. A heartbeat PING notices a link that died without closing (a network
 * partition): no answer within the command timeout and the connection is dropped and redialled.
 */
export class RedisEventBus implements EventBus {
  #up = false;
  // Bumped on every (re)connection and close, so a resubscription that finishes late, for a
  // connection already gone, cannot report 'up'.
  #generation = 0;
  #closed = false;
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #listeners = new Set<(status: BusStatus) => void>();
  readonly #heartbeat: NodeJS.Timeout;

  constructor(
    private readonly publisher: RedisClient,
    private readonly subscriber: Redis,
    private readonly keys: KeyLayout,
    heartbeatMs: number,
  ) {
    subscriber.on('ready', () => void this.resubscribe());
    subscriber.on('close', () => {
      this.#generation += 1;
      this.setUp(false);
    });
    subscriber.on('message', (channel: string, raw: string) => this.deliver(channel, raw));
    if (subscriber.status === 'ready') void this.resubscribe();
    this.#heartbeat = setInterval(() => this.beat(), heartbeatMs);
    this.#heartbeat.unref();
  }

  get connected(): boolean {
    return this.#up;
  }

  async publish(channel: string, message: object): Promise<void> {
    await guard(this.publisher.publish(this.keys.channel(channel), JSON.stringify(message)));
  }

  async subscribe(channel: string, handler: BusHandler): Promise<() => Promise<void>> {
    const name = this.keys.channel(channel);
    const entry = { handler };
    let subscription = this.#subscriptions.get(name);
    if (!subscription) {
      subscription = { handlers: new Set(), confirmed: this.send('subscribe', name) };
      this.#subscriptions.set(name, subscription);
    }
    subscription.handlers.add(entry);
    await subscription.confirmed;
    return async () => {
      const current = this.#subscriptions.get(name);
      if (!current?.handlers.delete(entry) || current.handlers.size > 0) return;
      this.#subscriptions.delete(name);
      await this.send('unsubscribe', name);
    };
  }

  onStatus(listener: (status: BusStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops the heartbeat and reports 'down'; the caller closes the connections. */
  close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#heartbeat);
    this.setUp(false);
    return Promise.resolve();
  }

  // A failure here needs no report: the connection is down, its close event says so, and the
  // next 'ready' subscribes every channel in #subscriptions again.
  private async send(command: 'subscribe' | 'unsubscribe', name: string): Promise<void> {
    if (this.subscriber.status !== 'ready') return;
    try {
      await this.subscriber[command](name);
    } catch {
      // See above.
    }
  }

  private async resubscribe(): Promise<void> {
    const generation = ++this.#generation;
    const channels = [...this.#subscriptions.keys()];
    try {
      if (channels.length > 0) await this.subscriber.subscribe(...channels);
    } catch {
      return; // Closed again meanwhile; the next 'ready' tries again.
    }
    if (generation === this.#generation && this.subscriber.status === 'ready') this.setUp(true);
  }

  private beat(): void {
    if (this.subscriber.status !== 'ready') return;
    const generation = this.#generation;
    this.subscriber.ping().catch(() => {
      // Once per connection: the close it asks for can take a while on a silent link.
      if (generation !== this.#generation) return;
      this.#generation += 1;
      this.setUp(false);
      this.subscriber.disconnect(true);
    });
  }

  private deliver(channel: string, raw: string): void {
    const subscription = this.#subscriptions.get(channel);
    if (!subscription) return;
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch {
      return; // Not from Tessera: every publish sends JSON.
    }
    for (const { handler } of [...subscription.handlers]) {
      try {
        handler(message);
      } catch {
        // One failing handler must not keep the message from the others.
      }
    }
  }

  private setUp(up: boolean): void {
    if (this.#closed && up) return;
    if (this.#up === up) return;
    this.#up = up;
    for (const listener of [...this.#listeners]) {
      try {
        listener(up ? 'up' : 'down');
      } catch {
        // A failing listener must not keep the news from the others.
      }
    }
  }
}
