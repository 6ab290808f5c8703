/**
 * Usage reports read the daily rollups (daily.ts; the raw events only for periods with a time of
 * day), so they stay fast at tens of millions of events. Dates are UTC days, `since` inclusive,
 * `until` exclusive.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../store/schema.ts';
import { picoToUsd } from '../core/money.ts';
import { sumExact, sumExactOf } from '../store/wide-money.ts';
import { dailyTotals, dailyTotalsBy } from './daily.ts';

export interface UsageTotals {
  requests: number;
  input_tokens: number;
  output_tokens: number;
  /** 5-minute + 1-hour cache writes (the split follows: they are priced differently). */
  cache_creation_input_tokens: number;
  cache_write_5m_input_tokens: number;
  cache_write_1h_input_tokens: number;
  cache_read_input_tokens: number;
  /** Server tools (each priced per use). */
  web_search_requests: number;
  web_fetch_requests: number;
  code_execution_requests: number;
  /** Requests billed on estimated usage (the upstream never reported it: docs/billing.md), and their cost. */
  estimated_requests: number;
  estimated_cost_usd: string;
  /** Requests the built-in simulator answered (upstream=simulator): fake answers, never revenue. */
  simulated_requests: number;
  simulated_cost_usd: string;
  /** Requests billed at a bound because the upstream's usage could not be believed (`anomaly`), and their cost. */
  anomaly_requests: number;
  anomaly_cost_usd: string;
  cost_usd: string;
  upstream_cost_usd: string;
  /** Operator view: cost less simulated cost. */
  revenue_usd: string;
  /** revenue − upstream cost (the simulator's upstream cost is 0). */
  margin_usd: string;
}

const SIMULATED = sql`upstream in ('simulator', 'simulator-openai')`;
/** The rollups' aggregates (daily.ts) read from the raw events (periods that do not start and end on a UTC day). */
const EVENT_TOTAL_COLUMNS = () => [
  sumExactOf(sql`1`).as('requests'),
  sumExact('input_tokens').as('input_tokens'),
  sumExact('output_tokens').as('output_tokens'),
  sumExact('cache_write_5m_tokens').as('cw5'),
  sumExact('cache_write_1h_tokens').as('cw1'),
  sumExact('cache_read_tokens').as('cache_read'),
  sumExact('cost').as('cost'),
  sumExact('upstream_cost').as('upstream_cost'),
  sumExactOf(sql`case when estimated <> 0 then 1 else 0 end`).as('est_req'),
  sumExactOf(sql`case when estimated <> 0 then cost else 0 end`).as('estimated_cost'),
  sumExact('web_search_requests').as('web_search'),
  sumExact('web_fetch_requests').as('web_fetch'),
  sumExact('code_execution_requests').as('code_exec'),
  sumExactOf(sql`case when ${SIMULATED} then 1 else 0 end`).as('sim_req'),
  sumExactOf(sql`case when ${SIMULATED} then cost else 0 end`).as('simulated_cost'),
  sumExactOf(sql`case when anomaly is not null then 1 else 0 end`).as('anomaly_req'),
  sumExactOf(sql`case when anomaly is not null then cost else 0 end`).as('anomaly_cost'),
];

/** One aggregated row in the report's shape (exact decimal USD strings). */
// biome-ignore lint/suspicious/noExplicitAny: select list built at run time (TOTAL_COLUMNS), which Kysely cannot type; rows are read through totals()
export function totals(r: any): UsageTotals {
  const n = (v: unknown) => Number(v ?? 0n);
  const cost = BigInt(r.cost ?? 0n);
  const up = BigInt(r.upstream_cost ?? 0n);
  const sim = BigInt(r.simulated_cost ?? 0n);
  return {
    requests: n(r.requests),
    input_tokens: n(r.input_tokens),
    output_tokens: n(r.output_tokens),
    cache_creation_input_tokens: Number(BigInt(r.cw5 ?? 0n) + BigInt(r.cw1 ?? 0n)),
    cache_write_5m_input_tokens: n(r.cw5),
    cache_write_1h_input_tokens: n(r.cw1),
    cache_read_input_tokens: n(r.cache_read),
    web_search_requests: n(r.web_search),
    web_fetch_requests: n(r.web_fetch),
    code_execution_requests: n(r.code_exec),
    estimated_requests: n(r.est_req),
    estimated_cost_usd: picoToUsd(BigInt(r.estimated_cost ?? 0n)),
    simulated_requests: n(r.sim_req),
    simulated_cost_usd: picoToUsd(sim),
    anomaly_requests: n(r.anomaly_req),
    anomaly_cost_usd: picoToUsd(BigInt(r.anomaly_cost ?? 0n)),
    cost_usd: picoToUsd(cost),
    upstream_cost_usd: picoToUsd(up),
    revenue_usd: picoToUsd(cost - sim),
    margin_usd: picoToUsd(cost - sim - up),
  };
}

