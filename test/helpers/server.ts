/** An in-process Tessera for HTTP tests: real Fastify, real core, a store and clock of choice. */
import { ManualClock } from '../../src/core/clock.js';
import { loadConfig } from '../../src/config.js';
import { createCore } from '../../src/core/tessera.js';
import { policyFromConfig } from '../../src/server/policy.js';
import { buildApp } from '../../src/server/app.js';
import { requestContext } from '../../src/server/plugins/request-context.js';
import { createMemoryStores } from '../../src/stores/memory/index.js';
import type { Config } from '../../src/config.js';
import type { Core } from '../../src/core/tessera.js';
import type { Stores } from '../../src/stores/ports.js';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/** Cheap argon2 parameters so tests that are not about hashing cost stay fast. */
export const FAST_ARGON2: Partial<Config> = {
  argon2MemoryKiB: 1024,
  argon2Iterations: 1,
  argon2Parallelism: 1,
};

export interface TestServer {
  app: FastifyInstance;
  core: Core;
  stores: Stores;
  clock: ManualClock;
  config: Config;
}

/** Builds an app over memory stores (or `stores`) with a manual clock. */
export async function testServer(
  options: { config?: Partial<Config>; env?: Record<string, string>; stores?: Stores } = {},
): Promise<TestServer> {
  const config = loadConfig({ env: options.env ?? {} }, { ...FAST_ARGON2, ...options.config });
  const stores = options.stores ?? createMemoryStores();
  const clock = new ManualClock();
  const core = await createCore({
    stores,
    clock,
    policy: policyFromConfig(config),
    context: requestContext,
  });
  const app = await buildApp({ config, core });
  return { app, core, stores, clock, config };
}

/** One cookie from a Set-Cookie header, with its attributes lower-cased. */
export interface SetCookie {
  name: string;
  value: string;
  attributes: Record<string, string | true>;
}

/** Parses every Set-Cookie header of a response. */
export function setCookies(response: LightMyRequestResponse): SetCookie[] {
  const raw = response.headers['set-cookie'];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return list.map((line) => {
    const [pair = '', ...attrs] = line.split(';').map((part) => part.trim());
    const eq = pair.indexOf('=');
    const attributes: Record<string, string | true> = {};
    for (const attr of attrs) {
      const at = attr.indexOf('=');
      if (at === -1) attributes[attr.toLowerCase()] = true;
      else attributes[attr.slice(0, at).toLowerCase()] = attr.slice(at + 1);
    }
    return { name: pair.slice(0, eq), value: decodeURIComponent(pair.slice(eq + 1)), attributes };
  });
}

export const PASSWORD = 'correct horse battery staple';

/** A browser-like client: keeps the session cookie and the CSRF token, sends both. */
export class Browser {
  cookie: string | undefined;
  csrfToken: string | undefined;
  cookieName = 'tessera_session';

  constructor(
    private readonly app: FastifyInstance,
    readonly origin = 'http://localhost:8080',
  ) {}

  /** Sends a request the way a same-origin page would. */
  async request(
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const sent: Record<string, string> = { 'user-agent': 'test-browser/1.0', ...headers };
    if (method !== 'GET') sent.origin ??= this.origin;
    if (this.cookie !== undefined) sent.cookie = `${this.cookieName}=${this.cookie}`;
    if (method !== 'GET' && this.csrfToken !== undefined) sent['x-csrf-token'] ??= this.csrfToken;
    const response = await this.app.inject({
      method,
      url,
      headers: sent,
      ...(body === undefined ? {} : { payload: body as object }),
    });
    for (const cookie of setCookies(response)) {
      if (cookie.name.endsWith('tessera_session')) {
        this.cookieName = cookie.name;
        this.cookie =
          cookie.attributes['max-age'] === '0' || cookie.value === '' ? undefined : cookie.value;
      }
    }
    const csrf = response.headers['x-csrf-token'];
    if (typeof csrf === 'string') this.csrfToken = csrf;
    if (response.statusCode === 200 && String(response.headers['content-type']).includes('json')) {
      const json = response.json() as { csrfToken?: string };
      if (json.csrfToken) this.csrfToken = json.csrfToken;
    }
    return response;
  }

  /** Signs up then logs in. */
  async signupAndLogin(email: string, password = PASSWORD): Promise<LightMyRequestResponse> {
    const signup = await this.request('POST', '/auth/signup', { email, password });
    if (signup.statusCode !== 201) throw new Error(`signup failed: ${signup.body}`);
    return this.login(email, password);
  }

  /** Logs in. */
  login(email: string, password = PASSWORD): Promise<LightMyRequestResponse> {
    return this.request('POST', '/auth/session', { email, password });
  }
}

/** The content type of OAuth requests. */
export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** Creates an account through the API. */
export function signup(app: FastifyInstance, email = 'ada@example.com', password = PASSWORD) {
  return app.inject({ method: 'POST', url: '/auth/signup', payload: { email, password } });
}

/** `POST /auth/token`, the refresh token in the cookie (default) or in the body. */
export function tokenLogin(
  app: FastifyInstance,
  options: { email?: string; password?: string; refresh?: 'cookie' | 'body' } = {},
) {
  const { email = 'ada@example.com', password = PASSWORD, refresh } = options;
  return app.inject({
    method: 'POST',
    url: '/auth/token',
    payload: { email, password, ...(refresh ? { refresh } : {}) },
  });
}

/** Signs up and gets an access and a refresh token in the body. */
export async function userTokens(app: FastifyInstance, email = 'ada@example.com') {
  await signup(app, email);
  const response = await tokenLogin(app, { email, refresh: 'body' });
  if (response.statusCode !== 200) throw new Error(`token login failed: ${response.body}`);
  return response.json() as {
    access_token: string;
    refresh_token: string;
    expires_in: number;
    scope: string;
  };
}

/** Posts a form to an OAuth endpoint. */
export function postForm(
  app: FastifyInstance,
  url: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
) {
  return app.inject({
    method: 'POST',
    url,
    headers: { ...FORM, ...headers },
    payload: new URLSearchParams(form).toString(),
  });
}
