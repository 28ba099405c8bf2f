/**
 * The revocation feed verifiers listen to (API.md "Revocation feed"): an ordered, resumable
 * stream of revocation events read from the durable store. Subscribers are woken whenever a
 * revocation may have been recorded — by this process, or by another instance through the event
 * bus — and then read everything after the last event they sent, so nothing is skipped even if
 * a wake-up is lost (a periodic wake-up covers that case too).
 */
import type { Clock } from '../clock.js';
import type { RevocationEvent, RevocationStore } from '../../stores/ports.js';

/** Called when new events may be in the store. */
export type FeedListener = () => void;

/** The ordered revocation events and the wake-ups that tell readers to look. */
export class RevocationFeed {
  private readonly listeners = new Set<FeedListener>();

  constructor(
    private readonly store: RevocationStore,
    private readonly clock: Clock,
  ) {}

  /** Live events after `afterSeq` (all of them for 0), in order. */
  since(afterSeq: number): Promise<RevocationEvent[]> {
    return this.store.listSince(afterSeq, this.clock.now());
  }

  /** Wakes every reader: new events may be in the store. */
  notify(): void {
    for (const listener of this.listeners) listener();
  }

  /** Registers a reader's wake-up; returns the function that removes it. */
  subscribe(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** How many readers are connected (for metrics). */
  get readers(): number {
    return this.listeners.size;
  }
}

/** An event as the feed and the bus carry it: times as ISO 8601 strings (API.md conventions). */
export interface FeedEvent {
  seq: number;
  kind: RevocationEvent['kind'];
  value: string;
  at: string;
  expiresAt: string;
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
