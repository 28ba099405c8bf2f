// The benchmarks, one after the other (they must not share the two cores).
//   npm run bench [-- --quick]   `tessera bench`, then bench/routes.ts (the peers' HTTP routes)
//   npm run bench:all            the same, then the older single-topic scripts below
// `tessera bench` lives in src/ so that it runs from the published package; the peers need
// frameworks that are only devDependencies, so their bench lives here and src/ never imports it.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2).filter((arg) => arg === '--quick');
const all = process.argv.includes('--all');
const here = (path: string) => new URL(path, import.meta.url).pathname;
const steps: [string, string[]][] = [
  ['tessera bench', [here('../src/cli/main.ts'), 'bench', ...args]],
  ['bench/routes.ts', [here('routes.ts'), ...args]],
  ...(all
    ? (['verify.ts', 'http.ts', 'users-search.ts'].map((script) => [
        `bench/${script}`,
        [here(script)],
      ]) as [string, string[]][])
    : []),
];
for (const [name, argv] of steps) {
  process.stdout.write(`\n== ${name}\n`);
  const { status } = spawnSync(process.execPath, ['--import', 'tsx', ...argv], {
    stdio: 'inherit',
  });
  if (status !== 0) process.exit(status ?? 1);
}
