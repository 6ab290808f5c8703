/**
 * The daily rollups (`usage_daily`, one row per org × UTC day × workspace × key × model): the one
 * module that reads them. The sinks (sink-kysely.ts, sink-sqlite.ts) write them in the same
 * transaction as the events; every other domain asks here. Days are UTC, `since` inclusive,
 * `until` exclusive; money is an exact bigint (pico-USD) on both backends.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.ts';
import { sumExact } from '../store/wide-money.ts';

/** Which rollup rows a query covers (every field optional: all of them). */
export interface DailyRange {
  orgId?: string;
  workspaceId?: string;
  keyId?: string;
  model?: string;
  month?: string;
  since?: string;
  until?: string;
}

/** The columns a breakdown can group by. */
export type DailyGroup = 'model' | 'key_id' | 'month' | 'day';

function rows(db: Kysely<DB>, q: DailyRange) {
  let b = db.selectFrom('usage_daily');
  if (q.orgId) b = b.where('org_id', '=', q.orgId);
  if (q.workspaceId) b = b.where('workspace_id', '=', q.workspaceId);
  if (q.keyId) b = b.where('key_id', '=', q.keyId);
  if (q.model) b = b.where('model', '=', q.model);
  if (q.month) b = b.where('month', '=', q.month);
  if (q.since) b = b.where('day', '>=', q.since);
  if (q.until) b = b.where('day', '<', q.until);
  return b;
}

/** The aggregates every usage breakdown reads (under the aliases `report.ts` `totals()` expects). */
const TOTAL_COLUMNS = () => [
  sumExact('requests').as('requests'),
  sumExact('input_tokens').as('input_tokens'),
  sumExact('output_tokens').as('output_tokens'),
  sumExact('cache_write_5m_tokens').as('cw5'),
  sumExact('cache_write_1h_tokens').as('cw1'),
  sumExact('cache_read_tokens').as('cache_read'),
  sumExact('cost').as('cost'),
  sumExact('upstream_cost').as('upstream_cost'),
  sumExact('estimated_requests').as('est_req'),
  sumExact('estimated_cost').as('estimated_cost'),
  sumExact('web_search_requests').as('web_search'),
  sumExact('web_fetch_requests').as('web_fetch'),
  sumExact('code_execution_requests').as('code_exec'),
  sumExact('simulated_requests').as('sim_req'),
  sumExact('simulated_cost').as('simulated_cost'),
  sumExact('anomaly_requests').as('anomaly_req'),
  sumExact('anomaly_cost').as('anomaly_cost'),
];

/** The aggregate row of a range (one row, zeros included). */
export async function dailyTotals(db: Kysely<DB>, q: DailyRange): Promise<Record<string, unknown>> {
  return (await rows(db, q).select(TOTAL_COLUMNS()).executeTakeFirst()) ?? {};
}

/** Aggregate rows of a range grouped by `by` (in that order, and ordered by it). */
export async function dailyTotalsBy(db: Kysely<DB>, q: DailyRange, by: DailyGroup[]): Promise<Array<Record<string, unknown>>> {
  let b = rows(db, q)
    .select([...by, ...TOTAL_COLUMNS()])
    .groupBy(by);
  for (const c of by) b = b.orderBy(c);
  return b.execute();
}

/** Σ cost of a range (all time without dates or a month). */
export async function spendOf(db: Kysely<DB>, q: DailyRange): Promise<bigint> {
  const r = await rows(db, q).select(sumExact('cost').as('total')).executeTakeFirst();
  return BigInt(r?.total ?? 0n);
}

/** Σ cost per org of a range (all time, or one month). */
export async function spendByOrg(db: Kysely<DB>, q: Pick<DailyRange, 'month'> = {}): Promise<Map<string, bigint>> {
  const r = await rows(db, q)
    .select(['org_id', sumExact('cost').as('total')])
    .groupBy('org_id')
    .execute();
  return new Map(r.map((x) => [x.org_id, BigInt(x.total)]));
}

/** One month's spend of an org, per workspace and per key (pico-USD), for limits against them. */
export async function monthSpendByScope(db: Kysely<DB>, orgId: string, month: string) {
  const b = () => rows(db, { orgId, month });
  const [org, ws, keys] = await Promise.all([
    b().select(sumExact('cost').as('cost')).executeTakeFirst(),
    b()
      .select(['workspace_id', sumExact('cost').as('cost')])
      .groupBy('workspace_id')
      .execute(),
    b()
      .select(['key_id', sumExact('cost').as('cost')])
      .groupBy('key_id')
      .execute(),
  ]);
  return {
    org: BigInt(org?.cost ?? 0n),
    workspace: new Map<string, bigint>(ws.map((r) => [r.workspace_id, BigInt(r.cost)])),
    key: new Map<string, bigint>(keys.map((r) => [r.key_id, BigInt(r.cost)])),
  };
}
