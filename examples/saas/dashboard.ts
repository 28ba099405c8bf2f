/**
 * The dashboard backend, on sessions: an Express app serving a tiny page and a JSON API for the
 * logged-in user, authenticated by Tessera's session cookie.
 *
 * The browser logs in against Tessera, but through this app: `/auth/*` is passed through to
 * Tessera unchanged, so the page, its API and the login share one origin. The session cookie
 * (host-only, `HttpOnly; SameSite=Lax`, `__Host-` over https) is then set for the dashboard's
 * own origin and comes back with every `/api` request, and no CORS is needed. In production a
 * reverse proxy routing `/auth/*` to Tessera does the same without code (see README.md).
 *
 * A real app imports `tessera-verify/express`; the example imports the sources.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { fileURLToPath } from 'node:url';
import express, { type RequestHandler } from 'express';
import { authOf, tesseraAuth } from '../../src/middleware/express.js';
import {
  fail,
  HOST,
  isMain,
  localOrigins,
  portSetting,
  setting,
  stopOnSignals,
  type Service,
} from './common.js';
import type { Principal } from '../../src/middleware/express.js';
import type { AddressInfo } from 'node:net';

/** What the dashboard needs to know. */
export interface DashboardOptions {
  /** Tessera's issuer URL. */
  issuer: string;
  port: number;
  /** The origins the page is served under: the only ones allowed to send cookie-authenticated writes. */
  origins: string[];
}

interface Project {
  id: number;
  name: string;
}

const page = readFileSync(fileURLToPath(new URL('dashboard.html', import.meta.url)), 'utf8');

/** Starts the dashboard. */
export async function startDashboard(options: DashboardOptions): Promise<Service> {
  const app = express();
  app.disable('x-powered-by');

  // First, before any body parser: Tessera's browser API, on this origin.
  app.use('/auth', passThrough(options.issuer));

  app.get('/', (_req, res) => {
    res.type('html').send(page);
  });
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });

  // Everything under /api needs a valid session cookie. The middleware asks Tessera
  // (`GET /auth/session`) on every request, so a logout or a revoked session ends access at
  // once; writes also need the session's CSRF token in X-CSRF-Token and an allowed Origin.
  app.use(
    '/api',
    tesseraAuth({
      accept: 'session',
      session: { issuer: options.issuer },
      allowedOrigins: options.origins,
    }),
  );

  const projects = new Map<string, Project[]>();
  const projectsOf = (userId: string): Project[] => {
    let list = projects.get(userId);
    if (list === undefined) {
      // Demo data: every new user starts with two projects.
      list = [
        { id: 1, name: 'Website relaunch' },
        { id: 2, name: 'Quarterly report' },
      ];
      projects.set(userId, list);
    }
    return list;
  };

  app.get('/api/projects', (_req, res) => {
    const auth = authOf(res);
    res.json({
      user: { id: auth.subject, email: emailOf(auth) },
      projects: projectsOf(auth.subject),
    });
  });

  app.post('/api/projects', express.json({ limit: '4kb' }), (req, res) => {
    const name = (req.body as { name?: unknown } | undefined)?.name;
    if (typeof name !== 'string' || name.trim() === '' || name.length > 80) {
      res.status(400).json({ error: 'the body must be {"name": "<1 to 80 characters>"}' });
      return;
    }
    const list = projectsOf(authOf(res).subject);
    const project = { id: list.length + 1, name: name.trim() };
    list.push(project);
    res.status(201).json({ project });
  });

  const server = app.listen(options.port, HOST);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${HOST}:${port}`,
    async close() {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeIdleConnections();
      await closed;
    },
  };
}

/** The user's email, from what Tessera's session check answered. */
function emailOf(auth: Principal): string | undefined {
  if (auth.via !== 'session') return undefined;
  return (auth.session.details as { user?: { email?: string } } | undefined)?.user?.email;
}

// RFC 9110 §7.6.1: these describe one connection, not the message, and are not forwarded.
const hopByHop = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

function forwardable(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const copy = { ...headers };
  for (const name of hopByHop) delete copy[name];
  return copy;
}

/**
 * Passes requests through to Tessera as they are — method, path, headers (cookie and Origin
 * included), body — and its answers back (Set-Cookie included). The path always starts with
 * `/auth` (the mount point), so the target can only be Tessera.
 */
function passThrough(tessera: string): RequestHandler {
  return (req, res) => {
    const headers = forwardable(req.headers);
    delete headers.host;
    const upstream = request(
      `${tessera}${req.originalUrl}`,
      { method: req.method, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, forwardable(answer.headers));
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (res.headersSent) res.destroy();
      else res.status(502).json({ error: 'Tessera did not answer' });
    });
    req.pipe(upstream);
  };
}

if (isMain(import.meta.url)) {
  const env = process.env;
  const port = portSetting(env, 'DASHBOARD_PORT', 3000);
  const service = await startDashboard({
    issuer: setting(env, 'TESSERA_URL', 'http://127.0.0.1:8080'),
    port,
    origins: localOrigins(port),
  }).catch(fail('dashboard'));
  console.log(`dashboard listening on ${service.url}`);
  stopOnSignals('dashboard', () => service.close());
}
