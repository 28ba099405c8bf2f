/**
 * The audit log: `record` builds an event, hands it to the log sink and queues it; a background
 * writer appends the queue to the audit store in batches. The request the event describes never
 * waits for the store and never fails because of it (issue 11): a full queue drops and counts, a
 * failing store keeps its batch and retries, and `status()` says so for /readyz and the metrics.
 */
import { randomToken } from '../random.js';
import type { Audit, AuditFacts, AuditKind } from './audit.js';
import type { RequestContext } from './context.js';
import type { Clock } from '../clock.js';
import type { AuditEvent, AuditQuery, AuditStore } from '../../stores/ports.js';

/** Receives every event as it is recorded (the server writes one structured log line). */
export type AuditSink = (event: AuditEvent) => void;

/** How the audit log is doing, for /readyz and the metrics. */
export interface AuditStatus {
  /** `failing`: the last write to the store failed; `full`: the queue is full and drops events. */
  state: 'ok' | 'failing' | 'full';
  /** Events waiting to be written. */
  queued: number;
  /** Events dropped since start because the queue was full. */
  dropped: number;
  /** The last write error's message, while failing. */
  lastError?: string;
}

/** Running totals since start, for the metrics. */
export interface AuditFigures {
  /** Events recorded, by kind (dropped ones included: they happened). */
  recorded: ReadonlyMap<string, number>;
  /** Batches the store refused. */
  writeFailures: number;
}

/** Tuning of the queue and the writer; the defaults suit a server. */
export interface AuditLogOptions {
  store: AuditStore;
  clock: Clock;
  /** The current request's facts (ip, user agent, request id, actor). */
  context?: RequestContext;
  sink?: AuditSink;
  /** Events held in memory at most; more are dropped and counted. */
  maxQueue?: number;
  /** Events per append. */
  batchSize?: number;
  /** How long an event may wait for its batch to fill. */
  intervalMs?: number;
  /** The longest pause between retries while the store fails (doubling from `intervalMs`). */
  maxRetryDelayMs?: number;
}

/** The audit log (core.audit): records, lists, reports its state, flushes on shutdown. */
export class AuditLog implements Audit {
  private readonly queue: AuditEvent[] = [];
  private readonly maxQueue: number;
  private readonly batchSize: number;
  private readonly intervalMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly recorded = new Map<string, number>();
  private dropped = 0;
  private writeFailures = 0;
  private lastError: string | undefined;
  private retryDelayMs = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writing: Promise<void> | undefined;
  private closed = false;
  // Time-ordered ids: the last millisecond used and a counter within it.
  private lastMs = -1;
  private seq = 0;

  constructor(private readonly options: AuditLogOptions) {
    this.maxQueue = options.maxQueue ?? 10_000;
    this.batchSize = options.batchSize ?? 100;
    this.intervalMs = options.intervalMs ?? 50;
    // /readyz reports a failing audit log, so a store that is back must be noticed soon: after an
    // outage the instance is ready again within ~2 s of the store, not after a long backoff.
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 2_000;
  }

  /** Queues one event; returns at once and never throws, whatever the store or the sink do. */
  record(kind: AuditKind, facts: AuditFacts = {}): void {
    try {
      const event = this.build(kind, facts);
      this.recorded.set(kind, (this.recorded.get(kind) ?? 0) + 1);
      try {
        this.options.sink?.(event);
      } catch {
        // A broken log line must not cost the stored event, nor the request.
      }
      if (this.queue.length >= this.maxQueue) {
        this.dropped += 1;
        return;
      }
      this.queue.push(event);
      this.schedule();
    } catch {
      this.dropped += 1;
    }
  }

  /** Events matching `query`, newest first; what is still queued is written first. */
  async list(query: AuditQuery): Promise<AuditEvent[]> {
    await this.flush();
    return this.options.store.list(query);
  }

