#!/usr/bin/env node
// Compiles src/ to dist/ (tsc, tsconfig.build.json) and copies the data files the code reads at run
// time (*.json beside the modules). `npm install` runs it (the `prepare` script); `npm start` runs it
// when dist/ is missing or older than src/. dist/ mirrors src/ one level deep, so paths the code
// resolves from its own URL (the console's ../../web/) point at the same places.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const STAMP = join(root, 'dist', '.built');

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/** The newest modification time of anything the build reads (ms). */
export function sourceMtime() {
  let t = 0;
  for (const f of [...walk(join(root, 'src')), join(root, 'tsconfig.json'), join(root, 'tsconfig.build.json'), join(root, 'package.json')]) {
    t = Math.max(t, statSync(f).mtimeMs);
  }
  return t;
}

/** True when dist/ is missing or older than the sources. */
export function stale() {
  try {
    return statSync(STAMP).mtimeMs < sourceMtime();
  } catch {
    return true;
  }
}

export function build({ quiet = false } = {}) {
  const started = Date.now();
  let tsc;
  try {
    tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    throw new Error('cannot build dist/: the `typescript` package is not installed (run `npm install`, which builds, or `npm run build`)');
  }
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) throw new Error(`tsc failed (exit ${r.status})`);
  for (const f of walk(join(root, 'src'))) {
    if (!f.endsWith('.json')) continue;
    const to = join(root, 'dist', relative(join(root, 'src'), f));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(f, to);
  }
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  if (!quiet) console.error(`built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    build();
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
