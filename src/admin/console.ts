/**
 * Serves the web console at `GET /console`: `app.js` and `app.css` from the in-memory bundle of
 * `web/src/` (console/bundle.ts; ETag + If-None-Match), the page and stylesheet from `web/`.
 * Other assets at `GET /console/<file>`: only files with a known extension inside `web/` are
 * served (no dotfiles, no `..`, no encoded separators, symlinks resolved and re-checked), with
 * their content type and a strict Content-Security-Policy: the console talks to nothing but
 * this gateway.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { consoleBundle } from '../console/bundle.ts';
import { notFound } from '../core/errors.ts';
import type { Route } from '../http/server.ts';

const WEB_ROOT = resolve(fileURLToPath(new URL('../../web/', import.meta.url)));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-cache',
};

/** Maps `/console/<rest>` to a file inside web/, or undefined when it must not be served. */
export async function resolveAsset(rest: string, root = WEB_ROOT): Promise<string | undefined> {
  let rel: string;
  try {
    rel = decodeURIComponent(rest);
  } catch {
    return undefined;
  }
  if (!rel || rel.endsWith('/')) rel += 'index.html';
  if (rel.includes('\0') || rel.includes('\\')) return undefined;
  const segs = rel.split('/');
  if (segs.some((s) => s === '' || s === '.' || s === '..' || s.startsWith('.'))) return undefined;
  if (!TYPES[extname(rel).toLowerCase()]) return undefined;
  const file = resolve(root, ...segs);
  if (!file.startsWith(root + sep)) return undefined;
  try {
    const real = await realpath(file);
    const realRoot = await realpath(root);
    if (!real.startsWith(realRoot + sep)) return undefined;
    if (!(await stat(real)).isFile()) return undefined;
    return real;
  } catch {
    return undefined;
  }
}

async function serve(req: IncomingMessage, res: ServerResponse, rest: string, requestId: string): Promise<void> {
  const bundled = (await consoleBundle()).get(rest);
  if (bundled) {
    const fresh = req.headers['if-none-match'] === bundled.etag;
    res.writeHead(fresh ? 304 : 200, {
      ...SECURITY_HEADERS,
      etag: bundled.etag,
      'x-request-id': requestId,
      ...(fresh ? {} : { 'content-type': bundled.type, 'content-length': String(bundled.body.length) }),
    });
    res.end(fresh ? undefined : bundled.body);
    return;
  }
  const file = await resolveAsset(rest);
  if (!file) throw notFound(`Not found: /console/${rest}`);
  const body = await readFile(file);
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': TYPES[extname(file).toLowerCase()]!,
    'content-length': String(body.length),
    'x-request-id': requestId,
  });
  res.end(body);
}

/** Entries for the gateway's route table. */
export function consoleRoutes(): Route[] {
  // Build the bundle now, at start-up, rather than on the first page load (errors surface there).
  consoleBundle().catch(() => {});
  return [
    {
      method: 'GET',
      path: '/console',
      surface: 'admin',
      handler: (_rt, req, res, requestId) => {
        req.resume();
        return serve(req, res, '', requestId);
      },
    },
    {
      method: 'GET',
      path: '/console/',
      surface: 'admin',
      prefix: true,
      handler: (_rt, req, res, requestId, param) => {
        req.resume();
        return serve(req, res, param ?? '', requestId);
      },
    },
  ];
}