  /** The queue's state: ok, failing (the store refuses writes) or full (events are dropped). */
  status(): AuditStatus {
    const full = this.queue.length >= this.maxQueue;
    const state = full ? 'full' : this.lastError !== undefined ? 'failing' : 'ok';
    const status: AuditStatus = { state, queued: this.queue.length, dropped: this.dropped };
    if (this.lastError !== undefined) status.lastError = this.lastError;
    return status;
  }

  /** Totals since start, for the metrics. */
  figures(): AuditFigures {
    return { recorded: this.recorded, writeFailures: this.writeFailures };
  }

  /**
   * Writes everything queued now, one attempt per batch: resolves when the queue is empty or the
   * store has refused a batch (which stays queued for the retry). Never rejects.
   */
  async flush(): Promise<void> {
    this.cancelTimer();
    // A write already under way finishes first, so batches stay in order.
    if (this.writing !== undefined) await this.writing;
    while (this.queue.length > 0) {
      const ok = await this.writeOnce();
      if (!ok) break;
    }
    if (this.queue.length > 0) this.schedule();
  }

  /** Flushes and stops the writer (shutdown); later events are still logged and queued. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    this.cancelTimer();
  }

  private build(kind: AuditKind, facts: AuditFacts): AuditEvent {
    const at = this.options.clock.now();
    const request = this.options.context?.() ?? {};
    return {
      id: this.nextId(at),
      at,
      kind,
      // The caller names the actor when it is not the signed-in user (an admin tool, a client).
      actorId: facts.actorId !== undefined ? facts.actorId : (request.actorId ?? null),
      subjectId: facts.subjectId ?? null,
      ip: request.ip ?? null,
      userAgent: request.userAgent ?? null,
      requestId: request.requestId ?? null,
      reason: facts.reason ?? null,
      details: { ...facts.details },
    };
  }

  /**
   * 12 hex digits of milliseconds, 4 of a counter within the millisecond, then 12 random
   * characters: sorting by id sorts by time within one process, and processes never collide.
   */
  private nextId(at: number): string {
    if (at === this.lastMs) {
      this.seq += 1;
    } else {
      this.lastMs = at;
      this.seq = 0;
    }
    const time = Math.max(0, at).toString(16).padStart(12, '0');
    const seq = (this.seq % 0x10000).toString(16).padStart(4, '0');
    const random = Buffer.from(randomToken(6), 'base64url').toString('hex');
    return `${time}${seq}${random}`;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.writing !== undefined || this.closed) return;
    const full = this.queue.length >= this.batchSize;
    const delay = this.retryDelayMs > 0 ? this.retryDelayMs : full ? 0 : this.intervalMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.background();
    }, delay);
    // The writer alone must not keep a CLI or a test process alive; close() flushes.
    this.timer.unref();
  }

  private async background(): Promise<void> {
    await this.writeOnce();
    if (this.queue.length > 0) this.schedule();
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Appends the oldest batch; true when it was written. */
  private async writeOnce(): Promise<boolean> {
    if (this.writing !== undefined) {
      await this.writing;
      return this.lastError === undefined;
    }
    const batch = this.queue.slice(0, this.batchSize);
    if (batch.length === 0) return true;
    let ok = false;
    const attempt = (async () => {
      try {
        await this.options.store.append(batch);
        // Events recorded meanwhile were pushed behind the batch, so it is still at the front.
        this.queue.splice(0, batch.length);
        this.lastError = undefined;
        this.retryDelayMs = 0;
        ok = true;
      } catch (error) {
        // The batch stays at the front for the retry; the bounded queue bounds what is kept.
        this.writeFailures += 1;
        this.lastError = error instanceof Error ? error.message : String(error);
        this.retryDelayMs = Math.min(
          this.maxRetryDelayMs,
          Math.max(this.intervalMs, this.retryDelayMs * 2),
        );
      }
    })();
    this.writing = attempt;
    try {
      await attempt;
    } finally {
      this.writing = undefined;
    }
    return ok;
  }
}

/** An audit that records nothing: for unit tests of a single service and tools with no store. */
export const silentAudit: Audit = { record: () => undefined };
