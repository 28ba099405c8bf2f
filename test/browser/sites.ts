/**
 * The two sites of a browser test: a real Tessera reached as `http://localhost:<port>`, and a
 * foreign site that serves attack pages. The foreign site listens on 127.0.0.1, so the browser
 * reaches it either as `http://127.0.0.1:<port>` (another site: SameSite=Lax holds the cookie
 * back) or as `http://localhost:<port>` (the same site on another origin: the cookie goes along,
 * and only CORS and Tessera's own Origin and CSRF checks stand in the way).
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/server/start.js';
import { FAST_ARGON2 } from '../helpers/server.js';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { freePort } from '../helpers/live.js';

/** One request as Tessera's HTTP server saw it, and how it answered. */
export interface Exchange {
  method: string;
  path: string;
  origin: string | undefined;
  fetchSite: string | undefined;
  /** Whether the request carried the session cookie. */
  withCookie: boolean;
  status: number;
  /** The CORS header of the answer; Tessera sends one only to allowed origins and on discovery. */
  allowOrigin: string | undefined;
}

/** A Tessera server for a browser, with a log of every exchange on the wire. */
export interface TesseraSite {
  /** `http://localhost:<port>`: the issuer, and an allowed origin (the only one by default). */
  origin: string;
  exchanges: Exchange[];
  close(): Promise<void>;
}

function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Starts Tessera on SQLite in a temporary directory. The port is chosen first because the issuer,
 * and so the allowed origin and the cookie's host, must be the exact origin the browser uses.
 * `alsoAllowed` adds origins of browser apps (TESSERA_ALLOWED_ORIGINS).
 */
export async function startTessera(
  options: { alsoAllowed?: readonly string[] } = {},
): Promise<TesseraSite> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-browser-'));
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const config = loadConfig(
    { env: {} },
    {
      ...FAST_ARGON2,
      host: '127.0.0.1',
      port,
      issuer: origin,
      allowedOrigins: [origin, ...(options.alsoAllowed ?? [])],
      databaseUrl: `sqlite:${join(dir, 'tessera.db')}`,
      logLevel: 'silent',
    },
  );
  const running = await startServer(config);
  const exchanges: Exchange[] = [];
  // A second listener only watches: what reached the server is the ground truth of an attack,
  // including requests whose answers the browser hides from the page.
  running.app.server.on('request', (request, response) => {
    response.once('finish', () => {
      exchanges.push({
        method: request.method ?? '',
        path: request.url ?? '',
        origin: single(request.headers.origin),
        fetchSite: single(request.headers['sec-fetch-site']),
        withCookie: /(^|;\s*)tessera_session=/.test(request.headers.cookie ?? ''),
        status: response.statusCode,
        allowOrigin: single(
          response.getHeader('access-control-allow-origin') as string | undefined,
        ),
      });
    });
  });
  return {
    origin,
    exchanges,
    async close() {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A site that is not Tessera, serving whatever pages a test puts in it. */
export interface ForeignSite {
  /** `http://127.0.0.1:<port>`: a different site from Tessera's `localhost`. */
  crossSite: string;
  /** `http://localhost:<port>`: Tessera's site, but another origin. */
  sameSite: string;
  /** Serves `html` at `path` from now on. */
  serve(path: string, html: string): void;
  close(): Promise<void>;
}

/** Starts the foreign site. */
export async function startForeignSite(): Promise<ForeignSite> {
  const pages = new Map<string, string>();
  const server: Server = createServer((request, response) => {
    const html = pages.get(request.url ?? '');
    response.writeHead(html === undefined ? 404 : 200, { 'content-type': 'text/html' });
    response.end(html ?? 'not found');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    crossSite: `http://127.0.0.1:${port}`,
    sameSite: `http://localhost:${port}`,
    serve: (path, html) => void pages.set(path, html),
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('"', '&quot;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;');
}

/** A page that submits a POST form to `action` as soon as it loads, as an attacker's page would. */
export function autoSubmitPage(
  action: string,
  enctype: 'application/x-www-form-urlencoded' | 'text/plain',
  fields: Record<string, string>,
): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  return (
    `<!doctype html><form method="post" action="${escapeHtml(action)}" enctype="${enctype}">` +
    `${inputs}</form><script>document.forms[0].submit()</script>`
  );
}

/**
 * Form fields that a `text/plain` form encodes as the JSON `body` (the classic JSON CSRF trick:
 * `name=value` where the name opens the JSON and the value closes it).
 */
export function jsonAsTextPlain(body: Record<string, string>): Record<string, string> {
  const json = JSON.stringify({ ...body, pad: '' });
  return { [json.slice(0, -2)]: '"}' };
}
