/**
 * `/healthz`: the process is alive (always 200 while it answers). `/readyz`: this instance can
 * serve — database reachable, Redis reachable (when configured), every migration applied,
 * upstreams configured, usage writes succeeding, not shutting down — 200, or 503 with the
 * checks that failed. Failure details name the check and a short reason, never a URL or secret.
 */
import type { ServerResponse } from 'node:http';
import type { Route } from './server.ts';

export interface Check {
  ok: boolean;
  detail?: string;
  ms?: number;
}

export interface ReadinessProbe {
  draining(): boolean;
  database(): Promise<void>;
  /** Undefined: no Redis configured. */
  redis?: () => Promise<void>;
  /** Names of migrations this build knows that the database has not applied. */
  missingMigrations(): Promise<string[]>;
  upstreams(): { count: number; simulated: boolean };
  usage(): { pending: number; failing: boolean };
}

const TIMEOUT_MS = 2_000;

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      t = setTimeout(() => reject(new Error('timed out')), ms);
    }),
  ]).finally(() => clearTimeout(t));
}

/** A short, secret-free reason: an error code or class name, never the message (it may carry a URL). */
function reason(e: unknown): string {
  const err = e as { code?: unknown; message?: string; name?: string };
  if (err?.message === 'timed out') return 'timed out';
  return typeof err?.code === 'string' ? err.code : (err?.name ?? 'error');
}

async function timed(f: () => Promise<void>): Promise<Check> {
  const t0 = performance.now();
  try {
    await within(f(), TIMEOUT_MS);
    return { ok: true, ms: Math.round((performance.now() - t0) * 10) / 10 };
  } catch (e) {
    return { ok: false, detail: reason(e), ms: Math.round(performance.now() - t0) };
  }
}

export async function readiness(p: ReadinessProbe): Promise<{ ready: boolean; checks: Record<string, Check> }> {
  const [database, redis, migrations] = await Promise.all([
    timed(p.database),
    p.redis ? timed(p.redis) : Promise.resolve<Check>({ ok: true, detail: 'not configured' }),
    within(p.missingMigrations(), TIMEOUT_MS).then(
      (missing): Check => (missing.length ? { ok: false, detail: `not applied: ${missing.join(', ')}` } : { ok: true }),
      (e): Check => ({ ok: false, detail: reason(e) }),
    ),
  ]);
  const ups = p.upstreams();
  const u = p.usage();
  const checks: Record<string, Check> = {
    database,
    redis,
    migrations,
    upstreams: ups.count
      ? { ok: true, detail: ups.simulated ? 'simulated upstream (no provider key configured)' : `${ups.count} configured` }
      : { ok: false, detail: 'no upstream configured' },
    usage_writer: u.failing ? { ok: false, detail: `writes failing, ${u.pending} events queued` } : { ok: true, detail: `${u.pending} queued` },
    accepting: p.draining() ? { ok: false, detail: 'shutting down' } : { ok: true },
  };
  return { ready: Object.values(checks).every((c) => c.ok), checks };
}

function json(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(text)) }).end(text);
}

export function healthRoutes(probe: ReadinessProbe): Route[] {
  return [
    {
      method: 'GET',
      path: '/healthz',
      surface: 'plain',
      handler: (_rt, req, res) => {
        req.resume();
        json(res, 200, { ok: true });
      },
    },
    {
      method: 'GET',
      path: '/readyz',
      surface: 'plain',
      handler: async (_rt, req, res) => {
        req.resume();
        const r = await readiness(probe);
        json(res, r.ready ? 200 : 503, { ready: r.ready, checks: r.checks });
      },
    },
  ];
}
