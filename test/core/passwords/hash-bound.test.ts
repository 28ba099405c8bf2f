import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TesseraError } from '../../../src/core/errors.js';
import { Semaphore } from '../../../src/core/limits/semaphore.js';
import {
  boundHashing,
  hashGate,
  hashPassword,
  verifyPassword,
} from '../../../src/core/passwords/hash.js';

const CHEAP = { memoryKiB: 1024, iterations: 1, parallelism: 1 };

/** A task that runs until `finish()` is called, recording when it started. */
function gated(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    task: async () => {
      log.push(`start ${name}`);
      await done;
      log.push(`end ${name}`);
      return name;
    },
    finish: () => finish(),
  };
}

describe('the hashing semaphore', () => {
  it('never runs more than `concurrency` tasks at once', async () => {
    const semaphore = new Semaphore({ concurrency: 2, queue: 10 });
    let running = 0;
    let most = 0;
    const tasks = Array.from({ length: 8 }, (_, i) =>
      semaphore.run(async () => {
        running += 1;
        most = Math.max(most, running);
        // A few turns of the event loop, so overlapping tasks would be seen.
        for (let turn = 0; turn < 3 + (i % 3); turn += 1) await new Promise(setImmediate);
        running -= 1;
      }),
    );
    await Promise.all(tasks);
    assert.equal(most, 2);
    assert.equal(semaphore.active, 0);
    assert.equal(semaphore.queued, 0);
  });

  it('starts waiting tasks in arrival order as slots free up', async () => {
    const semaphore = new Semaphore({ concurrency: 1, queue: 5 });
    const log: string[] = [];
    const tasks = ['a', 'b', 'c'].map((name) => gated(log, name));
    const results = tasks.map(({ task }) => semaphore.run(task));
    await new Promise(setImmediate);
    assert.deepEqual(log, ['start a']);
    assert.equal(semaphore.queued, 2);
    for (const [i, { finish }] of tasks.entries()) {
      finish();
      await results[i];
      await new Promise(setImmediate);
    }
    assert.deepEqual(await Promise.all(results), ['a', 'b', 'c']);
    assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('refuses with busy (retry after 1 s) once the queue is full, without starting the task', async () => {
    const semaphore = new Semaphore({ concurrency: 1, queue: 1 });
    const log: string[] = [];
    const first = gated(log, 'first');
    const second = gated(log, 'second');
    const running = semaphore.run(first.task);
    const waiting = semaphore.run(second.task);
    let started = false;
    await assert.rejects(
      semaphore.run(async () => {
        started = true;
        return 'third';
      }),
      (error: unknown) =>
        error instanceof TesseraError &&
        error.code === 'busy' &&
        error.status === 503 &&
        error.details.retryAfterSeconds === 1,
    );
    assert.equal(started, false);
    first.finish();
    second.finish();
    assert.deepEqual([await running, await waiting], ['first', 'second']);
  });

  it('frees the slot of a task that fails', async () => {
    const semaphore = new Semaphore({ concurrency: 1, queue: 0 });
    await assert.rejects(
      semaphore.run(() => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.equal(await semaphore.run(() => Promise.resolve('next')), 'next');
  });
});

describe('password hashing goes through the process-wide bound', () => {
  it('runs real argon2 hashes and verifications at most `concurrency` at once', async () => {
    boundHashing({ concurrency: 2, queue: 50 });
    const gate = hashGate();
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, gate.active)), 0);
    const hashes = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        hashPassword(`password ${i}`, CHEAP).finally(() => (most = Math.max(most, gate.active))),
      ),
    );
    const checks = await Promise.all(hashes.map((phc, i) => verifyPassword(phc, `password ${i}`)));
    clearInterval(watch);
    assert.ok(checks.every(Boolean));
    assert.ok(most <= 2, `at most 2 at once, saw ${most}`);
    assert.equal(gate.active, 0);
  });

  it('answers busy for a hash and a verification while the bound and its queue are taken', async () => {
    boundHashing({ concurrency: 1, queue: 0 });
    let release!: () => void;
    const held = hashGate().run(() => new Promise<void>((resolve) => (release = resolve)));
    const phc = '$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHQ$aGFzaA';
    await assert.rejects(hashPassword('x', CHEAP), { code: 'busy' });
    await assert.rejects(verifyPassword(phc, 'x'), { code: 'busy' });
    release();
    await held;
    assert.equal(await verifyPassword(phc, 'x'), false);
  });
});
