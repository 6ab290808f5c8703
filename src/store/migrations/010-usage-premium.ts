/**
 * What the upstream reports about HOW a request ran, kept on each usage event so its price can be
 * re-derived: speed (Anthropic fast mode), service tier (Anthropic / OpenAI), inference geography
 * (Anthropic data residency), server-tool counts beyond web search, and the price variant the
 * gateway applied (e.g. "fast+geo-us", "long-context"). All additive; existing rows read as
 * standard / global / none.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.ts';

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  /** `usage.speed` as reported ('standard' | 'fast'); null when the upstream did not say. */
  await db.schema.alterTable('usage_events').addColumn('speed', 'text').execute();
  /** `usage.service_tier` (Anthropic) or the response's `service_tier` (OpenAI); null when absent. */
  await db.schema.alterTable('usage_events').addColumn('service_tier', 'text').execute();
  /** `usage.inference_geo` ('global' | 'us' | …); null when absent. */
  await db.schema.alterTable('usage_events').addColumn('inference_geo', 'text').execute();
  await db.schema
    .alterTable('usage_events')
    .addColumn('web_fetch_requests', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('usage_events')
    .addColumn('code_execution_requests', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  /** The price variant applied ('' = the standard row): '+'-joined markers such as fast, geo-us, priority, flex, long-context. */
  await db.schema
    .alterTable('usage_events')
    .addColumn('price_variant', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
}
