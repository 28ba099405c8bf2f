/**
 * The one command: starts Tessera, sets up the clients and the demo user, starts the dashboard,
 * the reports API and the worker, prints the URLs and a curl walk-through, and stops everything
 * on Ctrl-C or SIGTERM.
 *
 *   npm run example:saas        (or: npx tsx examples/saas/run.ts)
 *
 * Ports come from TESSERA_PORT, DASHBOARD_PORT, REPORTS_PORT and WORKER_PORT (8080, 3000, 3001,
 * 3002); the data directory from SAAS_DATA_DIR (examples/saas/.data).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DATA_DIR,
  fail,
  HOST,
  isMain,
  localOrigins,
  portSetting,
  REPORTS_AUDIENCE,
  setting,
  type Env,
} from './common.js';
import { Child, type OnOutput } from './processes.js';
import { setup, type Credentials } from './setup.js';

/** Where each process listens. */
export interface Ports {
  tessera: number;
  dashboard: number;
  reports: number;
  worker: number;
}

/** How to start the example. */
export interface SaasOptions {
  ports: Ports;
  /** Tessera's SQLite database and credentials.json live here. */
  dataDir: string;
  /** More TESSERA_* variables for the server (they win over the example's). */
  tesseraEnv?: Env;
  /** Receives every line the processes write; by default their output is dropped. */
  onOutput?: OnOutput;
}

/** The running example. */
export interface RunningSaas {
  urls: { tessera: string; dashboard: string; reports: string; worker: string };
  credentials: Credentials;
  /** Stops the services, then Tessera. */
  stop(): Promise<void>;
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const tesseraCli = here('../../src/cli/main.ts');

/** The ports the environment asks for, or the defaults. */
export function portsFromEnv(env: Env): Ports {
  return {
    tessera: portSetting(env, 'TESSERA_PORT', 8080),
    dashboard: portSetting(env, 'DASHBOARD_PORT', 3000),
    reports: portSetting(env, 'REPORTS_PORT', 3001),
    worker: portSetting(env, 'WORKER_PORT', 3002),
  };
}

/** Starts every process and resolves once all of them answer; on failure, stops what started. */
export async function startSaas(options: SaasOptions): Promise<RunningSaas> {
  const { ports, dataDir, onOutput } = options;
  mkdirSync(dataDir, { recursive: true });
  const issuer = `http://${HOST}:${ports.tessera}`;
  const urls = {
    tessera: issuer,
    dashboard: `http://${HOST}:${ports.dashboard}`,
    reports: `http://${HOST}:${ports.reports}`,
    worker: `http://${HOST}:${ports.worker}`,
  };
  const tesseraEnv: Env = {
    TESSERA_HOST: HOST,
    TESSERA_PORT: String(ports.tessera),
    TESSERA_ISSUER: issuer,
    TESSERA_DATABASE_URL: `sqlite:${join(dataDir, 'tessera.db')}`,
    // The browser logs in from the dashboard's origin (through its /auth pass-through).
    TESSERA_ALLOWED_ORIGINS: [issuer, ...localOrigins(ports.dashboard)].join(','),
    // The SaaS's own apps (SPA, mobile, CLI) may read the user's reports with their tokens.
    TESSERA_FIRST_PARTY_SCOPES: 'account reports:read',
    TESSERA_LOG_LEVEL: 'warn',
    ...options.tesseraEnv,
  };

  let tessera: Child | undefined;
  const services: Child[] = [];
  const stop = async () => {
    // Services first: they hold open feed streams to Tessera.
    await Promise.all(services.map((child) => child.stop()));
    await tessera?.stop();
  };
  try {
    tessera = Child.start('tessera', tesseraCli, ['serve'], tesseraEnv, onOutput);
    await tessera.ready(`${issuer}/readyz`);
    const credentials = await setup({ tesseraEnv, dataDir });

    const shared: Env = {
      TESSERA_URL: issuer,
      FEED_CLIENT_ID: credentials.feed.clientId,
      FEED_CLIENT_SECRET: credentials.feed.clientSecret,
    };
    const start = (name: string, file: string, env: Env) => {
      const child = Child.start(name, here(file), [], { ...shared, ...env }, onOutput);
      services.push(child);
      return child;
    };
    const dashboard = start('dashboard', 'dashboard.ts', {
      DASHBOARD_PORT: String(ports.dashboard),
    });
    const reports = start('reports-api', 'reports-api.ts', { REPORTS_PORT: String(ports.reports) });
    const worker = start('worker', 'worker.ts', { WORKER_PORT: String(ports.worker) });
    await Promise.all([
      dashboard.ready(`${urls.dashboard}/healthz`),
      reports.ready(`${urls.reports}/healthz`),
      worker.ready(`${urls.worker}/healthz`),
    ]);
    return { urls, credentials, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** What to try, with the real URLs and credentials filled in. */
export function walkthrough({ urls, credentials }: RunningSaas): string {
  const { integration, demo } = credentials;
  const json = `-H 'content-type: application/json'`;
  const login = JSON.stringify({ email: demo.email, password: demo.password });
  const tokenLogin = JSON.stringify({ ...demo, refresh: 'body' });
  const accessToken = `node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token'`;
  return `
  Tessera      ${urls.tessera}
  Dashboard    ${urls.dashboard}    open it, log in as ${demo.email} / ${demo.password}
  Reports API  ${urls.reports}    bearer tokens with reports:read
  Worker       ${urls.worker}    bearer tokens of the SaaS's own apps

# 1. The integration gets a token (client credentials) and reads reports
TOKEN=$(curl -s -u '${integration.clientId}:${integration.clientSecret}' \\
  -d grant_type=client_credentials -d resource=${REPORTS_AUDIENCE} ${urls.tessera}/oauth/token | ${accessToken})
curl -s ${urls.reports}/reports -H "authorization: Bearer $TOKEN"
curl -si ${urls.reports}/reports            # 401 and a WWW-Authenticate challenge

# 2. A person logs in to the dashboard (session cookie) and lists their projects
curl -s -c jar ${json} -d '${login}' ${urls.dashboard}/auth/session
curl -s -b jar ${urls.dashboard}/api/projects

# 3. An app of the SaaS logs the user in for tokens and sends a job to the worker
USER_TOKEN=$(curl -s ${json} -d '${tokenLogin}' ${urls.tessera}/auth/token | ${accessToken})
curl -s ${urls.worker}/jobs -H "authorization: Bearer $USER_TOKEN" ${json} -d '{"report":"weekly-usage"}'

# 4. The token is revoked at Tessera; the worker and the reports API refuse it at once
curl -s ${urls.tessera}/oauth/revoke -d client_id=tessera -d "token=$USER_TOKEN"
curl -s ${urls.worker}/jobs -H "authorization: Bearer $USER_TOKEN" ${json} -d '{"report":"weekly-usage"}'
curl -s ${urls.reports}/reports -H "authorization: Bearer $USER_TOKEN"
`;
}

if (isMain(import.meta.url)) {
  const dataDir = setting(process.env, 'SAAS_DATA_DIR', DATA_DIR);
  const saas = await startSaas({
    ports: portsFromEnv(process.env),
    dataDir,
    onOutput: (name, line) => console.log(`[${name}] ${line}`),
  }).catch(fail('example:saas'));
  console.log(walkthrough(saas));
  console.log(`Data in ${dataDir}. Ctrl-C stops everything.`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log('stopping…');
    saas.stop().then(() => process.exit(0), fail('example:saas'));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
