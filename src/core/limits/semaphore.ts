import { TesseraError } from '../errors.js';

/** How many tasks may run at once, and how many may wait for a turn. */
export interface Bound {
  concurrency: number;
  queue: number;
}

/**
 * Runs at most `concurrency` tasks at once; up to `queue` more wait their turn in arrival order,
 * and past that a task is refused at once with `busy` (503, retry after 1 s). Refusing early is
 * the point: a request that would wait behind a long queue is better answered now than late,
 * and the refusal comes before the task starts, so it has done nothing.
 */
export class Semaphore {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly bound: Bound) {
    if (!(bound.concurrency >= 1) || !(bound.queue >= 0)) {
      throw new RangeError('a semaphore needs concurrency >= 1 and queue >= 0');
    }
  }

  /** Tasks running now. */
  get active(): number {
    return this.running;
  }

  /** Tasks waiting for a turn. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `task` when a slot is free; rejects with `busy` when the queue is full. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.bound.concurrency) {
      if (this.waiting.length >= this.bound.queue) {
        throw new TesseraError('busy', 'the server is busy; try again in a moment', {
          retryAfterSeconds: 1,
        });
      }
      // The slot is handed over by release(), so `running` already counts this task.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running -= 1;
  }
}
