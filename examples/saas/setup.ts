/**
 * One-time setup against a running Tessera: the OAuth clients and a demo user. The clients are
 * created in Tessera's database, as `tessera clients create` does beside a running server:
 *
 *   tessera clients create --name acme-analytics --scope reports:read --audience reports-api --json
 *   tessera clients create --name saas-services --scope tessera:revocations --json
 *
 * A client secret is shown once and only its hash is stored, so the credentials are kept in
 * `<data dir>/credentials.json` (mode 600, git-ignored) and reused while they still work: setup
 * can run on every start.
 *
 * Run alone, beside a Tessera started with the same TESSERA_* variables:
 *   npx tsx examples/saas/setup.ts
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withCore } from '../../src/cli/open.js';
import { loadConfig } from '../../src/config.js';
import {
  DATA_DIR,
  fail,
  isMain,
  REPORTS_AUDIENCE,
  REPORTS_SCOPE,
  setting,
  type Env,
} from './common.js';
import type { Core } from '../../src/core/tessera.js';
import type { ClientCredentials } from '../../src/verify/index.js';

/** What setup creates. */
export interface Credentials {
  /** The third-party integration: client credentials for the reports API. */
  integration: ClientCredentials;
  /** The SaaS's own services: they read Tessera's revocation feed with it. */
  feed: ClientCredentials;
  /** A user to log in with. */
  demo: { email: string; password: string };
}

/** The demo user; any passphrase that passes Tessera's password policy would do. */
export const DEMO_USER = { email: 'demo@example.com', password: 'correct horse battery staple' };

/** Creates what is missing and returns every credential. */
export async function setup(options: {
  /** Tessera's TESSERA_* variables: setup opens the same database. */
  tesseraEnv: Env;
  /** Where credentials.json is kept. */
  dataDir: string;
}): Promise<Credentials> {
  const config = loadConfig({ env: options.tesseraEnv });
  const file = join(options.dataDir, 'credentials.json');
  const saved = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Credentials>)
    : {};
  const { integration, feed } = await withCore(config, async (core) => ({
    integration: await ensureClient(core, saved.integration, {
      name: 'acme-analytics',
      scopes: [REPORTS_SCOPE],
      audiences: [REPORTS_AUDIENCE],
    }),
    feed: await ensureClient(core, saved.feed, {
      name: 'saas-services',
      scopes: ['tessera:revocations'],
      audiences: [],
    }),
  }));
  await signUp(config.issuer, DEMO_USER);
  const credentials: Credentials = { integration, feed, demo: DEMO_USER };
  mkdirSync(options.dataDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  return credentials;
}

/** The saved client when its secret still authenticates, else a new one. */
async function ensureClient(
  core: Core,
  saved: ClientCredentials | undefined,
  spec: { name: string; scopes: string[]; audiences: string[] },
): Promise<ClientCredentials> {
  if (
    saved !== undefined &&
    (await core.clients.authenticate(saved.clientId, saved.clientSecret))
  ) {
    return saved;
  }
  const { client, secret } = await core.clients.create(spec);
  return { clientId: client.id, clientSecret: secret };
}

/** Signs the user up over HTTP, as anyone would; an existing account is fine. */
async function signUp(issuer: string, user: { email: string; password: string }): Promise<void> {
  const response = await fetch(`${issuer}/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(user),
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status === 201 || response.status === 409) return;
  throw new Error(`signing up ${user.email}: ${response.status} ${await response.text()}`);
}

if (isMain(import.meta.url)) {
  const dataDir = setting(process.env, 'SAAS_DATA_DIR', DATA_DIR);
  const credentials = await setup({ tesseraEnv: process.env, dataDir }).catch(fail('setup'));
  console.log(JSON.stringify(credentials, null, 2));
}
