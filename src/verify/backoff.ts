/** Reconnection delays: exponential from `initialMs` up to `maxMs`, with jitter. */

/** How a feed reconnects after a failure. */
export interface BackoffOptions {
  /** First delay; defaults to 200 ms. */
  initialMs?: number;
  /** Largest delay; defaults to 5 s, well inside the default staleness bound of 30 s. */
  maxMs?: number;
}

/** The delay sequence of one feed; `reset()` after a success starts it over. */
export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private attempt = 0;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = positive(options.initialMs ?? 200, 'backoff.initialMs');
    this.maxMs = Math.max(this.initialMs, positive(options.maxMs ?? 5_000, 'backoff.maxMs'));
  }

  /** The next delay in ms. Jitter (±20 %) keeps many verifiers from reconnecting in step. */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt += 1;
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  /** Starts the sequence over. */
  reset(): void {
    this.attempt = 0;
  }
}

function positive(value: number, name: string): number {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a positive number of milliseconds`);
  }
  return value;
}

/** Resolves after `ms`, or at once when `signal` aborts; never keeps the process alive. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener('abort', done, { once: true });
  });
}
