/**
 * What the example's processes share: settings from the environment, the origins a local
 * service is reached at, and a clean stop on Ctrl-C or SIGTERM. Nothing here is Tessera's API.
 */
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Every process listens on loopback only: the example is not meant to be reachable. */
export const HOST = '127.0.0.1';

/** Where the example keeps Tessera's database and the demo credentials, unless SAAS_DATA_DIR says otherwise. */
export const DATA_DIR = fileURLToPath(new URL('.data', import.meta.url));

/** The audience integrations ask for (`resource=reports-api`) and the reports API requires. */
export const REPORTS_AUDIENCE = 'reports-api';

/** The scope the reports API requires. */
export const REPORTS_SCOPE = 'reports:read';

/** A running service of the example. */
export interface Service {
  /** Where it listens. */
  url: string;
  /** Stops listening, lets requests in flight finish, and closes its verifier. */
  close(): Promise<void>;
}

/** The environment a process reads its settings from. */
export type Env = Record<string, string | undefined>;

/** A required or defaulted setting; a missing required one stops the start with its name. */
export function setting(env: Env, name: string, fallback?: string): string {
  const value = env[name] ?? fallback;
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

/** A port setting, 0–65535. */
export function portSetting(env: Env, name: string, fallback: number): number {
  const raw = env[name] ?? String(fallback);
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) throw new Error(`${name} must be a port (got "${raw}")`);
  return port;
}

/**
 * The origins a browser may show a local service under. Both spellings are listed because
 * `localhost` and `127.0.0.1` are different origins, and people type either.
 */
export function localOrigins(port: number): string[] {
  return [`http://${HOST}:${port}`, `http://localhost:${port}`];
}

/** Whether the module at `url` is the script node was started with (not an import). */
export function isMain(url: string): boolean {
  const script = process.argv[1];
  return script !== undefined && pathToFileURL(resolve(script)).href === url;
}

/** Runs `close` once on SIGINT or SIGTERM, then exits; a close that hangs is cut after 5 s. */
export function stopOnSignals(name: string, close: () => Promise<void>): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), 5_000).unref();
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`${name}: stopping failed`, error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** Prints an error that stopped a start, and exits with a failure. */
export function fail(name: string) {
  return (error: unknown): never => {
    console.error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  };
}
