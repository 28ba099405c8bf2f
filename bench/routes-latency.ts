// The latency rows of bench/routes.ts: revocation to rejection (a token and a session at the
// Tessera toolkit in this process, the server in its own child, bench/routes-tessera.ts, whose
// /bench/* endpoints issue and revoke; better-auth's getSession with and
// without its cookie cache) and sign-in latency (Tessera against better-auth). Each function
// returns its samples in ms, sorted.
import { tesseraSessionCheck } from '../src/middleware/session-check.js';
import { createVerifier } from '../src/verify/index.js';
import {
  betterAuthSignIn,
  betterAuthSignOut,
  type BetterAuthConfig,
} from './routes-better-auth.js';

/** What bench/routes.ts gathered from the lines its children printed. */
export interface Target {
  ports: Record<string, number>;
  issuer: string;
  feed: { clientId: string; clientSecret: string };
  token: string;
  cookie: string;
  expressCookie: string;
  email: string;
  password: string;
  argon2: { memoryKiB: number; iterations: number; parallelism: number };
  betterAuthMaxAge: { cached: number; short: number };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sorted = (values: number[]) => values.sort((a, b) => a - b);

/** The q-quantile of sorted samples (nearest rank, below), as text; '–' without samples. */
export function quantile(samples: readonly number[], q: number): string {
  if (samples.length === 0) return '–';
  return samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!.toFixed(1);
}

/**
 * A token: a verifier in this process follows the revocation feed; each sample issues a token,
 * sees it accepted, revokes it at the server and polls the verifier every millisecond until it
 * refuses it.
 */
export async function tokenRevocation(target: Target, count: number): Promise<number[]> {
  const verifier = await createVerifier({
    issuer: target.issuer,
    revocations: { feed: target.feed },
  });
  const tessera = `http://127.0.0.1:${target.ports.tessera}`;
  const latencies: number[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const { token } = (await (await fetch(`${tessera}/bench/issue`)).json()) as {
        token: string;
      };
      const { jti, exp } = await verifier.verify(token);
      const start = performance.now();
      await fetch(`${tessera}/bench/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jti, exp }),
      });
      for (;;) {
        const refused = await verifier.verify(token).then(
          () => false,
          () => true,
        );
        if (refused) break;
        await sleep(1);
      }
      // The first sample also waits for the feed's connection: untimed.
      if (i > 0) latencies.push(performance.now() - start);
    }
  } finally {
    await verifier.close();
  }
  return sorted(latencies);
}

/**
 * A session, at the toolkit's session check as the middleware builds it: by default (`kept`)
 * with a verifier that follows the feed, so answers are kept on the feed's word; else as with
 * `maxCacheMs: 0`, asking Tessera every time. Each sample creates a session at the server,
 * checks it twice (counting the second answers that reached Tessera no second time: all of them
 * when kept), revokes it at the server (core.sessions.revoke) and polls the check every
 * millisecond until it refuses the cookie.
 */
export async function sessionRevocation(
  target: Target,
  count: number,
  kept: boolean,
): Promise<{ latencies: number[]; keptAnswers: number }> {
  const verifier = await createVerifier({
    issuer: target.issuer,
    revocations: { feed: target.feed },
  });
  let asked = 0;
  const check = tesseraSessionCheck({
    issuer: target.issuer,
    ...(kept ? { verifier } : {}),
    fetch: (input, init) => {
      if (String(input).endsWith('/auth/session')) asked += 1;
      return fetch(input, init);
    },
  });
  const tessera = `http://127.0.0.1:${target.ports.tessera}`;
  const latencies: number[] = [];
  let keptAnswers = 0;
  try {
    // Session answers are only kept while the feed is live: wait for its connection.
    const deadline = performance.now() + 10_000;
    while (!verifier.sessionRevocations!.isLive()) {
      if (performance.now() > deadline) throw new Error('the revocation feed never went live');
      await sleep(5);
    }
    for (let i = 0; i < count; i += 1) {
      const session = (await (await fetch(`${tessera}/bench/session`)).json()) as {
        cookie: string;
        id: string;
      };
      if ((await check(session.cookie)) === undefined) throw new Error('a new session refused');
      const before = asked;
      if ((await check(session.cookie)) === undefined) throw new Error('a kept session refused');
      if (asked === before) keptAnswers += 1;
      const start = performance.now();
      const revoked = await fetch(`${tessera}/bench/session-revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: session.id }),
      });
      await revoked.body?.cancel();
      while ((await check(session.cookie)) !== undefined) await sleep(1);
      latencies.push(performance.now() - start);
    }
  } finally {
    await check.close();
    await verifier.close();
  }
  return { latencies: sorted(latencies), keptAnswers };
}

/**
 * better-auth: each sample signs in (a fresh cookie, and with the cookie cache a freshly signed
 * `session_data`, so the longest window), sees the cookie accepted by getSession, signs the
 * session out, then keeps sending the old cookie (as a copy of it would be) every millisecond
 * until getSession refuses it or `boundMs` passes. Samples run `parallel` at a time (the cookie
 * cache's window is seconds long). Unrefused samples are counted, not timed.
 */
export async function betterAuthRevocation(
  target: Target,
  config: BetterAuthConfig,
  options: { count: number; parallel: number; boundMs: number },
): Promise<{ latencies: number[]; unrefused: number }> {
  const server = { port: target.ports.betterAuth!, email: target.email, password: target.password };
  const url = `http://127.0.0.1:${server.port}/${config}`;
  const accepted = async (cookie: string) => {
    const response = await fetch(url, { headers: { cookie } });
    await response.body?.cancel();
    if (response.status !== 200 && response.status !== 401) {
      throw new Error(`better-auth ${config} answered ${response.status}`);
    }
    return response.status === 200;
  };
  const latencies: number[] = [];
  let unrefused = 0;
  const sample = async () => {
    const cookie = await betterAuthSignIn(server, config);
    if (!(await accepted(cookie))) throw new Error(`better-auth ${config}: a new session refused`);
    const start = performance.now();
    await betterAuthSignOut(server, config, cookie);
    for (;;) {
      if (!(await accepted(cookie))) {
        latencies.push(performance.now() - start);
        return;
      }
      if (performance.now() - start > options.boundMs) {
        unrefused += 1;
        return;
      }
      await sleep(1);
    }
  };
  for (let done = 0; done < options.count; done += options.parallel) {
    const batch = Math.min(options.parallel, options.count - done);
    await Promise.all(Array.from({ length: batch }, sample));
  }
  return { latencies: sorted(latencies), unrefused };
}

/**
 * Sign-in latency over HTTP, sequential, the two stacks alternating so that background load
 * hits both alike: Tessera's POST /auth/session (the second Tessera of routes-tessera.ts,
 * argon2id at the defaults) against better-auth's POST /api/auth/sign-in/email (its default
 * hasher). The first of each is untimed (warm-up).
 */
export async function signInLatency(
  target: Target,
  count: number,
): Promise<{ tessera: number[]; betterAuth: number[] }> {
  const origin = `http://127.0.0.1:${target.ports.tesseraSignIn}`;
  const tessera: number[] = [];
  const betterAuth: number[] = [];
  const server = { port: target.ports.betterAuth!, email: target.email, password: target.password };
  for (let i = 0; i <= count; i += 1) {
    let start = performance.now();
    const response = await fetch(`${origin}/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify({ email: target.email, password: target.password }),
    });
    await response.body?.cancel();
    if (response.status !== 200) throw new Error(`Tessera sign-in answered ${response.status}`);
    if (i > 0) tessera.push(performance.now() - start);
    start = performance.now();
    await betterAuthSignIn(server, 'default');
    if (i > 0) betterAuth.push(performance.now() - start);
  }
  return { tessera: sorted(tessera), betterAuth: sorted(betterAuth) };
}
