// The login rows of `tessera bench`: the report states issue 12's goal beside the figures, met
// or missed, and the load tool counts every answer by its outcome. Nothing here is timed: the
// figures are made up, and the load runs against a tiny local server only to count answers.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { closedLoop, openLoop, type LoadResult } from '../../src/cli/bench/login-load.js';
import { loginSection } from '../../src/cli/bench/login-report.js';
import { loaderArgs, type LoginResults, type ProtectedRow } from '../../src/cli/bench/login.js';
import { markdownReport, type BenchResults } from '../../src/cli/bench/report.js';

const load = (okPerSecond: number, p99Ms: number, failed: Record<string, number> = {}) =>
  ({
    ok: okPerSecond * 5,
    failed,
    seconds: 5,
    okPerSecond,
    p50Ms: p99Ms / 2,
    p99Ms,
  }) satisfies LoadResult;

const row = (
  credential: ProtectedRow['credential'],
  quiet: LoadResult,
  storm: LoadResult,
): ProtectedRow => ({
  credential,
  quiet,
  storm,
  signIns: load(31, 900, { '503 busy': 95, 'no answer': 2 }),
  cpu: {
    quiet: { serverCores: 0.95, serverLoopBusy: 0.9, clientCores: 0.8 },
    storm: { serverCores: 1.5, serverLoopBusy: 0.664, clientCores: 0.4 },
  },
});

const login: LoginResults = {
  phaseMs: 5000,
  server: {
    url: 'http://127.0.0.1:1234',
    origin: 'http://127.0.0.1',
    hashConcurrency: 1,
    hashQueue: 32,
    hashNice: 10,
    argon2: { memoryKiB: 19456, iterations: 2, parallelism: 1 },
  },
  single: load(16.4, 75),
  fullTilt: load(17.2, 520),
  protected: [
    row('bearer token', load(8000, 4), load(6400, 7.5)),
    row('session cookie', load(10_000, 2), load(5000, 9)),
  ],
};

describe('tessera bench login report', () => {
  const markdown = loginSection(login).join('\n');

  it('gives sign-ins per second and their latency, one at a time and at full tilt', () => {
    assert.match(markdown, /m = 19456 KiB, t = 2, p = 1/);
    assert.match(markdown, /hashing bound 1 at once, 32 waiting/);
    assert.match(markdown, /\| one at a time \| 16\.4 \| 37\.5 \| 75\.0 \| none \|/);
    assert.match(markdown, /\| 8 clients at once \(full tilt\) \| 17\.2 \| 260 \| 520 \| none \|/);
  });

  it('prints the goal beside the figures: met when both hold', () => {
    assert.match(markdown, /p99 < 2× the quiet p99 and throughput ≥ 75 %/);
    assert.match(
      markdown,
      /\| bearer token \| 8,000 \| 4\.00 \| 6,400 \| 7\.50 \| 80 % \| 1\.88× \| met \| 50\.4 \| 155 \| 95 \| no answer: 2 \|/,
    );
  });

  it('says which part of the goal a storm missed, honestly', () => {
    assert.match(
      markdown,
      /\| session cookie \| 10,000 \| 2\.00 \| 5,000 \| 9\.00 \| 50 % \| 4\.50× \| \*\*missed\*\* \(p99 4\.50×, 50 %\) \|/,
    );
  });

  it('says where the CPU went: server threads, its event loop, and the client', () => {
    assert.match(markdown, /\| bearer token \| quiet \| 0\.95 \| 90 % \| 0\.80 \|/);
    assert.match(markdown, /\| session cookie \| storm \| 1\.50 \| 66 % \| 0\.40 \|/);
  });

  it('counts a storm with failed protected requests as a miss, and lists the failures', () => {
    const failing = loginSection({
      ...login,
      protected: [row('bearer token', load(8000, 4), load(7900, 4, { '503 busy': 3 }))],
    }).join('\n');
    assert.match(failing, /\*\*missed\*\* \(failed requests\)/);
    assert.match(failing, /by bearer token that failed: quiet none; storm 503 busy: 3\./);
  });

  it('reports a server that did not start as not measured', () => {
    const skipped = loginSection({ phaseMs: 2000, protected: [], skipped: 'x|y' });
    assert.match(skipped.join('\n'), /Not measured: x\\\|y\./);
  });

  it('sits in the bench report when present, and is left out when absent', () => {
    const results: BenchResults = {
      machine: {
        date: '2026-11-30T21:00:00.000Z',
        cpu: 'cpu',
        cores: 2,
        memoryGiB: 8,
        os: 'linux',
        node: 'v20.0.0',
        tessera: '0.1.0',
        loadAverage: [0, 0, 0],
      },
      command: 'tessera bench',
      quick: false,
      runMs: 2000,
      seconds: 1,
      sizes: [],
      verify: [],
      sessions: [],
    };
    assert.ok(!markdownReport(results, 'c.svg').includes('## Sign-ins'));
    assert.ok(markdownReport({ ...results, login }, 'c.svg').includes('## Sign-ins'));
  });
});

describe('tessera bench login load', () => {
  let server: Server;
  let base: URL;
  let served = 0;

  before(async () => {
    // Every third request is refused the way Tessera refuses a full hashing queue.
    server = createServer((request, response) => {
      served += 1;
      if (served % 3 === 0) {
        response.writeHead(503, { 'content-type': 'application/problem+json' });
        response.end(JSON.stringify({ code: 'busy' }));
      } else response.end('ok');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });

  after(() => server.close());

  it('a closed loop counts good answers apart from refusals, by status and code', async () => {
    const result = await closedLoop(
      base,
      { method: 'GET', path: '/', headers: {} },
      { connections: 3, ms: 150 },
    );
    assert.ok(result.ok > 0);
    assert.deepEqual(Object.keys(result.failed), ['503 busy']);
    assert.ok(Math.abs((result.failed['503 busy'] ?? 0) * 2 - result.ok) <= 6);
    assert.ok(result.p50Ms > 0 && result.p99Ms >= result.p50Ms);
  });

  it('an open loop sends no more than its rate allows and waits for every answer', async () => {
    const servedBefore = served;
    const loop = openLoop(base, { method: 'POST', path: '/', headers: {}, body: '{}' }, 100);
    await new Promise((resolve) => setTimeout(resolve, 205));
    const result = await loop.stop();
    const answered = result.ok + (result.failed['503 busy'] ?? 0);
    // Never ahead of the schedule, however late the timers ran on a loaded machine.
    assert.ok(answered > 0 && answered <= result.seconds * 100, `${answered} answers`);
    assert.equal(answered, served - servedBefore);
  });
});

describe('tessera bench login server process', () => {
  it("starts with this process's module loaders (tsx's) and none of its other node options", () => {
    const tsx = [
      '--require',
      '/n/tsx/dist/preflight.cjs',
      '--import',
      'file:///n/tsx/dist/loader.mjs',
    ];
    assert.deepEqual(loaderArgs(tsx), tsx);
    assert.deepEqual(
      loaderArgs(['--inspect=9229', '--import=tsx', '-e', 'code', '--max-old-space-size', '512']),
      ['--import=tsx'],
    );
    assert.deepEqual(loaderArgs([]), []);
  });
});
