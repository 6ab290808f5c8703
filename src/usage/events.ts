/**
 * Named reads of the usage events (`usage_events`, one row per billed request) for the other
 * domains: they ask here rather than query the table. The sinks write the events; the reports
 * (report.ts, logs.ts, export.ts) read them within this domain.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../store/schema.ts';
import { sumExact } from '../store/wide-money.ts';

/** The id of the request an API key already made with this Idempotency-Key, if any. */
export async function eventIdByIdempotencyKey(db: Kysely<DB>, keyId: string, idempotencyKey: string): Promise<string | undefined> {
  const r = await db.selectFrom('usage_events').select('id').where('key_id', '=', keyId).where('idempotency_key', '=', idempotencyKey).executeTakeFirst();
  return r?.id;
}

/** The models an org used since `sinceMs` (distinct, as the clients named them). */
export async function modelsUsedSince(db: Kysely<DB>, orgId: string, sinceMs: number): Promise<string[]> {
  const r = await db.selectFrom('usage_events').select('model').distinct().where('org_id', '=', orgId).where('created_at', '>', BigInt(sinceMs)).execute();
  return r.map((x) => x.model);
}

/** Σ cost of an org's events admitted in [fromMs, toMs) (from the start without `fromMs`). */
export async function costBetween(db: Kysely<DB>, orgId: string, fromMs: number | null, toMs: number): Promise<bigint> {
  let q = db.selectFrom('usage_events').select(sumExact('cost').as('total')).where('org_id', '=', orgId).where('created_at', '<', BigInt(toMs));
  if (fromMs !== null) q = q.where('created_at', '>=', BigInt(fromMs));
  const r = await q.executeTakeFirst();
  return BigInt(r?.total ?? 0n);
}

/** Per model: requests and input/output tokens (input counts cache writes, not reads) of an org's events admitted after `sinceMs`. */
export async function usageByModelSince(
  db: Kysely<DB>,
  orgId: string,
  sinceMs: number,
): Promise<Array<{ model: string; requests: bigint; input: bigint; output: bigint }>> {
  return db
    .selectFrom('usage_events')
    .select([
      'model',
      sql<bigint>`cast(count(*) as bigint)`.as('requests'),
      sql<bigint>`cast(coalesce(sum(input_tokens + cache_write_5m_tokens + cache_write_1h_tokens), 0) as bigint)`.as('input'),
      sql<bigint>`cast(coalesce(sum(output_tokens), 0) as bigint)`.as('output'),
    ])
    .where('org_id', '=', orgId)
    .where('created_at', '>', BigInt(sinceMs))
    .groupBy('model')
    .execute();
}

/** Exact sums of an org's events, per (month, model, workspace, price row). */
export interface MonthUsageGroup {
  month: string;
  model: string;
  workspaceId: string;
  priceId: bigint | null;
  input: bigint;
  output: bigint;
  cacheWrite5m: bigint;
  cacheWrite1h: bigint;
  cacheRead: bigint;
  webSearch: bigint;
  cost: bigint;
}

/**
 * An org's usage in `months` per (month, model, workspace, price row), leaving out the events
 * admitted inside any `[from, to)` of `exclude`.
 */
export async function monthUsageGroups(db: Kysely<DB>, orgId: string, months: string[], exclude: Array<[number, number]> = []): Promise<MonthUsageGroup[]> {
  if (!months.length) return [];
  let q = db.selectFrom('usage_events');
  for (const [from, to] of exclude) q = q.where((eb) => eb.or([eb('created_at', '<', BigInt(from)), eb('created_at', '>=', BigInt(to))]));
  const rows = await q
    .select([
      'month',
      'model',
      'workspace_id',
      'price_id',
      sumExact('input_tokens').as('input'),
      sumExact('output_tokens').as('output'),
      sumExact('cache_write_5m_tokens').as('cw5'),
      sumExact('cache_write_1h_tokens').as('cw1'),
      sumExact('cache_read_tokens').as('cr'),
      sumExact('web_search_requests').as('web'),
      sumExact('cost').as('cost'),
    ])
    .where('org_id', '=', orgId)
    .where('month', 'in', months)
    .groupBy(['month', 'model', 'workspace_id', 'price_id'])
    .execute();
  return rows.map((r) => ({
    month: r.month,
    model: r.model,
    workspaceId: r.workspace_id,
    priceId: r.price_id == null ? null : BigInt(r.price_id),
    input: BigInt(r.input),
    output: BigInt(r.output),
    cacheWrite5m: BigInt(r.cw5),
    cacheWrite1h: BigInt(r.cw1),
    cacheRead: BigInt(r.cr),
    webSearch: BigInt(r.web),
    cost: BigInt(r.cost),
  }));
}

