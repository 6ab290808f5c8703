/**
 * The console's code is TypeScript (`web/src/*.ts`, type-checked by `npm run typecheck` together
 * with the server, whose admin API response types it imports). At start-up esbuild bundles it —
 * with uPlot and uPlot's stylesheet — into memory, once: `app.js` and `app.css`, each served with
 * a content hash as its ETag. Nothing is written to disk and nothing is fetched at run time.
 * https://esbuild.github.io/api/#write
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface BundledFile {
  body: Buffer;
  etag: string;
  type: string;
}
export type Bundle = Map<string, BundledFile>;

const ENTRY = fileURLToPath(new URL('../../web/src/app.ts', import.meta.url));
const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

async function bundle(): Promise<Bundle> {
  const out = await build({
    entryPoints: { app: ENTRY },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: ['chrome111', 'firefox111', 'safari16.4'],
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
    outdir: '/console', // virtual: only names the output files
  });
  const files: Bundle = new Map();
  for (const f of out.outputFiles) {
    const name = f.path.slice(f.path.lastIndexOf('/') + 1);
    const ext = name.slice(name.lastIndexOf('.'));
    const type = TYPES[ext];
    if (!type) continue;
    const body = Buffer.from(f.contents);
    files.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
  }
  return files;
}

let built: Promise<Bundle> | undefined;

/** The bundle, built on the first call (the gateway calls this at start-up) and kept for the process' life. */
export function consoleBundle(): Promise<Bundle> {
  built ??= bundle();
  return built;
}
