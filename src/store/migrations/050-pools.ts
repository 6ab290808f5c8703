/**
 * Upstream pools and per-key model policy: upstreams get a weight (load share within their
 * priority) and timeouts; usage events record how many upstream attempts a request took and a
 * daily rollup per upstream feeds `tollgate usage --by upstream`; keys and workspaces get a
 * policy (allowed models, max_tokens ceiling, total timeout) as JSON.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.ts';

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable('upstreams')
    .addColumn('weight', 'bigint', (c) => c.notNull().defaultTo(1))
    .execute();
  /** JSON: {headersMs?, betweenEventsMs?, totalMs?}; null = the defaults. */
  await db.schema.alterTable('upstreams').addColumn('timeouts', 'text').execute();
  await db.schema
    .alterTable('usage_events')
    .addColumn('attempts', 'bigint', (c) => c.notNull().defaultTo(1))
    .execute();
  /** JSON: {models?: string[], maxTokens?: number, maxTokensMode?: 'refuse'|'clamp', timeoutMs?: number}. */
  await db.schema.alterTable('api_keys').addColumn('policy', 'text').execute();
  await db.schema.alterTable('workspaces').addColumn('policy', 'text').execute();
  await db.schema
    .createTable('usage_upstream_daily')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('upstream', 'text', (c) => c.notNull())
    .addColumn('requests', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'bigint', (c) => c.notNull())
    .addColumn('input_tokens', 'bigint', (c) => c.notNull())
    .addColumn('output_tokens', 'bigint', (c) => c.notNull())
    .addColumn('cost', 'bigint', (c) => c.notNull())
    .addColumn('upstream_cost', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('usage_upstream_daily_pk', ['org_id', 'day', 'upstream'])
    .execute();
}
