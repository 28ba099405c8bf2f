// HTTP load for the login rows of `tessera bench`, on node:http alone (the published package
// has no load generator): closed loops, N connections each sending its next request when the
// last one answered, and an open loop that sends at a fixed rate whatever the answers, as
// users signing in do. Every request is timed on its own, so latency is exact to the µs rather
// than rounded to whole milliseconds.
import { Agent, request, type RequestOptions } from 'node:http';
import { performance } from 'node:perf_hooks';
import { quantile } from './measure.js';

/** One request: what `fire` sends. */
export interface Call {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** An answer: the status, or 0 when the request failed without one. */
export interface Answer {
  status: number;
  /** The response's `code` field when it is a JSON problem (e.g. `busy`). */
  code?: string;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A request made ready once and sent many times: the load's own cost stays small. */
interface Prepared {
  options: RequestOptions;
  body: string | undefined;
}

function prepare(base: URL, agent: Agent, call: Call): Prepared {
  return {
    options: {
      host: base.hostname,
      port: base.port,
      path: call.path,
      method: call.method,
      headers: call.headers,
      agent,
    },
    body: call.body,
  };
}

const failedRequest: Answer = { status: 0, body: '', headers: {} };

/**
 * Sends a prepared request and reads the answer; an answer with status `skipBody` is drained
 * unread (a loop needs only its status).
 */
function send({ options, body }: Prepared, skipBody?: number): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(options, (res) => {
      const status = res.statusCode ?? 0;
      res.on('error', () => resolve(failedRequest));
      if (status === skipBody) {
        res.on('end', () => resolve({ status, body: '', headers: res.headers }));
        res.resume();
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const answer: Answer = { status, body: text, headers: res.headers };
        const code = problemCode(res.headers['content-type'], text, status);
        resolve(code === undefined ? answer : { ...answer, code });
      });
    });
    req.on('error', () => resolve(failedRequest));
    req.end(body);
  });
}

/** Sends one request through `agent` and reads the whole answer. */
export function fire(base: URL, agent: Agent, call: Call): Promise<Answer> {
  return send(prepare(base, agent, call));
}

function problemCode(type: string | undefined, body: string, status: number): string | undefined {
  if (status < 400 || !type?.includes('json')) return undefined;
  try {
    const code = (JSON.parse(body) as { code?: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

/** What a run of requests gave: counts by outcome, throughput and latency of the good ones. */
export interface LoadResult {
  /** Answers with the expected status. */
  ok: number;
  /** Other outcomes, by status (and problem code): "503 busy", "429", "no answer". */
  failed: Record<string, number>;
  seconds: number;
  okPerSecond: number;
  /** Latency of the good answers, milliseconds. */
  p50Ms: number;
  p99Ms: number;
}

/** Collects one run's answers. */
class Tally {
  readonly latencies: number[] = [];
  readonly failed: Record<string, number> = {};

  constructor(private readonly expect: number) {}

  add(answer: Answer, ms: number): void {
    if (answer.status === this.expect) {
      this.latencies.push(ms);
      return;
    }
    const key =
      answer.status === 0
        ? 'no answer'
        : answer.code
          ? `${answer.status} ${answer.code}`
          : String(answer.status);
    this.failed[key] = (this.failed[key] ?? 0) + 1;
  }

  result(seconds: number): LoadResult {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return {
      ok: sorted.length,
      failed: this.failed,
      seconds,
      okPerSecond: seconds > 0 ? sorted.length / seconds : 0,
      p50Ms: quantile(sorted, 0.5),
      p99Ms: quantile(sorted, 0.99),
    };
  }
}

/** A keep-alive agent for one client; `sockets` caps its connections. */
export function clientAgent(sockets = Infinity): Agent {
  return new Agent({ keepAlive: true, maxSockets: sockets });
}

/**
 * `connections` loops, each sending `call` and then the next, for `ms` (after `warmUpMs` not
 * counted); only answers with status `expect` count as done, the others are tallied apart.
 */
export async function closedLoop(
  base: URL,
  call: Call,
  options: { connections: number; ms: number; warmUpMs?: number; expect?: number },
): Promise<LoadResult> {
  const agent = clientAgent(options.connections);
  const expect = options.expect ?? 200;
  const tally = new Tally(expect);
  const prepared = prepare(base, agent, call);
  const warmEnd = performance.now() + (options.warmUpMs ?? 0);
  const end = warmEnd + options.ms;
  const loop = async () => {
    for (let now = performance.now(); now < end; now = performance.now()) {
      const answer = await send(prepared, expect);
      const after = performance.now();
      if (now >= warmEnd && after <= end) tally.add(answer, after - now);
    }
  };
  try {
    await Promise.all(Array.from({ length: options.connections }, loop));
  } finally {
    agent.destroy();
  }
  return tally.result(options.ms / 1000);
}

/** A running open loop; `stop` waits for the answers still due and returns the tally. */
export interface OpenLoop {
  stop(): Promise<LoadResult>;
}

/**
 * Sends `call` `rate` times a second until stopped, never waiting for answers. The schedule is
 * kept from the start time, so a late timer sends what it owes rather than drifting low.
 */
export function openLoop(base: URL, call: Call, rate: number, expect = 200): OpenLoop {
  const agent = clientAgent();
  const tally = new Tally(expect);
  const prepared = prepare(base, agent, call);
  const pending = new Set<Promise<void>>();
  const start = performance.now();
  let sent = 0;
  const sendDue = () => {
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    for (; sent < due; sent += 1) {
      const begun = performance.now();
      const done = send(prepared, expect).then((answer) => {
        tally.add(answer, performance.now() - begun);
        pending.delete(done);
      });
      pending.add(done);
    }
  };
  const timer = setInterval(sendDue, Math.max(1, Math.floor(1000 / rate / 2)));
  return {
    async stop() {
      clearInterval(timer);
      const seconds = (performance.now() - start) / 1000;
      await Promise.all(pending);
      agent.destroy();
      return tally.result(seconds);
    },
  };
}
