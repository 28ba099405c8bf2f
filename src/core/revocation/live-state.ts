/**
 * The server's own copy of the revocation state the toolkit keeps (base layer state.ts), so a
 * bearer request is checked in memory instead of reading the store. It is fed by this
 * instance's feed (one store read per wake-up, woken by the event bus) and, at once, by this
 * instance's own revocations. It is trusted only while it cannot have missed anything: the bus
 * is subscribed and a feed read that began after the bus came up has succeeded. Otherwise
 * (starting, bus down, a failed read) checks go to the store, as before, and the state catches
 * up on the next successful read: the same fail-closed rule as the toolkit's verifier.
 */
import { RevocationState, type Revocation } from './state.js';
import type { Clock } from '../clock.js';
import type { FeedSubscriber, RevocationFeed } from './feed.js';
import type { RevocationEvent } from '../../stores/ports.js';

// While not live, a request may ask for a catch-up read at most this often.
const RETRY_MS = 1000;

/** The in-memory revocations of this instance, and whether they can be trusted now. */
export class LiveRevocations implements FeedSubscriber {
  readonly state: RevocationState;
  private busUp = false;
  // The first feed read whose success makes the state live; none while the bus is down.
  private wanted = Number.POSITIVE_INFINITY;
  private trusted = false;
  private lastRetry = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly feed: RevocationFeed,
    private readonly clock: Clock,
  ) {
    // No grace: the store's expiresAt already covers the clock skew (revocations.ts).
    this.state = new RevocationState(clock, 0);
    feed.subscribe(this);
  }

  /** True while every revocation recorded anywhere (up to the bus's latency) is held here. */
  get live(): boolean {
    return this.trusted;
  }

  /**
   * The event bus's status. Messages sent while it was down are lost, so the state is trusted
   * again only after a store read that began once it was back up.
   */
  busStatus(up: boolean): void {
    this.trusted = false;
    this.busUp = up;
    this.wanted = up ? this.feed.nextRound : Number.POSITIVE_INFINITY;
    if (up) this.feed.notify();
  }

  /** A revocation recorded by this instance: effective here at once, before the feed reads it. */
  record(event: Revocation): void {
    this.state.apply(event);
  }

  /** While not live (and the bus is up), asks the feed for a catch-up read, at most once a second. */
  retry(): void {
    const now = this.clock.now();
    if (this.trusted || !this.busUp || now - this.lastRetry < RETRY_MS) return;
    this.lastRetry = now;
    this.feed.notify();
  }

  events(events: readonly RevocationEvent[]): void {
    for (const event of events) this.state.apply(event);
  }

  caughtUp(round: number): void {
    if (this.busUp && round >= this.wanted) this.trusted = true;
  }

  failed(): void {
    // Until a later read succeeds, the store decides (retry() asks for that read).
    this.trusted = false;
    if (this.busUp) this.wanted = this.feed.nextRound;
  }
}