/**
 * `since` / `until`: UTC days (`YYYY-MM-DD`, since inclusive, until exclusive), read from the
 * rollups; or instants (`sinceMs` / `untilMs`, epoch ms) for periods with a time of day, read from
 * the events (by the instant of admission).
 */
export interface UsageQuery {
  orgId?: string;
  since?: string;
  until?: string;
  sinceMs?: number;
  untilMs?: number;
  workspaceId?: string;
  keyId?: string;
  model?: string;
}

export async function usageReport(db: Kysely<DB>, q: UsageQuery) {
  if (q.sinceMs === undefined && q.untilMs === undefined) {
    const [all, byModel] = await Promise.all([dailyTotals(db, q), dailyTotalsBy(db, q, ['model'])]);
    return { ...totals(all), by_model: byModel.map((r) => ({ model: r.model as string, ...totals(r) })) };
  }
  const base = () => {
    let b = db.selectFrom('usage_events');
    if (q.orgId) b = b.where('org_id', '=', q.orgId);
    if (q.workspaceId) b = b.where('workspace_id', '=', q.workspaceId);
    if (q.keyId) b = b.where('key_id', '=', q.keyId);
    if (q.model) b = b.where('model', '=', q.model);
    if (q.since) b = b.where('day', '>=', q.since);
    if (q.until) b = b.where('day', '<', q.until);
    if (q.sinceMs !== undefined) b = b.where('created_at', '>=', BigInt(q.sinceMs));
    if (q.untilMs !== undefined) b = b.where('created_at', '<', BigInt(q.untilMs));
    return b;
  };
  const all = await base().select(EVENT_TOTAL_COLUMNS()).executeTakeFirst();
  const byModel = await base()
    .select(['model', ...EVENT_TOTAL_COLUMNS()])
    .groupBy('model')
    .orderBy('model')
    .execute();
  return { ...totals(all), by_model: byModel.map((r) => ({ model: r.model, ...totals(r) })) };
}

/** Spend per day (and per model) for charts. */
export async function usageByDay(db: Kysely<DB>, q: UsageQuery & { groupByModel?: boolean }) {
  const rows = await dailyTotalsBy(db, q, q.groupByModel ? ['day', 'model'] : ['day']);
  return rows.map((r) => ({ day: r.day as string, ...(q.groupByModel ? { model: r.model as string } : {}), ...totals(r) }));
}

/** Requests, upstream attempts, tokens and cost per serving upstream (the per-upstream daily rollup). */
export async function usageByUpstream(db: Kysely<DB>, q: Pick<UsageQuery, 'orgId' | 'since' | 'until'>) {
  let b = db.selectFrom('usage_upstream_daily');
  if (q.orgId) b = b.where('org_id', '=', q.orgId);
  if (q.since) b = b.where('day', '>=', q.since);
  if (q.until) b = b.where('day', '<', q.until);
  const rows = await b
    .select([
      'upstream',
      sumExact('requests').as('requests'),
      sumExact('attempts').as('attempts'),
      sumExact('input_tokens').as('input_tokens'),
      sumExact('output_tokens').as('output_tokens'),
      sumExact('cost').as('cost'),
      sumExact('upstream_cost').as('upstream_cost'),
      // biome-ignore lint/suspicious/noExplicitAny: select list built at run time (TOTAL_COLUMNS), which Kysely cannot type; rows are read through totals()
    ] as any)
    .groupBy('upstream')
    .orderBy('upstream')
    .execute();
  // biome-ignore lint/suspicious/noExplicitAny: select list built at run time (TOTAL_COLUMNS), which Kysely cannot type; rows are read through totals()
  return rows.map((r: any) => {
    const cost = BigInt(r.cost),
      up = BigInt(r.upstream_cost);
    return {
      upstream: r.upstream as string,
      requests: Number(r.requests),
      attempts: Number(r.attempts),
      input_tokens: Number(r.input_tokens),
      output_tokens: Number(r.output_tokens),
      cost_usd: picoToUsd(cost),
      upstream_cost_usd: picoToUsd(up),
      margin_usd: picoToUsd(cost - up),
    };
  });
}
