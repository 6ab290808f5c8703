#!/usr/bin/env node
// `npm run bench [-- --only core,pool --quick]`: the benchmark runs compiled, like `npm start`.
//  1. builds dist/ (scripts/build.mjs) when it is missing or older than src/;
//  2. compiles the bench's own TypeScript (the orchestrator and the worker processes of the ingest,
//     agg and keys phases) with esbuild into bench/.compiled/<pid>/ (removed at exit), every import
//     of src/ rewritten to the same module in dist/ — no phase runs the gateway's code through a
//     TypeScript loader;
//  3. runs the compiled run.js with plain node, passing the arguments on.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { build, stale } from '../scripts/build.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');
const out = join(root, 'bench', '.compiled', String(process.pid));

if (stale()) {
  const t = Date.now();
  console.error('[bench] dist/ is missing or older than src/: building (tsc)…');
  build({ quiet: true });
  console.error(`[bench] built dist/ in ${((Date.now() - t) / 1000).toFixed(0)} s`);
}

/** `../../src/x/y.ts` → `<root>/dist/x/y.js`, left as an import (the compiled build is the code under test). */
const srcToDist = {
  name: 'src-to-dist',
  setup(b) {
    b.onResolve({ filter: /(^|\/)src\// }, (a) => {
      const abs = resolve(a.resolveDir, a.path);
      const rel = relative(src, abs);
      if (rel.startsWith('..')) return undefined;
      return { path: join(dist, rel.replace(/\.ts$/, '.js')), external: true };
    });
  },
};

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await esbuild.build({
  absWorkingDir: root,
  entryPoints: ['bench/run.ts', 'bench/workers/ingest.ts', 'bench/workers/agg.ts', 'bench/workers/keys.ts'],
  outbase: 'bench',
  outdir: out,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
  plugins: [srcToDist],
});

const child = spawn(process.execPath, ['--enable-source-maps', join(out, 'run.js'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, BENCH_ROOT: root, BENCH_COMPILED: out },
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, sig) => {
  rmSync(out, { recursive: true, force: true });
  process.exit(code ?? (sig ? 130 : 1));
});
