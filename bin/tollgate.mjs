#!/usr/bin/env node
// The `tollgate` command: runs the TypeScript CLI through tsx in a checkout (no build step), or the
// compiled CLI (dist/) where only the build ships (the container image).
import { existsSync } from 'node:fs';

if (existsSync(new URL('../src/cli/main.ts', import.meta.url))) {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
} else {
  await import('../dist/cli/main.js');
}
