// Scale row 3 of `tessera bench`: one Tessera server pushing revocations to many verifiers over
// SSE. The server (buildApp over SQLite, in this process) listens on loopback; a child process
// holds the verifiers (createVerifier with the feed, as a resource server would), so their
// parsing does not share the server's thread. Tokens are revoked one at a time; each event's
// delay is measured from just before the revocation call to the moment each verifier's state
// applied it (from then on it refuses the token), on the wall clock both processes share.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';
import { loadConfig } from '../../config.js';
import { systemClock } from '../../core/clock.js';
import { randomToken } from '../../core/random.js';
import { createCore } from '../../core/tessera.js';
import { buildApp } from '../../server/app.js';
import { policyFromConfig } from '../../server/policy.js';
import { createSqlStores } from '../../stores/sql/index.js';
import { quantile } from './measure.js';
// Also what puts the child in the package's build, which compiles what main.ts reaches.
import type { ChildMessage } from './scale-fanout-child.js';

/** What the fan-out row measured. */
export interface FanoutRow {
  /** Verifiers asked for, and how many had an open stream when the revocations began. */
  requested: number;
  connected: number;
  /** Seconds the child took to start every verifier (discovery, JWKS, snapshot, stream). */
  startSeconds: number;
  events: number;
  /** Over every (event, verifier) pair: ms from the revocation call to the verifier having it. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Per event, until the last verifier had it. */
  allP50Ms: number;
  allP99Ms: number;
  /** Deliveries that did not arrive within the wait (5 s per event). */
  missed: number;
  /** Why some verifiers could not start (a connection limit would show here). */
  refusal?: string;
}

const EVENT_WAIT_MS = 5_000;
const wallMs = (): number => performance.timeOrigin + performance.now();

/** The child's next message of `type` (optionally about `value`), or undefined after `ms`. */
function nextMessage<T extends ChildMessage['type']>(
  child: ChildProcess,
  type: T,
  ms: number,
  value?: string,
): Promise<Extract<ChildMessage, { type: T }> | undefined> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: ChildMessage) => {
      if (message.type === 'fatal') {
        done();
        reject(new Error(`the verifiers' process failed: ${message.error}`));
      } else if (
        message.type === type &&
        (value === undefined || ('value' in message && message.value === value))
      ) {
        done();
        resolve(message as Extract<ChildMessage, { type: T }>);
      }
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`the verifiers' process exited (${code})`));
    };
    const timer = setTimeout(() => {
      done();
      resolve(undefined);
    }, ms);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Starts the server and `verifiers` verifiers, revokes `events` tokens one at a time. */
export async function fanoutRow(
  verifiers: number,
  events: number,
  progress: (label: string) => void,
): Promise<FanoutRow> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-fanout-'));
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const config = loadConfig(
    { env: {} },
    {
      issuer,
      host: '127.0.0.1',
      port,
      databaseUrl: `sqlite:${join(dir, 'fanout.db')}`,
      argon2MemoryKiB: 1024,
      argon2Iterations: 1,
      logLevel: 'silent',
    },
  );
  const stores = await createSqlStores({ url: config.databaseUrl });
  const core = await createCore({
    stores,
    clock: systemClock,
    policy: policyFromConfig(config),
  });
  const app = await buildApp({ config, core });
  let child: ChildProcess | undefined;
  try {
    await app.listen({ host: '127.0.0.1', port });
    const { client, secret } = await core.clients.create({
      name: 'bench fan-out',
      scopes: ['tessera:revocations'],
      audiences: [],
    });
    progress(`scale: fan-out, starting ${verifiers} verifiers`);
    // The same module format as this one: .ts under tsx (whose loader execArgv carries), .js built.
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    const script = fileURLToPath(new URL(`./scale-fanout-child${ext}`, import.meta.url));
    const orders = { issuer, clientId: client.id, clientSecret: secret, verifiers };
    child = fork(script, [JSON.stringify(orders)], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const ready = await nextMessage(child, 'ready', 120_000);
    if (ready === undefined) throw new Error('the verifiers did not start within 120 s');
    if (ready.verifiers === 0)
      throw new Error(`no verifier could start: ${ready.error ?? 'unknown'}`);
    progress(`scale: fan-out, ${ready.verifiers} verifiers, revoking ${events} tokens`);
    const delays: number[] = [];
    const lastDelays: number[] = [];
    let missed = 0;
    for (let i = 0; i < events; i += 1) {
      const jti = randomToken(16);
      const arrived = nextMessage(child, 'arrived', EVENT_WAIT_MS, jti);
      const t0 = wallMs();
      await core.revocations.revokeToken(jti, Math.floor(Date.now() / 1000) + 900);
      let message = await arrived;
      if (message === undefined) {
        const partial = nextMessage(child, 'arrived', 1_000, jti);
        child.send('flush');
        message = await partial;
      }
      const times = message?.times ?? [];
      missed += ready.verifiers - times.length;
      for (const at of times) delays.push(at - t0);
      if (times.length === ready.verifiers) lastDelays.push(Math.max(...times) - t0);
    }
    delays.sort((a, b) => a - b);
    lastDelays.sort((a, b) => a - b);
    const row: FanoutRow = {
      requested: verifiers,
      connected: ready.verifiers,
      startSeconds: ready.startSeconds,
      events,
      p50Ms: quantile(delays, 0.5),
      p99Ms: quantile(delays, 0.99),
      maxMs: delays.at(-1) ?? 0,
      allP50Ms: quantile(lastDelays, 0.5),
      allP99Ms: quantile(lastDelays, 0.99),
      missed,
    };
    if (ready.failed > 0)
      row.refusal = `${ready.failed} did not start: ${ready.error ?? 'no open stream within 10 s'}`;
    return row;
  } finally {
    progress('scale: fan-out, stopping');
    if (child !== undefined && child.exitCode === null) {
      const exited = once(child, 'exit');
      child.send('stop');
      const timer = setTimeout(() => child?.kill(), 5_000);
      await exited;
      clearTimeout(timer);
    }
    const closed = app.close();
    // An open SSE stream would hold close() until its reader leaves: cut what is left.
    app.server.closeAllConnections();
    await closed;
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
