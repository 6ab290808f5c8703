/**
 * Anthropic's usage and cost reports, same paths and shapes
 * (https://docs.claude.com/en/api/admin/usage_report/retrieve_messages,
 * https://docs.claude.com/en/api/admin/cost_report/retrieve):
 *   GET /v1/organizations/usage_report/messages
 *   GET /v1/organizations/cost_report
 * Read from this org's usage events; a workspace-scoped admin key sees its workspace only.
 */
import { invalidRequest } from '../../core/errors.ts';
import { picoToUsd } from '../../core/money.ts';
import type { AdminContext } from '../types.ts';
import { dbOf, sendJson } from '../respond.ts';
import { byBucket } from './aggregate.ts';
import { DIMENSIONS, usageByBucket, type Dimension, type Filters } from '../../usage/events.ts';
import { costLines, loadRates } from './cost-lines.ts';
import { decodePage, encodePage, pageWindow, parseTime, Query, rfc3339Of, type Width, type Window } from './query.ts';

/** Default and maximum `limit` (buckets per page) per bucket width, as Anthropic documents them. */
export const USAGE_LIMITS: Record<Width, { def: number; max: number }> = {
  '1m': { def: 60, max: 1440 },
  '1h': { def: 24, max: 168 },
  '1d': { def: 7, max: 31 },
};

const SERVICE_TIERS = ['standard', 'batch', 'priority', 'priority_on_demand', 'flex', 'flex_discount'];
const CONTEXT_WINDOWS = ['0-200k', '200k-1M'];
const GEOS = ['global', 'us', 'not_available'];
const SPEEDS = ['standard', 'fast'];
/** Group-by values Anthropic accepts; the ones Tollgate has no data for come back null. */
const USAGE_GROUPS = [...DIMENSIONS, 'account_id', 'service_account_id'] as const;

export const rfc3339 = rfc3339Of;
/** Cents as an exact decimal string (pico-USD / 10¹⁰): "123.45" is $1.23. */
export const picoToCentsString = (pico: bigint) => picoToUsd(pico * 100n);

export function scopeFilters(c: AdminContext, q: Query, from: number, to: number): Filters {
  const where: Filters['where'] = {
    api_key_id: q.list('api_key_ids'),
    workspace_id: q.list('workspace_ids'),
    model: q.list('models'),
  };
  if (c.caller.kind === 'admin_key' && c.caller.workspaceId) {
    const ws = c.caller.workspaceId;
    if (where.workspace_id && !where.workspace_id.includes(ws)) where.workspace_id = ['-none-'];
    else where.workspace_id = [ws];
  }
  const orgId = c.caller.kind === 'operator' ? '' : c.caller.orgId;
  return { orgId, from, to, where };
}

/** The page's buckets, and `to`: where its events end (the page's last bucket, or `ending_at` if sooner). */
function window(
  c: AdminContext,
  q: Query,
  widths: readonly Width[],
  limits: Record<string, { def: number; max: number }>,
  defWidth: Width,
): Window & { width: Width; to: number } {
  const startRaw = q.str('starting_at');
  if (!startRaw) throw invalidRequest('starting_at: required (RFC 3339)');
  const start = parseTime('starting_at', startRaw);
  const endRaw = q.str('ending_at');
  const end = endRaw === undefined ? undefined : parseTime('ending_at', endRaw);
  const width = (q.str('bucket_width') ?? defWidth) as Width;
  if (!widths.includes(width)) throw invalidRequest(`bucket_width: must be one of ${widths.join(', ')}`);
  const lim = limits[width]!;
  const limit = q.int('limit', 1, lim.max) ?? lim.def;
  const pageRaw = q.str('page');
  const page = pageRaw === undefined ? undefined : decodePage(pageRaw);
  const w = pageWindow(start, end, width, limit, page, c.rt.clock.now());
  return { ...w, width, to: Math.min(w.from + w.buckets * w.widthMs, end ?? Infinity) };
}