export const DIMENSIONS = ['api_key_id', 'workspace_id', 'model', 'service_tier', 'context_window', 'inference_geo', 'speed'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

const totalInput = sql`(input_tokens + cache_write_5m_tokens + cache_write_1h_tokens + cache_read_tokens)`;
const DIM_SQL: Record<Dimension, RawBuilder<unknown>> = {
  api_key_id: sql.ref('key_id'),
  workspace_id: sql.ref('workspace_id'),
  model: sql.ref('model'),
  context_window: sql`case when ${totalInput} > 200000 then '200k-1M' else '0-200k' end`,
  // As the upstream reported them (migration 010); unreported reads as Anthropic's defaults. OpenAI's
  // `default` tier is the standard tier.
  service_tier: sql`case when service_tier is null or service_tier = 'default' then 'standard' else service_tier end`,
  inference_geo: sql`coalesce(inference_geo, 'not_available')`,
  speed: sql`coalesce(speed, 'standard')`,
};

export interface Filters {
  orgId: string;
  from: number;
  to: number;
  /** Per dimension: the accepted values (absent: all). */
  where: Partial<Record<Dimension, string[]>>;
}

export interface AggRow {
  bucket: number;
  dims: Partial<Record<Dimension, string | null>>;
  input: bigint;
  output: bigint;
  cw5: bigint;
  cw1: bigint;
  cacheRead: bigint;
  webSearch: bigint;
  requests: bigint;
  cost: bigint;
  priceId: number | null;
}

/**
 * An org's usage and cost per time bucket of `widthMs` from `f.from`, one row per (bucket, grouped
 * dimensions[, price row]); `withPrice` splits by the price row too. Sums are exact bigints on both
 * SQL backends.
 *
 * Dimensions: `api_key_id`, `workspace_id`, `model`, `context_window` (`0-200k` / `200k-1M` by the
 * request's total input, cache included, as Anthropic prices long context), and the upstream's
 * `service_tier`, `inference_geo` and `speed` as the events recorded them.
 */
export async function usageByBucket(db: Kysely<DB>, f: Filters, widthMs: number, groupBy: readonly Dimension[], withPrice = false): Promise<AggRow[]> {
  // Literals, not parameters: the same expression is selected and grouped by, and PostgreSQL
  // only matches the two when they are textually equal ($1 and $5 are not).
  const bucket = sql<number>`cast((created_at - ${sql.lit(Math.trunc(f.from))}) / ${sql.lit(Math.trunc(widthMs))} as bigint)`;
  let q = db
    .selectFrom('usage_events')
    .where('org_id', '=', f.orgId)
    .where('created_at', '>=', BigInt(f.from) as never)
    .where('created_at', '<', BigInt(f.to) as never);
  for (const d of DIMENSIONS) {
    const vals = f.where[d];
    if (vals) q = q.where(sql<boolean>`${DIM_SQL[d]} in (${sql.join(vals)})`);
  }
  const groups: RawBuilder<unknown>[] = [bucket, ...groupBy.map((d) => DIM_SQL[d])];
  if (withPrice) groups.push(sql.ref('price_id'));
  const rows = (await q
    .select([
      bucket.as('b'),
      ...groupBy.map((d) => DIM_SQL[d].as(`d_${d}`)),
      ...(withPrice ? [sql.ref('price_id').as('price_id')] : []),
      sumExact('input_tokens').as('input'),
      sumExact('output_tokens').as('output'),
      sumExact('cache_write_5m_tokens').as('cw5'),
      sumExact('cache_write_1h_tokens').as('cw1'),
      sumExact('cache_read_tokens').as('cache_read'),
      sumExact('web_search_requests').as('web_search'),
      sql<bigint>`count(*)`.as('requests'),
      sumExact('cost').as('cost'),
    ] as never)
    .groupBy(groups as never)
    .execute()) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    bucket: Number(r.b),
    dims: Object.fromEntries(groupBy.map((d) => [d, (r[`d_${d}`] as string | null) ?? null])),
    input: BigInt(r.input as bigint),
    output: BigInt(r.output as bigint),
    cw5: BigInt(r.cw5 as bigint),
    cw1: BigInt(r.cw1 as bigint),
    cacheRead: BigInt(r.cache_read as bigint),
    webSearch: BigInt(r.web_search as bigint),
    requests: BigInt(r.requests as bigint),
    cost: BigInt(r.cost as bigint),
    priceId: withPrice && r.price_id != null ? Number(r.price_id) : null,
  }));
}
