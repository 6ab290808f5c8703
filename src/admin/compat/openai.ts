/**
 * OpenAI's organization usage and costs, same paths and shapes
 * (https://platform.openai.com/docs/api-reference/usage/completions,
 * https://platform.openai.com/docs/api-reference/usage/costs):
 *   GET /v1/organization/usage/completions
 *   GET /v1/organization/costs
 * Projects are Tollgate workspaces. `input_tokens` counts every input token (cached included, as
 * OpenAI does); `input_cached_tokens` the cache reads. Cost `value` is the exact decimal USD
 * amount written as a JSON number.
 */
import { invalidRequest } from '../../core/errors.ts';
import { picoToUsd } from '../../core/money.ts';
import type { AdminContext } from '../types.ts';
import { dbOf, sendJson } from '../respond.ts';
import { byBucket } from './aggregate.ts';
import { usageByBucket, type Dimension, type Filters } from '../../usage/events.ts';
import { costLines, loadRates } from './cost-lines.ts';
import { decodePage, encodePage, pageWindow, parseUnixSeconds, Query, type Width } from './query.ts';
import { USAGE_LIMITS } from './reports.ts';

const COST_LIMITS: Record<string, { def: number; max: number }> = { '1d': { def: 7, max: 180 } };
const USAGE_GROUPS = ['project_id', 'user_id', 'api_key_id', 'model', 'batch', 'service_tier'] as const;
const TO_DIM: Partial<Record<string, Dimension>> = { project_id: 'workspace_id', api_key_id: 'api_key_id', model: 'model', service_tier: 'service_tier' };
const LINE_ITEM: Record<string, string> = {
  uncached_input_tokens: 'input',
  output_tokens: 'output',
  cache_read_input_tokens: 'cached input',
  'cache_creation.ephemeral_5m_input_tokens': 'cache write 5m',
  'cache_creation.ephemeral_1h_input_tokens': 'cache write 1h',
};

function parse(c: AdminContext, q: Query, widths: readonly Width[], limits: Record<string, { def: number; max: number }>) {
  const s = q.str('start_time');
  if (s === undefined) throw invalidRequest('start_time: required (unix seconds)');
  const start = parseUnixSeconds('start_time', s);
  const e = q.str('end_time');
  const end = e === undefined ? undefined : parseUnixSeconds('end_time', e);
  const width = (q.str('bucket_width') ?? '1d') as Width;
  if (!widths.includes(width)) throw invalidRequest(`bucket_width: must be one of ${widths.join(', ')}`);
  const lim = limits[width]!;
  const limit = q.int('limit', 1, lim.max) ?? lim.def;
  const p = q.str('page');
  const w = pageWindow(start, end, width, limit, p === undefined ? undefined : decodePage(p), c.rt.clock.now());
  const where: Filters['where'] = { workspace_id: q.list('project_ids') };
  if (c.caller.kind === 'admin_key' && c.caller.workspaceId) {
    const ws = c.caller.workspaceId;
    where.workspace_id = where.workspace_id && !where.workspace_id.includes(ws) ? ['-none-'] : [ws];
  }
  const f: Filters = {
    orgId: c.caller.kind === 'operator' ? '' : c.caller.orgId,
    from: w.from,
    to: Math.min(w.from + w.buckets * w.widthMs, end ?? Infinity),
    where,
  };
  return { w, f };
}

const page = (data: unknown[], next: number | null) => ({ object: 'page', data, has_more: next !== null, next_page: next === null ? null : encodePage(next) });
const bucketTimes = (from: number, i: number, width: number) => ({
  object: 'bucket',
  start_time: (from + i * width) / 1000,
  end_time: (from + (i + 1) * width) / 1000,
});

export async function openaiUsageCompletions(c: AdminContext): Promise<void> {
  const q = new Query(c.req);
  const { w, f } = parse(c, q, ['1m', '1h', '1d'], USAGE_LIMITS);
  f.where.api_key_id = q.list('api_key_ids');
  f.where.model = q.list('models');
  if (q.list('user_ids')) f.where.api_key_id = ['-none-']; // no per-user attribution in Tollgate
  const batch = q.str('batch');
  if (batch !== undefined && batch !== 'true' && batch !== 'false') throw invalidRequest('batch: true or false');
  if (batch === 'true') f.where.api_key_id = ['-none-']; // the gateway runs no batches
  const groupBy = q.list('group_by', USAGE_GROUPS) ?? [];
  q.done();
  const dims = groupBy.map((g) => TO_DIM[g]).filter((d): d is Dimension => d !== undefined);
  const rows = await usageByBucket(dbOf(c.rt), f, w.widthMs, dims);
  const data = byBucket(rows, w.buckets).map((list, i) => ({
    ...bucketTimes(w.from, i, w.widthMs),
    results: list.map((r) => ({
      object: 'organization.usage.completions.result',
      input_tokens: Number(r.input + r.cw5 + r.cw1 + r.cacheRead),
      output_tokens: Number(r.output),
      input_cached_tokens: Number(r.cacheRead),
      input_audio_tokens: 0,
      output_audio_tokens: 0,
      num_model_requests: Number(r.requests),
      project_id: groupBy.includes('project_id') ? (r.dims.workspace_id ?? null) : null,
      user_id: null,
      api_key_id: r.dims.api_key_id ?? null,
      model: r.dims.model ?? null,
      batch: groupBy.includes('batch') ? false : null,
      service_tier: r.dims.service_tier ?? null,
    })),
  }));
  sendJson(c.res, c.requestId, 200, page(data, w.next));
}

/** Exact decimal USD as a JSON number token (no float arithmetic: the digits are the exact amount). */
const usdNumber = (pico: bigint) => Number(picoToUsd(pico));

export async function openaiCosts(c: AdminContext): Promise<void> {
  const q = new Query(c.req);
  const { w, f } = parse(c, q, ['1d'], COST_LIMITS);
  const groupBy = q.list('group_by', ['project_id', 'line_item']) ?? [];
  q.done();
  const byProject = groupBy.includes('project_id');
  const byLine = groupBy.includes('line_item');
  const dims: Dimension[] = [...(byProject ? ['workspace_id' as const] : []), ...(byLine ? ['model' as const] : [])];
  const db = dbOf(c.rt);
  const rows = await usageByBucket(db, f, w.widthMs, dims, byLine);
  const rates = byLine ? await loadRates(db, [...new Set(rows.map((r) => r.priceId).filter((x): x is number => x !== null))]) : new Map();
  const data = byBucket(rows, w.buckets).map((list, i) => {
    const lines = new Map<string, { pico: bigint; project: string | null; item: string | null }>();
    const add = (project: string | null, item: string | null, pico: bigint) => {
      const k = `${project}\0${item}`;
      const l = lines.get(k);
      if (l) l.pico += pico;
      else lines.set(k, { pico, project, item });
    };
    for (const r of list) {
      const project = byProject ? (r.dims.workspace_id ?? null) : null;
      if (!byLine) {
        add(project, null, r.cost);
        continue;
      }
      for (const l of costLines(r, r.priceId === null ? undefined : rates.get(r.priceId))) {
        add(project, `${r.dims.model}, ${l.tokenType ? LINE_ITEM[l.tokenType] : 'web search'}`, l.pico);
      }
    }
    return {
      ...bucketTimes(w.from, i, w.widthMs),
      results: [...lines.values()].map((l) => ({
        object: 'organization.costs.result',
        amount: { value: usdNumber(l.pico), currency: 'usd' },
        line_item: l.item,
        project_id: l.project,
      })),
    };
  });
  sendJson(c.res, c.requestId, 200, page(data, w.next));
}
