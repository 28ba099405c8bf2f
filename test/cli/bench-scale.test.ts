// The scale rows of `tessera bench` take a store filled with up to a million sessions and 200
// verifiers: too long for the suite. These tests cover what is not timed — the report section
// and the filled secrets' shape — with made-up figures.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scaleSizes, type ScaleResults } from '../../src/cli/bench/scale.js';
import { scaleSection } from '../../src/cli/bench/scale-report.js';
import { filledSecret } from '../../src/cli/bench/scale-sessions.js';

const timing = (opsPerSecond: number) => ({ ops: 100, opsPerSecond, p50Us: 250, p99Us: 900 });

const scale: ScaleResults = {
  sessions: [
    {
      store: 'PostgreSQL',
      stored: 1_000_000,
      fillSeconds: 31.5,
      hot: timing(2_000),
      random: timing(1_500),
    },
    { store: 'Redis (users in memory)', stored: 1_000, skipped: 'connect ECONNREFUSED | 6379' },
  ],
  memory: {
    count: 100_000,
    heapBeforeBytes: 10 * 2 ** 20,
    heapAfterBytes: 30 * 2 ** 20,
    bytesPerRevocation: 209.7152,
    appliedPerSecond: 250_000,
    collected: true,
  },
  fanout: {
    requested: 200,
    connected: 200,
    startSeconds: 3.2,
    events: 100,
    p50Ms: 12.5,
    p99Ms: 95,
    maxMs: 110,
    allP50Ms: 19,
    allP99Ms: 104,
    missed: 0,
  },
};

describe('tessera bench scale section', () => {
  const markdown = scaleSection(scale).join('\n');

  it('gives the fill time and both check rows per store and size', () => {
    assert.match(
      markdown,
      /\| PostgreSQL \| 1,000,000 \| 32 \| 2,000 \| 250 \| 900 \| 1,500 \| 250 \| 900 \|/,
    );
  });

  it('lists a store that did not answer as not measured', () => {
    assert.match(
      markdown,
      /\| Redis \(users in memory\) \| 1,000 \| not measured: connect ECONNREFUSED \\\| 6379 \|/,
    );
  });

  it('states the bytes per revocation and what 100k of them weigh', () => {
    assert.match(markdown, /\| 100,000 \| 10\.0 \| 30\.0 \| 210 \| 20\.0 \| 250,000 \|/);
    assert.match(markdown, /after a forced garbage collection/);
  });

  it('gives the fan-out delivery and says how many streams were open', () => {
    assert.match(markdown, /\| 200 \| 100 \| 3\.2 \| 13 \| 95 \| 110 \| 19 \| 104 \| 0 \|/);
    assert.match(markdown, /200 of 200 streams were open/);
  });

  it('says why the fan-out was not measured rather than leaving it out', () => {
    const without = scaleSection({
      sessions: scale.sessions,
      memory: scale.memory,
      fanoutSkipped: 'spawn EACCES',
    }).join('\n');
    assert.match(without, /Not measured: spawn EACCES/);
  });

  it('adds nothing to a report made before the scale rows', () => {
    assert.deepEqual(scaleSection(undefined), []);
  });
});

describe('tessera bench scale sizes', () => {
  it('fills to 1M sessions and starts 200 verifiers in the full run, 10k and 20 in a quick one', () => {
    assert.deepEqual(scaleSizes(false).sessions, [1_000, 100_000, 1_000_000]);
    assert.equal(scaleSizes(false).verifiers, 200);
    assert.deepEqual(scaleSizes(true).sessions, [1_000, 10_000]);
    assert.equal(scaleSizes(true).verifiers, 20);
  });

  it('gives filled sessions secrets shaped like real ones, so validate reads the store', () => {
    const secret = filledSecret('bench_scale_12345', 42);
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(secret, filledSecret('bench_scale_12345', 43));
  });
});
