#!/usr/bin/env node
// `npm start`: runs the compiled gateway (dist/main.js), building it first when dist/ is missing or
// older than src/ (a fresh clone whose `npm install` skipped scripts, or an edited checkout).
// TOLLGATE_NO_BUILD=1 skips the check (containers ship a built dist/ and no compiler).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(root, 'dist', 'main.js');
if (process.env.TOLLGATE_NO_BUILD !== '1' && existsSync(join(root, 'src'))) {
  const { build, stale } = await import('./build.mjs');
  if (stale()) {
    console.error('dist/ is missing or older than src/: building…');
    try {
      build();
    } catch (e) {
      console.error(e.message);
      process.exit(1);
    }
  }
}
process.setSourceMapsEnabled(true);
await import(pathToFileURL(main).href);