export async function usageReport(c: AdminContext): Promise<void> {
  const q = new Query(c.req);
  const w = window(c, q, ['1m', '1h', '1d'], USAGE_LIMITS, '1d');
  const groupBy = q.list('group_by', USAGE_GROUPS) ?? [];
  const f = scopeFilters(c, q, w.from, w.to);
  f.where.service_tier = q.list('service_tiers', SERVICE_TIERS);
  f.where.context_window = q.list('context_window', CONTEXT_WINDOWS);
  f.where.inference_geo = q.list('inference_geos', GEOS);
  f.where.speed = q.list('speeds', SPEEDS);
  // '-none-' matches no id (ids are `key_…`, `ws_…`); not '\0', which PostgreSQL text cannot hold.
  for (const unsupported of ['account_ids', 'service_account_ids']) {
    // Tollgate has no console-user or service-account attribution: no usage matches such a filter.
    if (q.list(unsupported)) f.where.api_key_id = ['-none-'];
  }
  q.done();
  const dims = groupBy.filter((g): g is Dimension => (DIMENSIONS as readonly string[]).includes(g));
  const rows = await usageByBucket(dbOf(c.rt), f, w.widthMs, dims);
  const data = byBucket(rows, w.buckets).map((list, i) => ({
    starting_at: rfc3339(w.from + i * w.widthMs),
    ending_at: rfc3339(w.from + (i + 1) * w.widthMs),
    results: list.map((r) => ({
      uncached_input_tokens: Number(r.input),
      cache_creation: { ephemeral_1h_input_tokens: Number(r.cw1), ephemeral_5m_input_tokens: Number(r.cw5) },
      cache_read_input_tokens: Number(r.cacheRead),
      output_tokens: Number(r.output),
      server_tool_use: { web_search_requests: Number(r.webSearch) },
      api_key_id: r.dims.api_key_id ?? null,
      workspace_id: r.dims.workspace_id ?? null,
      model: r.dims.model ?? null,
      service_tier: r.dims.service_tier ?? null,
      context_window: r.dims.context_window ?? null,
      inference_geo: r.dims.inference_geo ?? null,
      speed: r.dims.speed ?? null,
      account_id: null,
      service_account_id: null,
    })),
  }));
  sendJson(c.res, c.requestId, 200, { data, has_more: w.next !== null, next_page: w.next === null ? null : encodePage(w.next) });
}

const COST_GROUPS = ['workspace_id', 'description'] as const;

export async function costReport(c: AdminContext): Promise<void> {
  const q = new Query(c.req);
  const w = window(c, q, ['1d'], USAGE_LIMITS, '1d');
  const groupBy = q.list('group_by', COST_GROUPS) ?? [];
  const f = scopeFilters(c, q, w.from, w.to);
  q.done();
  const byWs = groupBy.includes('workspace_id');
  const byDesc = groupBy.includes('description');
  const dims: Dimension[] = [...(byWs ? ['workspace_id' as const] : []), ...(byDesc ? ['model' as const] : [])];
  const db = dbOf(c.rt);
  const rows = await usageByBucket(db, f, w.widthMs, dims, byDesc);
  const rates = byDesc ? await loadRates(db, [...new Set(rows.map((r) => r.priceId).filter((x): x is number => x !== null))]) : new Map();
  const models = c.rt.models();
  const data = byBucket(rows, w.buckets).map((list, i) => {
    const lines = new Map<string, { pico: bigint; out: Record<string, unknown> }>();
    const add = (key: string, pico: bigint, out: Record<string, unknown>) => {
      const l = lines.get(key);
      if (l) l.pico += pico;
      else lines.set(key, { pico, out });
    };
    for (const r of list) {
      const ws = byWs ? (r.dims.workspace_id ?? null) : null;
      if (!byDesc) {
        add(`${ws}`, r.cost, { workspace_id: ws });
        continue;
      }
      const model = r.dims.model ?? null;
      const name = (model && models.resolve(model)?.displayName) || model;
      for (const l of costLines(r, r.priceId === null ? undefined : rates.get(r.priceId))) {
        add(`${ws}\0${model}\0${l.tokenType ?? l.costType}`, l.pico, {
          workspace_id: ws,
          description: `${name} Usage - ${l.label}`,
          cost_type: l.costType,
          model,
          token_type: l.tokenType,
        });
      }
    }
    return {
      starting_at: rfc3339(w.from + i * w.widthMs),
      ending_at: rfc3339(w.from + (i + 1) * w.widthMs),
      results: [...lines.values()].map((l) => ({
        currency: 'USD',
        amount: picoToCentsString(l.pico),
        workspace_id: null,
        description: null,
        cost_type: null,
        context_window: null,
        model: null,
        service_tier: null,
        token_type: null,
        inference_geo: null,
        ...l.out,
      })),
    };
  });
  sendJson(c.res, c.requestId, 200, { data, has_more: w.next !== null, next_page: w.next === null ? null : encodePage(w.next) });
}
