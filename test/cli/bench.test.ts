// `tessera bench` itself takes ~30 s of machine time, too long for the suite; these tests cover
// the report writer and the argument parsing, with made-up timings (nothing here is timed).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBenchArgs } from '../../src/cli/bench.js';
import { checksChart, markdownReport, type BenchResults } from '../../src/cli/bench/report.js';

const timing = (opsPerSecond: number) => ({ ops: 100, opsPerSecond, p50Us: 25, p99Us: 90 });

const results: BenchResults = {
  machine: {
    date: '2026-11-30T21:00:00.000Z',
    cpu: 'Test <CPU> & co',
    cores: 2,
    memoryGiB: 8,
    os: 'linux 6',
    node: 'v20.0.0',
    tessera: '0.1.0',
    loadAverage: [0.5, 0.4, 0.3],
  },
  command: 'tessera bench',
  quick: false,
  runMs: 2000,
  seconds: 42,
  sizes: [
    { credential: 'session cookie', bytes: 66, note: 'cookie' },
    { credential: 'access JWT RS256', bytes: 796, note: 'default claims' },
  ],
  verify: [
    { alg: 'RS256', verifier: 'raw node:crypto floor', timing: timing(20_000) },
    { alg: 'RS256', verifier: 'tessera, uncached', timing: timing(15_000) },
  ],
  sessions: [
    { store: 'memory', nearCache: true, timing: timing(500_000) },
    { store: 'PostgreSQL', nearCache: false, skipped: 'connect ECONNREFUSED | 5432' },
  ],
};

describe('tessera bench report', () => {
  const markdown = markdownReport(results, 'tessera-bench.svg');

  it('states the machine, versions, date, load and the command that regenerates it', () => {
    for (const fact of ['Test <CPU> & co × 2', 'node v20.0.0', 'tessera 0.1.0', '2026-11-30']) {
      assert.ok(markdown.includes(fact), fact);
    }
    assert.match(markdown, /load average at start: 0\.50, 0\.40, 0\.30/);
    assert.match(markdown, /`tessera bench` \(full run, 2000 ms per row/);
  });

  it('gives each credential its size in bytes', () => {
    assert.match(markdown, /\| session cookie \| 66 \|/);
    assert.match(markdown, /\| access JWT RS256 \| 796 \|/);
  });

  it("rates each verifier against its own algorithm's floor", () => {
    assert.match(markdown, /\| RS256 \| raw node:crypto floor \| 20,000 \| 25 \| 90 \| 100 % \|/);
    assert.match(markdown, /\| RS256 \| tessera, uncached \| 15,000 \| 25 \| 90 \| 75 % \|/);
  });

  it('lists an unreachable store as not measured instead of inventing a number', () => {
    assert.match(
      markdown,
      /\| PostgreSQL \| off \| not measured: connect ECONNREFUSED \\\| 5432 \|/,
    );
  });

  it('draws one bar per measured row and escapes text for XML', () => {
    const svg = checksChart(results);
    assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
    assert.equal(svg.match(/<rect x=/g)?.length, 3); // 2 verifiers + 1 measured session row
    assert.ok(svg.includes('Test &lt;CPU&gt; &amp; co'));
    assert.ok(!svg.includes('PostgreSQL'));
  });
});

describe('tessera bench arguments', () => {
  it('defaults to the full run into bench/results and local stores', () => {
    const args = parseBenchArgs([], {});
    assert.deepEqual(args, {
      quick: false,
      out: 'bench/results',
      postgresUrl: 'postgres://postgres@127.0.0.1:5432/test',
      redisUrl: 'redis://127.0.0.1:6379',
    });
  });

  it('reads --quick, --out and the store URLs', () => {
    const args = parseBenchArgs(['--quick', '--out', '/tmp/x', '--redis-url', 'redis://h:1'], {});
    assert.equal(args.quick, true);
    assert.equal(args.out, '/tmp/x');
    assert.equal(args.redisUrl, 'redis://h:1');
  });

  it('refuses an unknown argument or a flag without its value', () => {
    assert.throws(() => parseBenchArgs(['--fast'], {}), /unknown argument "--fast"/);
    assert.throws(() => parseBenchArgs(['--out'], {}), /--out needs a value/);
  });
});
