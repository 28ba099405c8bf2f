/**
 * A small pool of worker threads that run argon2 at a lower OS priority (hash-worker.ts).
 *
 * Why not @node-rs/argon2's async functions: they run on libuv's thread pool, at the event
 * loop's priority, so on a small machine a burst of sign-ins takes CPU from every other request.
 * Each worker here renices its own thread at start (hash-worker.ts); the event loop then wins
 * the CPU whenever both want it, and the hashing semaphore in front of the pool (hash.ts) turns a
 * storm into 503 `busy` on sign-ins instead of slow protected requests.
 *
 * Workers start on the first job (or the first `priority()` call), one job at a time each, and
 * are unref'd while idle, so an idle pool never keeps a process alive. A worker that dies fails
 * its job with `internal` (never a hang) and is replaced on the next job.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { TesseraError } from '../errors.js';
import type {
  HashReply,
  ThreadPriority,
  HashRequest,
  HashWorkerData,
  WorkerArgon2Options,
} from './hash-protocol.js';
import { HASH_WORKER_SOURCE } from './hash-worker.js';

/** Distributes the omission of `id` over the union of requests. */
type NewRequest = HashRequest extends infer R
  ? R extends HashRequest
    ? Omit<R, 'id'>
    : never
  : never;

interface Job {
  request: HashRequest;
  resolve: (value: string | boolean) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
  ready: boolean;
  /** Terminated by the pool: its exit is no failure. */
  retiring: boolean;
  gone: boolean;
}

interface Waiter {
  resolve: (priority: ThreadPriority) => void;
  reject: (error: Error) => void;
}

const ARGON2_PATH = createRequire(import.meta.url).resolve('@node-rs/argon2');

/** What a pool is made of. */
export interface HashPoolOptions {
  /** Workers at most (the hashing semaphore's concurrency). */
  size: number;
  /** The nice value each worker asks for (0–19; 0: normal priority). */
  nice: number;
  /** The workers' source (hash-worker.ts); tests give a failing one. */
  source?: string;
}

/** Worker threads running argon2 at a lower priority, at most `size` at once. */
export class HashPool {
  readonly size: number;
  readonly nice: number;
  private readonly source: string;
  private readonly slots = new Set<Slot>();
  private readonly queue: Job[] = [];
  private readonly waiters: Waiter[] = [];
  private report: ThreadPriority | undefined;
  private nextId = 1;
  private closing = false;

  constructor(options: HashPoolOptions) {
    if (!(options.size >= 1) || !(options.nice >= 0 && options.nice <= 19)) {
      throw new RangeError('a hash pool needs size >= 1 and nice from 0 to 19');
    }
    this.size = options.size;
    this.nice = options.nice;
    this.source = options.source ?? HASH_WORKER_SOURCE;
  }

  /** Hashes `password` with argon2id into a PHC string. */
  async hash(password: string, options: WorkerArgon2Options): Promise<string> {
    return String(await this.run({ kind: 'hash', password, options }));
  }

  /** True when `password` matches `phc`; false too for a malformed `phc`. */
  async verify(phc: string, password: string): Promise<boolean> {
    return (await this.run({ kind: 'verify', phc, password })) === true;
  }

  /**
   * The priority the workers run at, as the first of them reported it; starts one worker if none
   * runs yet. For the server's start log.
   */
  priority(): Promise<ThreadPriority> {
    if (this.report) return Promise.resolve(this.report);
    if (this.slots.size === 0) this.spawn();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Stops idle workers now and busy ones after their job; queued jobs still run. */
  close(): void {
    this.closing = true;
    for (const slot of this.slots) if (!slot.job) this.retire(slot);
  }

  private run(request: NewRequest): Promise<string | boolean> {
    return new Promise((resolve, reject) => {
      const job: Job = { request: { ...request, id: this.nextId++ }, resolve, reject };
      const idle = [...this.slots].find((slot) => !slot.job);
      if (idle) this.assign(idle, job);
      else if (this.slots.size < this.size) this.assign(this.spawn(), job);
      else this.queue.push(job);
    });
  }

  private spawn(): Slot {
    const workerData: HashWorkerData = { nice: this.nice, argon2: ARGON2_PATH };
    const worker = new Worker(this.source, { eval: true, workerData });
    const slot: Slot = { worker, job: undefined, ready: false, retiring: false, gone: false };
    this.slots.add(slot);
    worker.on('message', (reply: HashReply) => this.onReply(slot, reply));
    worker.on('messageerror', (error) =>
      this.onGone(slot, `sent an unreadable answer: ${error.message}`),
    );
    worker.on('error', (error) => this.onGone(slot, `failed: ${error.message}`));
    worker.on('exit', (code) => this.onGone(slot, `stopped (exit code ${code})`));
    return slot;
  }

  private assign(slot: Slot, job: Job): void {
    slot.job = job;
    // A job in flight keeps the process alive, as libuv's queued work does.
    slot.worker.ref();
    slot.worker.postMessage(job.request);
  }

  private onReply(slot: Slot, reply: HashReply): void {
    if (reply.kind === 'ready') {
      slot.ready = true;
      this.report ??= reply.priority;
      for (const waiter of this.waiters.splice(0)) waiter.resolve(this.report);
      if (!slot.job) slot.worker.unref();
      return;
    }
    const job = slot.job;
    if (!job || job.request.id !== reply.id) return;
    slot.job = undefined;
    if (reply.kind === 'done') job.resolve(reply.value);
    else job.reject(new TesseraError('internal', `argon2 failed: ${reply.message}`));
    const next = this.queue.shift();
    if (next) this.assign(slot, next);
    else if (this.closing) this.retire(slot);
    else slot.worker.unref();
  }

  private onGone(slot: Slot, why: string): void {
    if (slot.gone) return;
    slot.gone = true;
    this.slots.delete(slot);
    const error = new TesseraError('internal', `the password hashing worker ${why}`);
    // Whoever waits for a priority report gets an answer, even from a pool closed meanwhile.
    if (!slot.ready && this.slots.size === 0) {
      for (const waiter of this.waiters.splice(0)) waiter.reject(error);
    }
    if (slot.retiring) return;
    void slot.worker.terminate();
    slot.job?.reject(error);
    slot.job = undefined;
    // Jobs waiting for a worker get a new one; each job fails at most once with its worker.
    const next = this.queue.shift();
    if (next) this.assign(this.spawn(), next);
  }

  private retire(slot: Slot): void {
    slot.retiring = true;
    void slot.worker.terminate();
  }
}
