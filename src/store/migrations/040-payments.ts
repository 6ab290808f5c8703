/**
 * Card payments (issue 12): Stripe customers and cards on file, every payment Tollgate asked for
 * (Checkout top-ups, off-session auto-reloads, statement and invoice charges, manual purchases
 * awaiting approval), the Stripe events received (deduplicated by event id), refunds and disputes
 * taken back, and the link from each ledger entry to the Stripe object behind it.
 * Owned by src/billing/payments (types in src/store/tables/payments.ts).
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.ts';
import { moneyType } from '../wide-money.ts';

export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('payment_customers')
    .addColumn('org_id', 'text', (c) => c.primaryKey())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull().unique())
    .addColumn('payment_method_id', 'text')
    .addColumn('card_brand', 'text')
    .addColumn('card_last4', 'text')
    .addColumn('card_exp_month', 'bigint')
    .addColumn('card_exp_year', 'bigint')
    .addColumn('card_status', 'text', (c) => c.notNull())
    .addColumn('failure_message', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('payments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('amount', moneyType(dialect), (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('checkout_session_id', 'text', (c) => c.unique())
    .addColumn('payment_intent_id', 'text', (c) => c.unique())
    .addColumn('charge_id', 'text')
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('invoice_id', 'text')
    .addColumn('ledger_entry_id', 'text')
    .addColumn('failure_code', 'text')
    .addColumn('failure_message', 'text')
    .addColumn('note', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('payments_org').on('payments').columns(['org_id', 'created_at']).execute();
  await db.schema.createIndex('payments_charge').on('payments').column('charge_id').execute();

  await db.schema
    .createTable('payment_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('object_id', 'text')
    .addColumn('created', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('payment_events_outcome').on('payment_events').columns(['outcome', 'received_at']).execute();

  await db.schema
    .createTable('payment_reversals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('payment_id', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('object_id', 'text', (c) => c.notNull())
    .addColumn('amount', moneyType(dialect), (c) => c.notNull())
    .addColumn('ledger_entry_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('payment_reversals_payment').on('payment_reversals').column('payment_id').execute();

  await db.schema
    .createTable('ledger_links')
    .addColumn('entry_id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('object_id', 'text', (c) => c.notNull())
    .addColumn('payment_id', 'text')
    .execute();
  await db.schema.createIndex('ledger_links_org').on('ledger_links').column('org_id').execute();

  await db.schema
    .createTable('billing_holds')
    .addColumn('org_id', 'text', (c) => c.primaryKey())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('ref', 'text')
    .addColumn('since', 'bigint', (c) => c.notNull())
    .execute();
}
