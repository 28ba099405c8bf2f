// Rewrites the README configuration table from `tessera help config` (the docs test checks it).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const table = execFileSync(
  process.execPath,
  ['--import', 'tsx', 'src/cli/main.ts', 'help', 'config'],
  {
    encoding: 'utf8',
  },
).trimEnd();
const readme = readFileSync('README.md', 'utf8');
const next = readme.replace(
  /<!-- config:start -->\n[\s\S]*?\n<!-- config:end -->/,
  `<!-- config:start -->\n${table}\n<!-- config:end -->`,
);
writeFileSync('README.md', next);
