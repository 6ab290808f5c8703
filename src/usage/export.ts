/**
 * Every usage event of a period, streamed: keyset pages of 1,000 by (created_at, id), each written
 * (waiting for the stream to drain) before the next is read, so memory stays flat however long
 * the period. CSV (RFC 4180 quoting) or JSON lines; money as exact decimal USD strings.
 */
import type { Writable } from 'node:stream';
import type { Kysely, Selectable } from 'kysely';
import type { DB } from '../store/schema.ts';
import { picoToUsd } from '../core/money.ts';
import { isSimulatedUpstream } from '../config/config.ts';

export interface ExportQuery {
  orgId: string;
  sinceMs?: number;
  untilMs?: number;
  format: 'csv' | 'jsonl';
}

const COLUMNS = [
  'id',
  'created_at',
  'month',
  'day',
  'org_id',
  'workspace_id',
  'key_id',
  'model',
  'upstream',
  'simulated',
  'surface',
  'status',
  'outcome',
  'stream',
  'input_tokens',
  'output_tokens',
  'cache_write_5m_tokens',
  'cache_write_1h_tokens',
  'cache_read_tokens',
  'web_search_requests',
  'web_fetch_requests',
  'code_execution_requests',
  'speed',
  'service_tier',
  'inference_geo',
  'price_variant',
  'estimated',
  'anomaly',
  'cost_usd',
  'upstream_cost_usd',
  'price_id',
  'latency_ms',
  'ttft_ms',
] as const;

function view(r: Selectable<DB['usage_events']>): Record<(typeof COLUMNS)[number], string | number | boolean | null> {
  const num = (v: unknown) => (v == null ? null : Number(v));
  return {
    id: r.id,
    created_at: new Date(Number(r.created_at)).toISOString(),
    month: r.month,
    day: r.day,
    org_id: r.org_id,
    workspace_id: r.workspace_id,
    key_id: r.key_id,
    model: r.model,
    upstream: r.upstream,
    simulated: isSimulatedUpstream(r.upstream),
    surface: r.surface,
    status: num(r.status),
    outcome: r.outcome,
    stream: Boolean(Number(r.stream)),
    input_tokens: num(r.input_tokens),
    output_tokens: num(r.output_tokens),
    cache_write_5m_tokens: num(r.cache_write_5m_tokens),
    cache_write_1h_tokens: num(r.cache_write_1h_tokens),
    cache_read_tokens: num(r.cache_read_tokens),
    web_search_requests: num(r.web_search_requests),
    web_fetch_requests: num(r.web_fetch_requests ?? 0),
    code_execution_requests: num(r.code_execution_requests ?? 0),
    speed: r.speed ?? null,
    service_tier: r.service_tier ?? null,
    inference_geo: r.inference_geo ?? null,
    price_variant: r.price_variant || null,
    estimated: Boolean(Number(r.estimated)),
    anomaly: r.anomaly ?? null,
    cost_usd: picoToUsd(BigInt(r.cost)),
    upstream_cost_usd: picoToUsd(BigInt(r.upstream_cost)),
    price_id: num(r.price_id),
    latency_ms: num(r.latency_ms),
    ttft_ms: num(r.ttft_ms),
  };
}

/** RFC 4180: quote a field holding a comma, quote, CR or LF; double inner quotes. A leading =+-@ is prefixed with ' (no formula injection in spreadsheets). */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const write = (out: Writable, chunk: string) =>
  new Promise<void>((resolve, reject) => {
    if (out.write(chunk)) return resolve();
    const onDrain = () => {
      out.off('error', onErr);
      resolve();
    };
    const onErr = (e: Error) => {
      out.off('drain', onDrain);
      reject(e);
    };
    out.once('drain', onDrain).once('error', onErr);
  });

/** Streams the events to `out`; returns how many were written. */
export async function exportEvents(db: Kysely<DB>, q: ExportQuery, out: Writable, pageSize = 1000): Promise<number> {
  if (q.format === 'csv') await write(out, COLUMNS.join(',') + '\r\n');
  let after: { at: bigint; id: string } | null = null;
  let n = 0;
  for (;;) {
    let b = db.selectFrom('usage_events').selectAll().where('org_id', '=', q.orgId);
    if (q.sinceMs !== undefined) b = b.where('created_at', '>=', BigInt(q.sinceMs));
    if (q.untilMs !== undefined) b = b.where('created_at', '<', BigInt(q.untilMs));
    if (after) {
      const a = after;
      b = b.where((eb) => eb.or([eb('created_at', '>', a.at), eb.and([eb('created_at', '=', a.at), eb('id', '>', a.id)])]));
    }
    const rows = await b.orderBy('created_at').orderBy('id').limit(pageSize).execute();
    if (!rows.length) return n;
    let chunk = '';
    for (const r of rows) {
      const v = view(r);
      chunk += q.format === 'csv' ? COLUMNS.map((c) => csvField(v[c])).join(',') + '\r\n' : JSON.stringify(v) + '\n';
    }
    await write(out, chunk);
    n += rows.length;
    const last = rows[rows.length - 1]!;
    after = { at: BigInt(last.created_at), id: last.id };
  }
}
