/**
 * The stage of the OpenID Connect interop tests: a real Tessera (the OpenID provider) reached as
 * `http://localhost:<port>`, clients registered with the `tessera clients create` command line as
 * an operator would, a relying party's web server on `http://127.0.0.1:<port>` (another site, so
 * the browser treats Tessera's cookies as a third-party site's would be treated), and helpers that
 * act as a person in Chromium, finding controls only by the labels and button names API.md fixes.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AxeBuilder } from '@axe-core/playwright';
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/server/start.js';
import { freePort } from '../helpers/live.js';
import { FAST_ARGON2, PASSWORD } from '../helpers/server.js';
import { BROWSER_TIMEOUT_MS } from '../browser/chromium.js';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Browser, BrowserContext, Page } from 'playwright-core';

const run = promisify(execFile);
const MAIN = join(import.meta.dirname, '../../src/cli/main.ts');

/** Every HTTP exchange the tests make themselves is bounded by this. */
export const REQUEST_TIMEOUT_MS = 5_000;

/** A running Tessera and the operator's command line beside it. */
export interface Provider {
  /** `http://localhost:<port>`: the issuer, the URL both the browser and the libraries use. */
  issuer: string;
  /** Runs `tessera clients create` against the server's database and returns its JSON. */
  registerClient(options: ClientOptions): Promise<RegisteredClient>;
  close(): Promise<void>;
}

/** The flags of `tessera clients create` (API.md "Command line"). */
export interface ClientOptions {
  name: string;
  scopes: readonly string[];
  redirectUris: readonly string[];
  postLogoutRedirectUris?: readonly string[];
  public?: boolean;
  firstParty?: boolean;
}

/** What `tessera clients create --json` prints: no secret for a public client. */
export interface RegisteredClient {
  client_id: string;
  client_secret?: string;
}

/** Starts Tessera on SQLite in a temporary directory, its issuer `http://localhost:<port>`. */
export async function startProvider(): Promise<Provider> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-oidc-'));
  const port = await freePort();
  const issuer = `http://localhost:${port}`;
  const databaseUrl = `sqlite:${join(dir, 'tessera.db')}`;
  const config = loadConfig(
    { env: {} },
    {
      ...FAST_ARGON2,
      host: '127.0.0.1',
      port,
      issuer,
      databaseUrl,
      logLevel: 'silent',
    },
  );
  let running: Awaited<ReturnType<typeof startServer>>;
  try {
    running = await startServer(config);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    issuer,
    async registerClient(options) {
      const args = [
        'clients',
        'create',
        '--name',
        options.name,
        '--scope',
        options.scopes.join(' '),
      ];
      for (const uri of options.redirectUris) args.push('--redirect-uri', uri);
      for (const uri of options.postLogoutRedirectUris ?? []) {
        args.push('--post-logout-redirect-uri', uri);
      }
      if (options.public) args.push('--public');
      if (options.firstParty) args.push('--first-party');
      args.push('--json');
      // The CLI reads the same variables as the server, so it writes to the server's database.
      const { stdout } = await run(process.execPath, ['--import', 'tsx', MAIN, ...args], {
        env: {
          ...process.env,
          TESSERA_DATABASE_URL: databaseUrl,
          TESSERA_ISSUER: issuer,
          TESSERA_LOG_LEVEL: 'silent',
        },
        timeout: 30_000,
      });
      return JSON.parse(stdout) as RegisteredClient;
    },
    async close() {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A relying party's web server: it answers every path, and keeps what its callbacks received. */
export interface RelyingParty {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** Where the authorization response comes back. */
  callback: string;
  /** Where RP-initiated logout comes back. */
  signedOut: string;
  /** Every URL the server was asked for, in order, as the server received it. */
  received: URL[];
  /** The last URL received whose path is `path`; fails when none was. */
  last(path: string): URL;
  close(): Promise<void>;
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Starts a relying party on 127.0.0.1. Without `handler`, every path answers a tiny page; the
 * test then plays the relying party's back end with the library under test.
 */
export async function startRelyingParty(handler?: Handler): Promise<RelyingParty> {
  const received: URL[] = [];
  let origin = '';
  const server: Server = createServer((request, response) => {
    received.push(new URL(request.url ?? '/', origin));
    if (handler) return handler(request, response);
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(
      '<!doctype html><html lang="en"><title>Relying party</title><h1>Back at the app</h1>',
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    callback: `${origin}/callback`,
    signedOut: `${origin}/signed-out`,
    received,
    last(path) {
      const found = received.findLast((url) => url.pathname === path);
      assert.ok(found, `the relying party never received ${path}`);
      return found;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Creates an account through the JSON API (the sign-up page has its own test). */
export async function createAccount(issuer: string, email: string): Promise<void> {
  const response = await fetch(`${issuer}/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  assert.equal(response.status, 201, await response.text());
}

/** A fresh browser profile (its own cookie jar) with bounded waits. */
export async function freshPage(browser: Browser, contexts: BrowserContext[]): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  context.setDefaultTimeout(BROWSER_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(BROWSER_TIMEOUT_MS);
  return context.newPage();
}

/**
 * Collects what the browser reports as errors on `origin`'s pages: Content-Security-Policy
 * violations (a style or script the strict CSP blocks), script errors, and sub-resources (the
 * stylesheet) that failed to load. A missing /favicon.ico, which browsers ask for on their own,
 * is not counted.
 */
export function watchConsole(page: Page, origin: string): string[] {
  const errors: string[] = [];
  const ours = () => page.url().startsWith(origin);
  page.on('console', (message) => {
    // Failed loads are reported below with their URL; the console message has none.
    if (message.type() !== 'error' || !ours()) return;
    if (message.text().startsWith('Failed to load resource')) return;
    errors.push(`${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (response.request().resourceType() === 'document' || url.origin !== origin) return;
    if (url.pathname === '/favicon.ico' || response.status() < 400) return;
    errors.push(`${url.href}: ${response.status()}`);
  });
  return errors;
}

/** The hosted sign-in page, as a person uses it: Email, Password, Sign in. */
export async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** The consent page's answer: Allow or Deny. */
export async function decide(page: Page, answer: 'Allow' | 'Deny'): Promise<void> {
  await page.getByRole('button', { name: answer, exact: true }).click();
}

/** Whether the page shows the hosted sign-in form. */
export async function showsSignIn(page: Page): Promise<boolean> {
  return (await page.getByRole('button', { name: 'Sign in', exact: true }).count()) > 0;
}

/** Waits until the browser is at `prefix` (the relying party's callback, say). */
export async function reached(page: Page, prefix: string): Promise<void> {
  await page.waitForURL((url) => url.href.startsWith(prefix));
}

/**
 * Runs axe-core on the page and fails on any serious or critical violation (WCAG 2.1 A and AA
 * rules and axe's best practices), naming the page, the rule and the offending elements.
 */
export async function assertAccessible(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter(
    (violation) => violation.impact === 'serious' || violation.impact === 'critical',
  );
  const report = bad.map(
    (violation) =>
      `${violation.id} (${violation.impact}): ${violation.help} — ` +
      violation.nodes.map((node) => node.target.join(' ')).join(', '),
  );
  assert.deepEqual(report, [], `${what} at ${page.url()} has accessibility violations`);
}
