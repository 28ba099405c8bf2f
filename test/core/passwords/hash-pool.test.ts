import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { describe, it } from 'node:test';
import { hash, verify } from '@node-rs/argon2';
import { HashPool } from '../../../src/core/passwords/hash-pool.js';
import { HASH_WORKER_SOURCE } from '../../../src/core/passwords/hash-worker.js';
import {
  boundHashing,
  hashingPriority,
  hashPassword,
  verifyPassword,
} from '../../../src/core/passwords/hash.js';

const CHEAP = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
const CHEAP_OPTIONS = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
// Thread priorities are read from /proc; a run already under `nice` would start the workers there.
const linuxAtNormalPriority = process.platform === 'linux' && getPriority() === 0;

/** The nice value of every thread of this process (proc(5): field 19 of /proc/self/task/N/stat). */
function threadNices(): number[] {
  return readdirSync('/proc/self/task').flatMap((tid) => {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      // A thread that ended between the listing and the read (a closed pool's worker, seen on CI).
      return [];
    }
    // Fields after the command name, which may hold spaces, start at field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return [Number(fields[19 - 3])];
  });
}

describe('password hashing on the worker pool', () => {
  it('makes argon2id PHC strings that @node-rs/argon2 verifies, and verifies its hashes', async () => {
    boundHashing({ concurrency: 1, queue: 8 });
    const phc = await hashPassword('correct horse', CHEAP);
    assert.match(phc, /^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    assert.equal(await verify(phc, 'correct horse'), true);
    assert.equal(await verify(phc, 'wrong horse'), false);
    const theirs = await hash('battery staple', { memoryCost: 1024, timeCost: 1 });
    assert.equal(await verifyPassword(theirs, 'battery staple'), true);
    assert.equal(await verifyPassword(theirs, 'battery'), false);
    assert.equal(await verifyPassword('not a hash', 'battery staple'), false);
  });

  it('runs jobs beyond its size one after another on its workers', async () => {
    const pool = new HashPool({ size: 2, nice: 0 });
    const phcs = await Promise.all(
      Array.from({ length: 5 }, (_, i) => pool.hash(`password ${i}`, CHEAP_OPTIONS)),
    );
    const checks = await Promise.all(phcs.map((phc, i) => pool.verify(phc, `password ${i}`)));
    assert.deepEqual(checks, [true, true, true, true, true]);
    pool.close();
  });
});

describe(
  'the hashing threads run at the configured nice value',
  { skip: !linuxAtNormalPriority },
  () => {
    it('renices each worker thread, and only those', async () => {
      const pool = new HashPool({ size: 2, nice: 7 });
      assert.equal(threadNices().filter((nice) => nice === 7).length, 0);
      // Two jobs at once start both workers.
      await Promise.all([pool.hash('a', CHEAP_OPTIONS), pool.hash('b', CHEAP_OPTIONS)]);
      assert.deepEqual(await pool.priority(), { requested: 7, nice: 7 });
      const nices = threadNices();
      assert.equal(nices.filter((nice) => nice === 7).length, 2, `threads: ${nices.join(' ')}`);
      assert.equal(nices[0], 0, 'the main thread keeps its priority');
      pool.close();
    });

    it('reports the priority for the start log (TESSERA_HASH_NICE through boundHashing)', async () => {
      boundHashing({ concurrency: 1, queue: 8, nice: 12 });
      assert.deepEqual(await hashingPriority(), { requested: 12, nice: 12 });
      boundHashing({ concurrency: 1, queue: 8, nice: 0 });
      assert.deepEqual(await hashingPriority(), { requested: 0, nice: 0 });
    });
  },
);

describe('a failing hashing worker', () => {
  it('fails the job with a clear internal error when the worker throws', async () => {
    const source = `require('node:worker_threads').parentPort.on('message', () => { throw new Error('argon2 exploded'); });`;
    const pool = new HashPool({ size: 1, nice: 0, source });
    await assert.rejects(pool.hash('x', CHEAP_OPTIONS), {
      code: 'internal',
      message: 'the password hashing worker failed: argon2 exploded',
    });
    // The next job gets a new worker, and fails the same way rather than waiting forever.
    await assert.rejects(pool.verify('phc', 'x'), { code: 'internal' });
  });

  it('fails the job when the worker exits, and jobs queued behind it get a new worker', async () => {
    const source = `require('node:worker_threads').parentPort.on('message', () => process.exit(3));`;
    const pool = new HashPool({ size: 1, nice: 0, source });
    const results = await Promise.allSettled([
      pool.hash('x', CHEAP_OPTIONS),
      pool.hash('y', CHEAP_OPTIONS),
    ]);
    for (const result of results) {
      assert.equal(result.status, 'rejected');
      assert.match(String(result.reason), /the password hashing worker stopped \(exit code 3\)/);
    }
  });

  it('fails the priority report when the worker cannot start', async () => {
    const pool = new HashPool({ size: 1, nice: 0, source: 'throw new Error("no argon2 here")' });
    await assert.rejects(pool.priority(), { code: 'internal', message: /no argon2 here/ });
  });

  it('keeps working after a real worker is killed mid-job', async () => {
    const pool = new HashPool({ size: 1, nice: 0, source: HASH_WORKER_SOURCE });
    await pool.priority();
    const slots = (pool as unknown as { slots: Set<{ worker: { terminate(): Promise<number> } }> })
      .slots;
    const running = pool.hash('x', { memoryCost: 65536, timeCost: 3, parallelism: 1 });
    for (const slot of slots) void slot.worker.terminate();
    await assert.rejects(running, { code: 'internal', message: /stopped \(exit code 1\)/ });
    assert.equal(await pool.verify(await pool.hash('y', CHEAP_OPTIONS), 'y'), true);
    pool.close();
  });
});
