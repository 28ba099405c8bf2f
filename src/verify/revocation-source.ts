/** What the verifier needs from a revocation feed, whichever transport carries it. */

/** A feed that keeps a RevocationState current. */
export interface RevocationSource {
  /** `feed` (Tessera's SSE endpoint) or `redis` (the Redis Stream). */
  readonly kind: 'feed' | 'redis';
  /**
   * Catches up for the first time; rejects when it cannot (`revocation_unavailable`, or
   * `invalid_config` for refused credentials). Afterwards it keeps itself current until closed.
   */
  start(): Promise<void>;
  /**
   * When the source last proved it was current, in monotonic milliseconds (`performance.now()`):
   * the last event, heartbeat, snapshot or empty read. Undefined before the first.
   */
  readonly lastAliveMonotonicMs: number | undefined;
  /** Where the source resumes from: the last event id (SSE) or stream entry id (Redis). */
  readonly position: string | undefined;
  /** Whether a connection is open now. */
  readonly connected: boolean;
  /** How many times it reconnected after a failure. */
  readonly reconnects: number;
  /** The last failure, cleared by nothing: it says what went wrong most recently. */
  readonly lastError: string | undefined;
  /** Stops reading and closes the connection. */
  close(): Promise<void>;
}
