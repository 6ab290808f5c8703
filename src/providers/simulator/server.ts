/**
 * The simulated upstream as a real `node:http` server (127.0.0.1, ephemeral port by default).
 * Used when the operator configures no provider key: it speaks Anthropic Messages and OpenAI
 * Chat Completions with deterministic text and usage, including prompt-cache accounting.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RouteOptions, errorResponse, routeSimulated, surfaceOf } from './router.ts';
import { SimState } from './state.ts';
import type { SimResponse } from './types.ts';
import { type Clock, systemClock } from '../../core/clock.ts';

/** Largest accepted request body (Anthropic's Messages limit). */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface SimulatorOptions {
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Length of generated replies in code points (default 160). */
  textChars?: number;
  /** Clock for cache TTLs and `created` stamps. Default the system clock. */
  clock?: Clock;
  /** Minimum cacheable prefix, in tokens (default 0). */
  minCacheTokens?: number;
  /** Ids listed by GET /v1/models. */
  models?: readonly string[];
  /** Share a cache/id state (e.g. across restarts in tests). */
  state?: SimState;
}

export interface SimulatorHandle {
  url: string;
  port: number;
  /** The cache/id state (tests may inspect or clear it). */
  state: SimState;
  close(): Promise<void>;
}

/** Reads a request body as UTF-8; resolves null when it exceeds `limit` bytes. */
export function readBody(req: http.IncomingMessage, limit = MAX_BODY_BYTES): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Writes a SimResponse in one go (JSON with content-length, or all SSE frames). */
export function writeSimResponse(res: http.ServerResponse, r: SimResponse): void {
  if (r.frames) {
    res.writeHead(r.status, r.headers);
    for (const f of r.frames) res.write(f);
    res.end();
    return;
  }
  const body = r.body ?? '';
  res.writeHead(r.status, { ...r.headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

/** Path of a request URL without its query string. */
export const pathOf = (url: string | undefined): string => {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q < 0 ? u : u.slice(0, q);
};

/** Starts the simulator; resolves once it listens. */
export async function startSimulator(opts: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const state = opts.state ?? new SimState({ minCacheTokens: opts.minCacheTokens });
  const clock = opts.clock ?? systemClock;
  const routeOpts: RouteOptions = { textChars: opts.textChars, models: opts.models };
  const server = http.createServer(async (req, res) => {
    const path = pathOf(req.url);
    try {
      const raw = await readBody(req);
      if (raw === null) return writeSimResponse(res, errorResponse(surfaceOf(path), 413));
      const r = routeSimulated({ method: req.method ?? 'GET', path, headers: req.headers, rawBody: raw }, state, clock.now(), routeOpts);
      writeSimResponse(res, r);
    } catch (e) {
      if (!res.headersSent) writeSimResponse(res, errorResponse(surfaceOf(path), 500, `Simulator failure: ${(e as Error).message}`));
      else res.destroy();
    }
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    port: addr.port,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
