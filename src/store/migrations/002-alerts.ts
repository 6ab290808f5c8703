/**
 * Alerts: who to tell (alert_channels), what was told (alerts, UNIQUE per threshold per
 * period, so "once" holds across gateway processes), every delivery attempt and pending retry
 * (alert_deliveries) and mail kept when no SMTP server is configured (outbox).
 * Owned by src/billing/alerts (types in src/store/tables/alerts.ts).
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.ts';

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('alert_channels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('secret', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('disabled_at', 'bigint')
    .execute();
  await db.schema.createIndex('alert_channels_org').on('alert_channels').column('org_id').execute();

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('scope_id', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('threshold', 'bigint', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('limit_amount', 'bigint')
    .addColumn('balance', 'bigint')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    // The "once per threshold per period" invariant: the losing insert of a race gets nothing.
    .addUniqueConstraint('alerts_once', ['org_id', 'scope', 'scope_id', 'period', 'kind', 'threshold'])
    .execute();
  await db.schema.createIndex('alerts_org_time').on('alerts').columns(['org_id', 'created_at']).execute();

  await db.schema
    .createTable('alert_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('alert_id', 'text', (c) => c.notNull().references('alerts.id'))
    .addColumn('channel_id', 'text', (c) => c.notNull().references('alert_channels.id'))
    .addColumn('attempt', 'bigint', (c) => c.notNull())
    .addColumn('status_code', 'bigint')
    .addColumn('error', 'text')
    .addColumn('next_attempt_at', 'bigint')
    .addColumn('delivered_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('alert_deliveries_due').on('alert_deliveries').column('next_attempt_at').execute();
  await db.schema.createIndex('alert_deliveries_alert').on('alert_deliveries').columns(['alert_id', 'attempt']).execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('to', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('alert_id', 'text')
    .execute();
  await db.schema.createIndex('outbox_time').on('outbox').column('created_at').execute();
}
