// Every benchmark, one after the other (they must not share the two cores): npm run bench.
import { spawnSync } from 'node:child_process';

for (const script of ['verify.ts', 'http.ts', 'users-search.ts', 'login-storm.ts']) {
  const path = new URL(script, import.meta.url).pathname;
  process.stdout.write(`\n== bench/${script}\n`);
  const { status } = spawnSync(process.execPath, ['--import', 'tsx', path], { stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
}
