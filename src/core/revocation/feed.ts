/**
 * The revocation feed verifiers listen to (API.md "Revocation feed"): an ordered, resumable
 * stream of revocation events read from the durable store. The process reads the store once per
 * wake-up — a revocation recorded here, one announced by another process on the event bus, the
 * bus coming back up, or a slow safety read — and pushes what is new to every open stream, so
 * the store sees one query per wake-up whatever the number of readers.
 */
import type { Clock } from '../clock.js';
import type { RevocationEvent, RevocationStore } from '../../stores/ports.js';
import type { FeedEvent } from './wire.js';

export type { FeedEvent };

/** One reader of the pushed events (an open SSE stream). */
export interface FeedSubscriber {
  /**
   * New events in seq order. A reader that caught up from the store itself may receive some it
   * already has: it skips every seq at or below the last one it sent.
   */
  events(events: readonly RevocationEvent[]): void;
  /** The store could not be read: the reader should end, and resume with Last-Event-ID. */
  failed(error: unknown): void;
  /**
   * Read number `round` succeeded and every event it found was pushed: the reader holds every
   * event recorded before that read began (the server's bearer check goes live on it).
   */
  caughtUp?(round: number): void;
}

/** The ordered revocation events, read once per wake-up and pushed to every reader. */
export class RevocationFeed {
  private readonly subscribers = new Set<FeedSubscriber>();
  // The highest seq read so far; 0 reads every live event once, on the first wake-up.
  private cursor = 0;
  private reading = false;
  private again = false;
  // How many reads have begun: a reader waiting for one that begins after now waits for
  // `nextRound` (see caughtUp).
  private started = 0;

  constructor(
    private readonly store: RevocationStore,
    private readonly clock: Clock,
  ) {}

  /** Live events after `afterSeq` (all of them for 0), in order, straight from the store. */
  since(afterSeq: number): Promise<RevocationEvent[]> {
    return this.store.listSince(afterSeq, this.clock.now());
  }

  /** New events may be in the store: read them once and push them to every reader. */
  notify(): void {
    if (this.subscribers.size === 0) return;
    // One read at a time; a wake-up during a read schedules one more read after it.
    if (this.reading) {
      this.again = true;
      return;
    }
    void this.read();
  }

  /** Adds a reader; returns the function that removes it. */
  subscribe(subscriber: FeedSubscriber): () => void {
    this.subscribers.add(subscriber);
    return () => {
      this.subscribers.delete(subscriber);
    };
  }

  /** The number the next read to begin will have: the one a notify() now begins or schedules. */
  get nextRound(): number {
    return this.started + 1;
  }

  /** How many readers are connected (for metrics). */
  get readers(): number {
    return this.subscribers.size;
  }

  private async read(): Promise<void> {
    this.reading = true;
    try {
      do {
        this.again = false;
        const round = ++this.started;
        const events = await this.since(this.cursor);
        const last = events.at(-1);
        if (last !== undefined) this.cursor = Math.max(this.cursor, last.seq);
        for (const subscriber of [...this.subscribers]) {
          try {
            if (last !== undefined) subscriber.events(events);
            subscriber.caughtUp?.(round);
          } catch (error) {
            // One broken reader must not keep the events from the others: it ends alone.
            subscriber.failed(error);
          }
        }
      } while (this.again && this.subscribers.size > 0);
    } catch (error) {
      for (const subscriber of [...this.subscribers]) subscriber.failed(error);
    } finally {
      this.reading = false;
    }
  }
}

/** The wire form of an event. */
export function toFeedEvent(event: RevocationEvent): FeedEvent {
  return {
    seq: event.seq,
    kind: event.kind,
    value: event.value,
    at: new Date(event.at).toISOString(),
    expiresAt: new Date(event.expiresAt).toISOString(),
  };
}
