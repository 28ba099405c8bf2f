/**
 * The source of a password-hashing worker thread (started by hash-pool.ts with `eval: true`):
 * it lowers its own thread's priority, then runs argon2 synchronously, one job at a time, on
 * that thread. Synchronous on purpose: the async functions would hand the work to libuv's pool,
 * whose threads run at normal priority.
 *
 * Why source text and not a worker file: a .ts worker does not load under tsx on Node 20 (its
 * hooks stay on the main thread, and `module.register` in a worker does not take), and the build
 * only emits what tsc compiles. Plain CommonJS text loads the same from src/ under tsx, from
 * dist/, and from a bundle; the messages it exchanges are typed in hash-protocol.ts.
 *
 * Lowering the priority (Linux): `os.setPriority(pid)` is setpriority(PRIO_PROCESS, pid), and
 * given a thread id it renices that one thread (sched(7): nice is per thread). The thread's id
 * is the last part of /proc/thread-self (`<pid>/task/<tid>`). A thread already as low as asked
 * (the process started under `nice`) stays there; elsewhere (no /proc, another OS) or without
 * the right, it keeps its priority and the report says why. Rayon threads (argon2 with
 * parallelism > 1) are created from this thread after that, and inherit its nice value.
 */
export const HASH_WORKER_SOURCE = String.raw`
'use strict';
const { readlinkSync } = require('node:fs');
const { getPriority, setPriority } = require('node:os');
const { parentPort, workerData } = require('node:worker_threads');
const { hashSync, verifySync } = require(workerData.argon2);
const ARGON2ID = 2;

function niceOf(tid) {
  try {
    return tid === undefined ? getPriority() : getPriority(tid);
  } catch {
    return 0;
  }
}

function lowerPriority(requested) {
  let tid;
  try {
    tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return { requested, nice: niceOf(), unavailable: 'no /proc/thread-self (not Linux)' };
  }
  const before = niceOf(tid);
  if (before >= requested) return { requested, nice: before };
  try {
    setPriority(tid, requested);
  } catch (error) {
    return { requested, nice: before, unavailable: 'setpriority refused: ' + (error.code || error) };
  }
  return { requested, nice: niceOf(tid) };
}

parentPort.postMessage({ kind: 'ready', priority: lowerPriority(workerData.nice) });

parentPort.on('message', (request) => {
  if (request.kind === 'hash') {
    try {
      const value = hashSync(request.password, { algorithm: ARGON2ID, ...request.options });
      parentPort.postMessage({ kind: 'done', id: request.id, value });
    } catch (error) {
      parentPort.postMessage({ kind: 'failed', id: request.id, message: String(error) });
    }
    return;
  }
  let value = false;
  try {
    value = verifySync(request.phc, request.password);
  } catch {
    // A malformed stored hash matches no password.
  }
  parentPort.postMessage({ kind: 'done', id: request.id, value });
});
`;
