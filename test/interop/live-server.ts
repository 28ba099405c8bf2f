/**
 * A real Tessera for interop tests, on SQLite in a temporary directory and listening on
 * 127.0.0.1. The port is chosen before the server starts because the issuer — the `iss` of every
 * token and the base of every metadata URL — must be the exact URL the independent clients use
 * (oauth4webapi compares it, jose and fast-jwt check `iss` against it).
 */
import { rmSync } from 'node:fs';
import { systemClock, type Clock } from '../../src/core/clock.js';
import { createCore } from '../../src/core/tessera.js';
import { policyFromConfig } from '../../src/server/policy.js';
import { buildApp } from '../../src/server/app.js';
import { startServer } from '../../src/server/start.js';
import { createSqlStores } from '../../src/stores/sql/index.js';
import { PASSWORD } from '../helpers/server.js';
import type { Config } from '../../src/config.js';
import type { Core } from '../../src/core/tessera.js';
import { liveConfig } from '../helpers/live.js';

/** Every HTTP exchange of these tests is bounded by this. */
export const REQUEST_TIMEOUT_MS = 5_000;

/** The resource the confidential client may ask tokens for: the `aud` of its tokens. */
export const RESOURCE = 'https://reports.example.com';

/** The scopes the confidential client is allowed. */
export const CLIENT_SCOPES = ['reports:read', 'reports:write'];

/** A running server and what the tests need to talk to it. */
export interface LiveServer {
  /** `http://127.0.0.1:<port>`: the issuer, and the URL the clients use. */
  issuer: string;
  config: Config;
  /**
   * A second core over the same database: what `tessera clients create` or `tessera keys rotate`
   * run beside the server would do.
   */
  admin: Core;
  /** A confidential client created through `admin`. */
  client: { id: string; secret: string };
  /**
   * Makes the server pick up keys rotated through `admin` at once, as its 30 s reload timer would
   * (only when started with `heldCore`).
   */
  reloadKeys(): Promise<void>;
  close(): Promise<void>;
}

/** How to start the server. */
export interface LiveServerOptions {
  config?: Partial<Config>;
  /**
   * Serve `buildApp` over a core the test holds instead of `startServer`, so the test can run the
   * key reload `startServer` runs every 30 s.
   */
  heldCore?: boolean;
  /** The held core's clock (a test moves it past a planned key activation). */
  clock?: Clock;
}

/** Starts Tessera on a fresh SQLite database with a confidential client registered. */
export async function startLiveServer(options: LiveServerOptions = {}): Promise<LiveServer> {
  const { dir, issuer, config } = await liveConfig('tessera-interop-', {
    ...options.config,
  });
  const closers: (() => Promise<void>)[] = [];
  let reloadKeys = async (): Promise<void> => {
    throw new Error('startServer reloads keys on its own timer; start with heldCore to reload');
  };
  try {
    if (options.heldCore) {
      const stores = await createSqlStores({ url: config.databaseUrl });
      closers.push(() => stores.close());
      const core = await createCore({
        stores,
        clock: options.clock ?? systemClock,
        policy: policyFromConfig(config),
      });
      const app = await buildApp({ config, core });
      closers.unshift(() => app.close());
      await app.listen({ host: config.host, port: config.port });
      reloadKeys = () => core.keyRing.load();
    } else {
      const running = await startServer(config);
      closers.push(() => running.close());
    }
    // Opened after the server so that the server, not this core, creates the first signing key.
    const adminStores = await createSqlStores({ url: config.databaseUrl });
    closers.push(() => adminStores.close());
    const admin = await createCore({
      stores: adminStores,
      clock: systemClock,
      policy: policyFromConfig(config),
    });
    const { client, secret } = await admin.clients.create({
      name: 'interop',
      scopes: CLIENT_SCOPES,
      audiences: [RESOURCE],
    });
    return {
      issuer,
      config,
      admin,
      client: { id: client.id, secret },
      reloadKeys,
      async close() {
        for (const close of closers) await close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    for (const close of closers) await close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** `fetch` with a deadline. */
export function http(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
}

/** A token response of Tessera (RFC 6749 §5.1). */
export interface TokenBody {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token?: string;
  scope: string;
}

/** Signs up `email`, then logs in at `POST /auth/token` for tokens with the refresh token in the body. */
export async function userTokens(
  issuer: string,
  email: string,
): Promise<{ userId: string; tokens: TokenBody & { refresh_token: string } }> {
  const json = { 'content-type': 'application/json' };
  const signup = await http(`${issuer}/auth/signup`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (signup.status !== 201) throw new Error(`signup: ${signup.status} ${await signup.text()}`);
  const { user } = (await signup.json()) as { user: { id: string } };
  const login = await http(`${issuer}/auth/token`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ email, password: PASSWORD, refresh: 'body' }),
  });
  if (login.status !== 200) throw new Error(`/auth/token: ${login.status} ${await login.text()}`);
  const tokens = (await login.json()) as TokenBody;
  if (tokens.refresh_token === undefined) throw new Error('/auth/token returned no refresh token');
  return { userId: user.id, tokens: { ...tokens, refresh_token: tokens.refresh_token } };
}

/** A client_credentials access token for the server's confidential client (client_secret_basic). */
export async function clientToken(server: LiveServer): Promise<string> {
  const { id, secret } = server.client;
  const basic = Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`);
  const response = await http(`${server.issuer}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic.toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  if (response.status !== 200) {
    throw new Error(`client_credentials: ${response.status} ${await response.text()}`);
  }
  return ((await response.json()) as TokenBody).access_token;
}

/** The RFC 8414 metadata document, as any client would fetch it. */
export async function metadata(issuer: string): Promise<Record<string, unknown>> {
  const response = await http(`${issuer}/.well-known/oauth-authorization-server`);
  if (response.status !== 200) throw new Error(`metadata: ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}

/** The JWKS document at the metadata's `jwks_uri`. */
export async function jwks(issuer: string): Promise<{ keys: Record<string, unknown>[] }> {
  const response = await http(String((await metadata(issuer)).jwks_uri));
  if (response.status !== 200) throw new Error(`jwks: ${response.status}`);
  return (await response.json()) as { keys: Record<string, unknown>[] };
}

/** One decoded part (0: header, 1: payload) of a compact JWS, without verifying anything. */
export function decodePart(token: string, part: 0 | 1): Record<string, unknown> {
  const segment = token.split('.')[part] ?? '';
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
}
