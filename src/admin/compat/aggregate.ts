/**
 * Usage and cost of one org per time bucket, grouped by the dimensions a report asks for, read
 * from the raw usage events (minute and hour buckets need them; the indexed range is one org's
 * page of time). Sums are exact bigints on both SQL backends.
 *
 * Dimensions: `api_key_id`, `workspace_id`, `model`, `context_window` (`0-200k` / `200k-1M` by the
 * request's total input, cache included, as Anthropic prices long context), and the upstream's
 * `service_tier`, `inference_geo` and `speed` as the events recorded them.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../store/schema.ts';
import { sumExact } from '../../store/wide-money.ts';

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

/** One row per (bucket, grouped dimensions[, price row]); `withPrice` splits by the price row too (cost descriptions). */
export async function aggregate(db: Kysely<DB>, f: Filters, widthMs: number, groupBy: readonly Dimension[], withPrice = false): Promise<AggRow[]> {
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

/** Rows grouped into `buckets` consecutive buckets (empty ones kept, with no rows). */
export function byBucket<T extends { bucket: number }>(rows: T[], buckets: number): T[][] {
  const out: T[][] = Array.from({ length: buckets }, () => []);
  for (const r of rows) if (r.bucket >= 0 && r.bucket < buckets) out[r.bucket]!.push(r);
  return out;
}
