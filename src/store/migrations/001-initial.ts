/** The initial schema: accounts, prices, usage, ledger, limits and the change log. */
import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../connect.ts';

export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const serial = (t: any) =>
    dialect === 'postgres'
      ? t.addColumn('id', 'bigserial', (c: any) => c.primaryKey())
      : t.addColumn('id', 'integer', (c: any) => c.primaryKey().autoIncrement());

  await db.schema
    .createTable('orgs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('billing_mode', 'text', (c) => c.notNull().defaultTo('prepaid'))
    .addColumn('tier_pinned', 'bigint')
    .addColumn('rate_limits', 'text')
    .addColumn('price_group', 'text')
    .addColumn('external_id', 'text')
    .execute();

  await db.schema
    .createTable('workspaces')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('archived_at', 'bigint')
    .addColumn('rate_limits', 'text')
    .execute();
  await db.schema.createIndex('workspaces_org').on('workspaces').column('org_id').execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('hint', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .addColumn('last_used_at', 'bigint')
    .addColumn('rate_limits', 'text')
    .execute();
  await db.schema.createIndex('api_keys_org').on('api_keys').column('org_id').execute();

  await serial(db.schema.createTable('prices'))
    .addColumn('model', 'text', (c: any) => c.notNull())
    .addColumn('price_group', 'text', (c: any) => c.notNull().defaultTo(''))
    .addColumn('input', 'bigint', (c: any) => c.notNull())
    .addColumn('output', 'bigint', (c: any) => c.notNull())
    .addColumn('cache_write_5m', 'bigint', (c: any) => c.notNull())
    .addColumn('cache_write_1h', 'bigint', (c: any) => c.notNull())
    .addColumn('cache_read', 'bigint', (c: any) => c.notNull())
    .addColumn('effective_from', 'bigint', (c: any) => c.notNull())
    .addColumn('source', 'text', (c: any) => c.notNull())
    .addColumn('created_at', 'bigint', (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('prices_model').on('prices').columns(['model', 'price_group', 'effective_from']).execute();

  await db.schema
    .createTable('price_groups')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('bps', 'bigint', (c) => c.notNull())
    .addColumn('effective_from', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('price_groups_pk', ['name', 'effective_from'])
    .execute();

  await db.schema
    .createTable('model_aliases')
    .addColumn('alias', 'text', (c) => c.primaryKey())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('usage_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('upstream', 'text', (c) => c.notNull())
    .addColumn('surface', 'text', (c) => c.notNull())
    .addColumn('status', 'bigint', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('stream', 'bigint', (c) => c.notNull())
    .addColumn('input_tokens', 'bigint', (c) => c.notNull())
    .addColumn('output_tokens', 'bigint', (c) => c.notNull())
    .addColumn('cache_write_5m_tokens', 'bigint', (c) => c.notNull())
    .addColumn('cache_write_1h_tokens', 'bigint', (c) => c.notNull())
    .addColumn('cache_read_tokens', 'bigint', (c) => c.notNull())
    .addColumn('web_search_requests', 'bigint', (c) => c.notNull())
    .addColumn('cost', 'bigint', (c) => c.notNull())
    .addColumn('upstream_cost', 'bigint', (c) => c.notNull())
    .addColumn('price_id', 'bigint')
    .addColumn('estimated', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('latency_ms', 'bigint', (c) => c.notNull())
    .addColumn('ttft_ms', 'bigint')
    .addColumn('idempotency_key', 'text')
    .execute();
  await db.schema.createIndex('usage_events_org_time').on('usage_events').columns(['org_id', 'created_at']).execute();
  await db.schema
    .createIndex('usage_events_idem')
    .on('usage_events')
    .columns(['key_id', 'idempotency_key'])
    .unique()
    .where(sql.ref('idempotency_key'), 'is not', null)
    .execute();

  await db.schema
    .createTable('usage_daily')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('requests', 'bigint', (c) => c.notNull())
    .addColumn('input_tokens', 'bigint', (c) => c.notNull())
    .addColumn('output_tokens', 'bigint', (c) => c.notNull())
    .addColumn('cache_write_5m_tokens', 'bigint', (c) => c.notNull())
    .addColumn('cache_write_1h_tokens', 'bigint', (c) => c.notNull())
    .addColumn('cache_read_tokens', 'bigint', (c) => c.notNull())
    .addColumn('cost', 'bigint', (c) => c.notNull())
    .addColumn('upstream_cost', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('usage_daily_pk', ['org_id', 'day', 'workspace_id', 'key_id', 'model'])
    .execute();
  await db.schema.createIndex('usage_daily_month').on('usage_daily').columns(['month', 'org_id']).execute();

  await db.schema
    .createTable('ledger_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('ref', 'text', (c) => c.unique())
    .addColumn('note', 'text')
    .execute();
  await db.schema.createIndex('ledger_org').on('ledger_entries').columns(['org_id', 'created_at']).execute();

  await db.schema
    .createTable('spend_limits')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('scope_id', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('monthly', 'bigint')
    .addColumn('notify', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('spend_limits_pk', ['scope', 'scope_id'])
    .execute();

  await serial(db.schema.createTable('change_log'))
    .addColumn('at', 'bigint', (c: any) => c.notNull())
    .addColumn('what', 'text', (c: any) => c.notNull())
    .execute();
}
