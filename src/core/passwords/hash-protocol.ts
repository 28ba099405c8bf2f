/** The messages between hash-pool.ts and its workers (hash-worker.ts), and what they report. */

/** How a hashing thread's priority came out. */
export interface ThreadPriority {
  /** The nice value asked for (0–19). */
  requested: number;
  /** The thread's nice value afterwards (the process's where it could not be read). */
  nice: number;
  /** Why the thread runs at a higher priority than asked; absent when it runs at `requested` or lower. */
  unavailable?: string;
}

/** argon2id cost parameters as @node-rs/argon2 names them. */
export interface WorkerArgon2Options {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** What the pool gives a worker when it starts it. */
export interface HashWorkerData {
  nice: number;
  /** Where @node-rs/argon2 is, resolved from the pool's module (eval'd code has no location). */
  argon2: string;
}

/** One job for a worker. */
export type HashRequest =
  | { id: number; kind: 'hash'; password: string; options: WorkerArgon2Options }
  | { id: number; kind: 'verify'; phc: string; password: string };

/** What a worker sends: once at start its priority, then one answer per job. */
export type HashReply =
  | { kind: 'ready'; priority: ThreadPriority }
  | { kind: 'done'; id: number; value: string | boolean }
  | { kind: 'failed'; id: number; message: string };
