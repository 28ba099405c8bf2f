/**
 * A real Tessera for the verifier and middleware tests: SQLite in a temporary directory, the
 * HTTP app over a core the test holds (so it can rotate keys, revoke directly, or stop and
 * restart the listener on the same port while the core lives on), listening on 127.0.0.1.
 * Optionally it bridges every revocation to a Redis Stream, as the server will.
 */
import { rmSync } from 'node:fs';
import { Redis } from 'ioredis';
import { systemClock } from '../../src/core/clock.js';
import { toFeedEvent } from '../../src/core/revocation/feed.js';
import { createCore } from '../../src/core/tessera.js';
import { policyFromConfig } from '../../src/server/policy.js';
import { buildApp } from '../../src/server/app.js';
import { createSqlStores } from '../../src/stores/sql/index.js';
import { appendRevocationToStream } from '../../src/stores/redis/revocation-stream.js';
import { PASSWORD } from '../helpers/server.js';
import type { Clock } from '../../src/core/clock.js';
import type { Config } from '../../src/config.js';
import type { Core } from '../../src/core/tessera.js';
import type { ClientCredentials } from '../../src/verify/index.js';
import type { FastifyInstance } from 'fastify';
import { liveConfig } from '../helpers/live.js';

export { PASSWORD };

/** The resource the `api` client's tokens are for. */
export const RESOURCE = 'https://reports.example.com';

/** Every HTTP exchange of these tests is bounded by this. */
export const REQUEST_TIMEOUT_MS = 5_000;

/** A running Tessera. */
export interface Tessera {
  /** `http://127.0.0.1:<port>`, the issuer. */
  issuer: string;
  config: Config;
  /** The server's own core. */
  core: Core;
  /** A client allowed `tessera:revocations`. */
  feed: ClientCredentials;
  /** A confidential client with scope `reports:read` for RESOURCE (also used to introspect). */
  api: ClientCredentials;
  /** The Redis stream revocations are bridged to, when asked for. */
  streamKey: string | undefined;
  /** Stops listening and cuts every open connection (SSE streams included). */
  stop(): Promise<void>;
  /** Listens again, on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** How to start it. */
export interface TesseraOptions {
  config?: Partial<Config>;
  /** Bridge revocations to this Redis Stream key (a random one per test). */
  redisStream?: string;
  /** The server's clock (a shifted one lets a test move past a planned key activation). */
  clock?: Clock;
}

/** The wall clock plus an offset a test can move forward: give it to server and verifier. */
export class ShiftedClock implements Clock {
  private offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.offset += ms;
  }
}

