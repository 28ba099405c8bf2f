// Writes docs/errors.md from the error registry (the docs test checks it); run with tsx loaded.
import { writeFileSync } from 'node:fs';
import { errorsPage } from '../src/core/error-docs.ts';

writeFileSync('docs/errors.md', errorsPage());
