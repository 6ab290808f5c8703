/** Aggregates usage events into daily rollup rows (one per org × day × workspace × key × model). */
import type { UsageEventRow } from './writer.ts';

export interface RollupRow {
  day: string; month: string; org_id: string; workspace_id: string; key_id: string; model: string;
  requests: bigint; input_tokens: bigint; output_tokens: bigint; cache_write_5m_tokens: bigint;
  cache_write_1h_tokens: bigint; cache_read_tokens: bigint; cost: bigint; upstream_cost: bigint;
}

export function rollup(rows: UsageEventRow[]): RollupRow[] {
  const roll = new Map<string, RollupRow>();
  for (const r of rows) {
    const k = `${r.org_id}\0${r.day}\0${r.workspace_id}\0${r.key_id}\0${r.model}`;
    let a = roll.get(k);
    if (!a) roll.set(k, (a = { day: r.day, month: r.month, org_id: r.org_id, workspace_id: r.workspace_id, key_id: r.key_id, model: r.model,
      requests: 0n, input_tokens: 0n, output_tokens: 0n, cache_write_5m_tokens: 0n, cache_write_1h_tokens: 0n, cache_read_tokens: 0n, cost: 0n, upstream_cost: 0n }));
    a.requests += 1n; a.input_tokens += r.input_tokens; a.output_tokens += r.output_tokens;
    a.cache_write_5m_tokens += r.cache_write_5m_tokens; a.cache_write_1h_tokens += r.cache_write_1h_tokens;
    a.cache_read_tokens += r.cache_read_tokens; a.cost += r.cost; a.upstream_cost += r.upstream_cost;
  }
  return [...roll.values()];
}

export const ROLLUP_SUM_COLUMNS = ['requests', 'input_tokens', 'output_tokens', 'cache_write_5m_tokens', 'cache_write_1h_tokens', 'cache_read_tokens', 'cost', 'upstream_cost'] as const;

/** One row of the per-upstream daily rollup (org × day × upstream): `tollgate usage --by upstream`. */
export interface UpstreamRollupRow {
  day: string; month: string; org_id: string; upstream: string;
  requests: bigint; attempts: bigint; input_tokens: bigint; output_tokens: bigint; cost: bigint; upstream_cost: bigint;
}

export function rollupByUpstream(rows: UsageEventRow[]): UpstreamRollupRow[] {
  const roll = new Map<string, UpstreamRollupRow>();
  for (const r of rows) {
    const k = `${r.org_id}\0${r.day}\0${r.upstream}`;
    let a = roll.get(k);
    if (!a) roll.set(k, (a = { day: r.day, month: r.month, org_id: r.org_id, upstream: r.upstream, requests: 0n, attempts: 0n, input_tokens: 0n, output_tokens: 0n, cost: 0n, upstream_cost: 0n }));
    a.requests += 1n; a.attempts += r.attempts ?? 1n; a.input_tokens += r.input_tokens; a.output_tokens += r.output_tokens;
    a.cost += r.cost; a.upstream_cost += r.upstream_cost;
  }
  return [...roll.values()];
}

export const UPSTREAM_ROLLUP_SUM_COLUMNS = ['requests', 'attempts', 'input_tokens', 'output_tokens', 'cost', 'upstream_cost'] as const;
