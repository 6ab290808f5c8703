/** Writes docs/errors.md from the error table (`npm run docs:errors`). */
import { writeFileSync } from 'node:fs';
import { ERROR_CODES } from '../src/core/error-codes.ts';
import { errorDocsMarkdown } from './error-docs.ts';

writeFileSync('docs/errors.md', errorDocsMarkdown());
console.log(`docs/errors.md: ${Object.keys(ERROR_CODES).length} error codes`);
