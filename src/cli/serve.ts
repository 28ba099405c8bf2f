import { loadConfig } from '../config.js';
import { startServer } from '../server/start.js';
import type { ParsedArgs } from './args.js';

/** `tessera serve`: runs the server until SIGINT or SIGTERM, then shuts down gracefully. */
export async function serve(args: ParsedArgs): Promise<void> {
  const config = loadConfig({ env: process.env, flags: args.flags });
  const server = await startServer(config);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.app.log.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