/** Starts Tessera with a feed client and an API client registered. */
export async function startTessera(options: TesseraOptions = {}): Promise<Tessera> {
  const { dir, port, issuer, config } = await liveConfig('tessera-verify-', {
    // Every test user signs up and logs in from 127.0.0.1.
    signupIpLimit: 1_000_000,
    loginIpLimit: 1_000_000,
    loginAccountLimit: 100_000,
    ...options.config,
  });
  const stores = await createSqlStores({ url: config.databaseUrl });
  const core = await createCore({
    stores,
    clock: options.clock ?? systemClock,
    policy: policyFromConfig(config),
  });
  let redis: Redis | undefined;
  let unsubscribe = () => {};
  if (options.redisStream !== undefined) {
    const streamKey = options.redisStream;
    redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true });
    await redis.connect();
    const writer = redis;
    const horizonMs = (config.accessTokenMinutes * 60 + config.clockSkewSeconds) * 1000;
    const off = core.revocations.subscribe((event) => {
      void appendRevocationToStream(writer, toFeedEvent(event), horizonMs, { streamKey });
    });
    unsubscribe = () => void off();
  }
  const { client: feedClient, secret: feedSecret } = await core.clients.create({
    name: 'feed',
    scopes: ['tessera:revocations'],
    audiences: [],
  });
  const { client: apiClient, secret: apiSecret } = await core.clients.create({
    name: 'api',
    scopes: ['reports:read'],
    audiences: [RESOURCE],
  });
  let app: FastifyInstance | undefined;
  const start = async () => {
    app = await buildApp({ config, core });
    await app.listen({ host: '127.0.0.1', port });
  };
  const stop = async () => {
    const running = app;
    app = undefined;
    if (running === undefined) return;
    const closed = running.close();
    // An open SSE stream would hold close() forever (see the report): cut every connection.
    running.server.closeAllConnections();
    await closed;
  };
  await start();
  return {
    issuer,
    config,
    core,
    feed: { clientId: feedClient.id, clientSecret: feedSecret },
    api: { clientId: apiClient.id, clientSecret: apiSecret },
    streamKey: options.redisStream,
    start,
    stop,
    async close() {
      await stop();
      unsubscribe();
      if (redis !== undefined && options.redisStream !== undefined) {
        await redis.del(options.redisStream);
        redis.disconnect();
      }
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `fetch` with a deadline. */
export function http(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
}

/** The tokens of a user, with what the tests need to know about them. */
export interface UserTokens {
  userId: string;
  email: string;
  access: string;
  refresh: string;
  /** The first-party client id (the `client_id` of the token). */
  clientId: string;
}

let users = 0;

/** A fresh email address for this process. */
export function freshEmail(): string {
  users += 1;
  return `user-${process.pid}-${users}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}

/** Signs a new user up. */
export async function signup(tessera: Tessera, email = freshEmail()): Promise<string> {
  const response = await http(`${tessera.issuer}/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (response.status !== 201)
    throw new Error(`signup: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { user: { id: string } }).user.id;
}

/** Logs in at `POST /auth/token` with the refresh token in the body. */
export async function login(
  tessera: Tessera,
  email: string,
  password = PASSWORD,
): Promise<{ access: string; refresh: string }> {
  const response = await http(`${tessera.issuer}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password, refresh: 'body' }),
  });
  if (response.status !== 200)
    throw new Error(`/auth/token: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { access_token: string; refresh_token: string };
  return { access: body.access_token, refresh: body.refresh_token };
}

/** Signs up a new user and logs in. */
export async function userTokens(tessera: Tessera): Promise<UserTokens> {
  const email = freshEmail();
  const userId = await signup(tessera, email);
  const { access, refresh } = await login(tessera, email);
  return { userId, email, access, refresh, clientId: String(claimsOf(access).client_id) };
}

/** A client_credentials token of the `api` client. */
export async function clientToken(tessera: Tessera, scope?: string): Promise<string> {
  const { clientId, clientSecret } = tessera.api;
  const form = new URLSearchParams({ grant_type: 'client_credentials', resource: RESOURCE });
  if (scope !== undefined) form.set('scope', scope);
  const response = await http(`${tessera.issuer}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
    },
    body: form,
  });
  if (response.status !== 200)
    throw new Error(`client_credentials: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** Revokes an access token of the first-party client through `POST /oauth/revoke`. */
export async function revokeAccess(tessera: Tessera, token: string): Promise<void> {
  const response = await http(`${tessera.issuer}/oauth/revoke`, {
    method: 'POST',
    body: new URLSearchParams({
      token,
      token_type_hint: 'access_token',
      client_id: String(claimsOf(token).client_id),
    }),
  });
  if (response.status !== 200)
    throw new Error(`revoke: ${response.status} ${await response.text()}`);
}

/** The payload of a JWT, unverified. */
export function claimsOf(token: string): Record<string, unknown> {
  const segment = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
}

export { eventually } from '../helpers/poll.js';

/** The error code a promise rejects with, or 'ok' when it resolves. */
export async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? `uncoded: ${String(error)}`;
  }
}

/**
 * A fetch whose connections the test can cut: `cut()` aborts every request and stream made
 * through it and refuses new ones (matching `only`, when given) until `restore()`.
 */
export function cuttableFetch(only?: (url: string) => boolean) {
  // A cut must reach the verifier however undici handles abort signals: undici forwards a
  // signal's abort to a streaming body through a weakly held request, which a garbage collection
  // can drop (under the full suite on Node 22 a "cut" feed kept delivering revocations and
  // heartbeats). So every affected response's body is relayed through a stream this link owns,
  // and the cut errors that stream itself — a pending read fails at once — and cancels the source.
  const open = new Set<() => void>();
  let down = false;
  const urls: string[] = [];
  const wrapped: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    urls.push(url);
    const affected = only === undefined || only(url);
    if (!affected) return fetch(input, init);
    if (down) throw new TypeError('fetch failed: the connection is cut (test)');
    const controller = new AbortController();
    const signal = init?.signal
      ? AbortSignal.any([controller.signal, init.signal])
      : controller.signal;
    const abortHeaders = () => controller.abort(new Error('connection cut (test)'));
    open.add(abortHeaders);
    let response: Response;
    try {
      response = await fetch(input, { ...init, signal });
    } finally {
      open.delete(abortHeaders);
    }
    if (down) {
      await response.body?.cancel().catch(() => undefined);
      throw new TypeError('fetch failed: the connection is cut (test)');
    }
    if (response.body === null) return response;
    const source = response.body.getReader();
    let relay!: ReadableStreamDefaultController<Uint8Array>;
    const cutBody = () => {
      relay.error(new TypeError('terminated: the connection is cut (test)'));
      source.cancel().catch(() => undefined);
    };
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        relay = c;
      },
      async pull(c) {
        const { done, value } = await source.read();
        if (done) {
          open.delete(cutBody);
          c.close();
        } else c.enqueue(value);
      },
      cancel(reason) {
        open.delete(cutBody);
        return source.cancel(reason);
      },
    });
    open.add(cutBody);
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
  return {
    fetch: wrapped,
    urls,
    cut() {
      down = true;
      for (const cut of open) cut();
      open.clear();
    },
    restore() {
      down = false;
    },
  };
}

/** Percentile (0–100) of sorted numbers, nearest rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}
