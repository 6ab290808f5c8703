/**
 * Usage reports read the daily rollups (never the raw events), so they stay fast at tens of
 * millions of events. Dates are UTC days, `since` inclusive, `until` exclusive.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../store/schema.ts';
import { picoToUsd } from '../core/money.ts';
import { sumExact } from '../store/wide-money.ts';

export interface UsageTotals {
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cost_usd: string;
  upstream_cost_usd: string;
  margin_usd: string;
}

/** `sum(col)` as an exact bigint on both backends (PostgreSQL's sum(bigint) is numeric). */
export const big = sumExact;

/** The aggregate columns every usage breakdown selects; `totals()` reads them. */
export const TOTAL_COLUMNS = () => [
  big('requests').as('requests'), big('input_tokens').as('input_tokens'), big('output_tokens').as('output_tokens'),
  big('cache_write_5m_tokens').as('cw5'), big('cache_write_1h_tokens').as('cw1'), big('cache_read_tokens').as('cache_read'),
  big('cost').as('cost'), big('upstream_cost').as('upstream_cost'),
];

/** One aggregated row in the report's shape (exact decimal USD strings). */
export function totals(r: any): UsageTotals {
  const cost = BigInt(r.cost ?? 0n);
  const up = BigInt(r.upstream_cost ?? 0n);
  return {
    requests: Number(r.requests ?? 0n),
    input_tokens: Number(r.input_tokens ?? 0n),
    output_tokens: Number(r.output_tokens ?? 0n),
    cache_creation_input_tokens: Number(BigInt(r.cw5 ?? 0n) + BigInt(r.cw1 ?? 0n)),
    cache_read_input_tokens: Number(r.cache_read ?? 0n),
    cost_usd: picoToUsd(cost),
    upstream_cost_usd: picoToUsd(up),
    margin_usd: picoToUsd(cost - up),
  };
}

export interface UsageQuery { orgId?: string; since?: string; until?: string; workspaceId?: string; keyId?: string; model?: string }

export async function usageReport(db: Kysely<DB>, q: UsageQuery) {
  const base = () => {
    let b = db.selectFrom('usage_daily');
    if (q.orgId) b = b.where('org_id', '=', q.orgId);
    if (q.workspaceId) b = b.where('workspace_id', '=', q.workspaceId);
    if (q.keyId) b = b.where('key_id', '=', q.keyId);
    if (q.model) b = b.where('model', '=', q.model);
    if (q.since) b = b.where('day', '>=', q.since);
    if (q.until) b = b.where('day', '<', q.until);
    return b;
  };
  const cols = TOTAL_COLUMNS();
  const all = await base().select(cols as any).executeTakeFirst();
  const byModel = await base().select(['model', ...cols] as any).groupBy('model').orderBy('model').execute();
  return { ...totals(all), by_model: byModel.map((r: any) => ({ model: r.model, ...totals(r) })) };
}

/** Spend per day (and per model) for charts. */
export async function usageByDay(db: Kysely<DB>, q: UsageQuery & { groupByModel?: boolean }) {
  let b = db.selectFrom('usage_daily');
  if (q.orgId) b = b.where('org_id', '=', q.orgId);
  if (q.workspaceId) b = b.where('workspace_id', '=', q.workspaceId);
  if (q.keyId) b = b.where('key_id', '=', q.keyId);
  if (q.model) b = b.where('model', '=', q.model);
  if (q.since) b = b.where('day', '>=', q.since);
  if (q.until) b = b.where('day', '<', q.until);
  const sel: any[] = ['day', big('requests').as('requests'), big('input_tokens').as('input_tokens'), big('output_tokens').as('output_tokens'),
    big('cache_write_5m_tokens').as('cw5'), big('cache_write_1h_tokens').as('cw1'), big('cache_read_tokens').as('cache_read'), big('cost').as('cost'), big('upstream_cost').as('upstream_cost')];
  if (q.groupByModel) sel.splice(1, 0, 'model');
  let qb = b.select(sel as any).groupBy(q.groupByModel ? ['day', 'model'] : ['day']).orderBy('day');
  const rows = await qb.execute();
  return rows.map((r: any) => ({ day: r.day, ...(q.groupByModel ? { model: r.model } : {}), ...totals(r) }));
}

/** Requests, upstream attempts, tokens and cost per serving upstream (the per-upstream daily rollup). */
export async function usageByUpstream(db: Kysely<DB>, q: Pick<UsageQuery, 'orgId' | 'since' | 'until'>) {
  let b = db.selectFrom('usage_upstream_daily');
  if (q.orgId) b = b.where('org_id', '=', q.orgId);
  if (q.since) b = b.where('day', '>=', q.since);
  if (q.until) b = b.where('day', '<', q.until);
  const rows = await b.select(['upstream', big('requests').as('requests'), big('attempts').as('attempts'), big('input_tokens').as('input_tokens'),
    big('output_tokens').as('output_tokens'), big('cost').as('cost'), big('upstream_cost').as('upstream_cost')] as any).groupBy('upstream').orderBy('upstream').execute();
  return rows.map((r: any) => {
    const cost = BigInt(r.cost), up = BigInt(r.upstream_cost);
    return {
      upstream: r.upstream as string, requests: Number(r.requests), attempts: Number(r.attempts),
      input_tokens: Number(r.input_tokens), output_tokens: Number(r.output_tokens),
      cost_usd: picoToUsd(cost), upstream_cost_usd: picoToUsd(up), margin_usd: picoToUsd(cost - up),
    };
  });
}
