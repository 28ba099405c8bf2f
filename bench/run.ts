// Every benchmark, one after the other (they must not share the two cores): npm run bench:all.
// `tessera bench` (npm run bench) first, then the scripts measuring against other libraries.
import { spawnSync } from 'node:child_process';

const cli = new URL('../src/cli/main.ts', import.meta.url).pathname;
process.stdout.write('\n== tessera bench\n');
const first = spawnSync(process.execPath, ['--import', 'tsx', cli, 'bench'], { stdio: 'inherit' });
if (first.status !== 0) process.exit(first.status ?? 1);
for (const script of ['verify.ts', 'http.ts', 'users-search.ts']) {
  const path = new URL(script, import.meta.url).pathname;
  process.stdout.write(`\n== bench/${script}\n`);
  const { status } = spawnSync(process.execPath, ['--import', 'tsx', path], { stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
}
