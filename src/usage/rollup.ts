/** Aggregates usage events into daily rollup rows (one per org × day × workspace × key × model). */
import type { UsageEventRow } from './event-row.ts';
import { isSimulatedUpstream } from '../config/config.ts';

export interface RollupRow {
  day: string;
  month: string;
  org_id: string;
  workspace_id: string;
  key_id: string;
  model: string;
  requests: bigint;
  input_tokens: bigint;
  output_tokens: bigint;
  cache_write_5m_tokens: bigint;
  cache_write_1h_tokens: bigint;
  cache_read_tokens: bigint;
  cost: bigint;
  upstream_cost: bigint;
  /** Requests billed on estimated usage (the upstream never reported it) and their cost. */
  estimated_requests: bigint;
  estimated_cost: bigint;
  web_search_requests: bigint;
  web_fetch_requests: bigint;
  code_execution_requests: bigint;
  /** Requests the built-in simulator answered, and their cost (never revenue). */
  simulated_requests: bigint;
  simulated_cost: bigint;
  /** Requests billed at a bound because the upstream's usage could not be believed, and their cost. */
  anomaly_requests: bigint;
  anomaly_cost: bigint;
}

export function rollup(rows: UsageEventRow[]): RollupRow[] {
  const roll = new Map<string, RollupRow>();
  for (const r of rows) {
    const k = `${r.org_id}\0${r.day}\0${r.workspace_id}\0${r.key_id}\0${r.model}`;
    let a = roll.get(k);
    if (!a)
      roll.set(
        k,
        (a = {
          day: r.day,
          month: r.month,
          org_id: r.org_id,
          workspace_id: r.workspace_id,
          key_id: r.key_id,
          model: r.model,
          requests: 0n,
          input_tokens: 0n,
          output_tokens: 0n,
          cache_write_5m_tokens: 0n,
          cache_write_1h_tokens: 0n,
          cache_read_tokens: 0n,
          cost: 0n,
          upstream_cost: 0n,
          estimated_requests: 0n,
          estimated_cost: 0n,
          web_search_requests: 0n,
          web_fetch_requests: 0n,
          code_execution_requests: 0n,
          simulated_requests: 0n,
          simulated_cost: 0n,
          anomaly_requests: 0n,
          anomaly_cost: 0n,
        }),
      );
    a.requests += 1n;
    a.input_tokens += r.input_tokens;
    a.output_tokens += r.output_tokens;
    a.cache_write_5m_tokens += r.cache_write_5m_tokens;
    a.cache_write_1h_tokens += r.cache_write_1h_tokens;
    a.cache_read_tokens += r.cache_read_tokens;
    a.cost += r.cost;
    a.upstream_cost += r.upstream_cost;
    if (r.estimated) {
      a.estimated_requests += 1n;
      a.estimated_cost += r.cost;
    }
    a.web_search_requests += r.web_search_requests;
    a.web_fetch_requests += r.web_fetch_requests ?? 0n;
    a.code_execution_requests += r.code_execution_requests ?? 0n;
    if (isSimulatedUpstream(r.upstream)) {
      a.simulated_requests += 1n;
      a.simulated_cost += r.cost;
    }
    if (r.anomaly) {
      a.anomaly_requests += 1n;
      a.anomaly_cost += r.cost;
    }
  }
  return [...roll.values()];
}

export const ROLLUP_SUM_COLUMNS = [
  'requests',
  'input_tokens',
  'output_tokens',
  'cache_write_5m_tokens',
  'cache_write_1h_tokens',
  'cache_read_tokens',
  'cost',
  'upstream_cost',
  'estimated_requests',
  'estimated_cost',
  'web_search_requests',
  'web_fetch_requests',
  'code_execution_requests',
  'simulated_requests',
  'simulated_cost',
  'anomaly_requests',
  'anomaly_cost',
] as const;
/** The rollup columns holding money (exact beyond int64: src/store/wide-money.ts). */
export const ROLLUP_MONEY_COLUMNS = new Set<string>(['cost', 'upstream_cost', 'estimated_cost', 'simulated_cost', 'anomaly_cost']);

/** One row of the per-upstream daily rollup (org × day × upstream): `tollgate usage --by upstream`. */
export interface UpstreamRollupRow {
  day: string;
  month: string;
  org_id: string;
  upstream: string;
  requests: bigint;
  attempts: bigint;
  input_tokens: bigint;
  output_tokens: bigint;
  cost: bigint;
  upstream_cost: bigint;
}

export function rollupByUpstream(rows: UsageEventRow[]): UpstreamRollupRow[] {
  const roll = new Map<string, UpstreamRollupRow>();
  for (const r of rows) {
    const k = `${r.org_id}\0${r.day}\0${r.upstream}`;
    let a = roll.get(k);
    if (!a)
      roll.set(
        k,
        (a = {
          day: r.day,
          month: r.month,
          org_id: r.org_id,
          upstream: r.upstream,
          requests: 0n,
          attempts: 0n,
          input_tokens: 0n,
          output_tokens: 0n,
          cost: 0n,
          upstream_cost: 0n,
        }),
      );
    a.requests += 1n;
    a.attempts += r.attempts ?? 1n;
    a.input_tokens += r.input_tokens;
    a.output_tokens += r.output_tokens;
    a.cost += r.cost;
    a.upstream_cost += r.upstream_cost;
  }
  return [...roll.values()];
}

export const UPSTREAM_ROLLUP_SUM_COLUMNS = ['requests', 'attempts', 'input_tokens', 'output_tokens', 'cost', 'upstream_cost'] as const;
