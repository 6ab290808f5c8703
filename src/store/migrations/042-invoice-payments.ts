/**
 * Money movements on invoices (issue 12): every payment, refund, dispute and credit-note
 * settlement of an invoice is one `invoice_payments` row whose id is the provider's own object id
 * (a refund `re_…`, a dispute `dp_…`, a payment `pay_…`), so a movement is recorded once however
 * often it is reported. `invoices.paid_cents` is their running sum (net money received) and
 * `invoice_status_history` keeps every status change (the finalised content never changes).
 * Owned by src/billing/invoices (types in src/billing/invoices/schema.ts).
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../connect.ts';
import { moneyType } from '../wide-money.ts';

export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable('invoices')
    .addColumn('paid_cents', moneyType(dialect), (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('invoices').addColumn('reopened_at', 'bigint').execute();
  // Invoices paid before this migration were paid in full (what was due after credit notes).
  await sql`update invoices set paid_cents = total_cents - credited_cents
    where kind = 'invoice' and status = 'paid' and paid_via in ('stripe', 'operator')`.execute(db);

  await db.schema
    .createTable('invoice_payments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('invoice_id', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('amount_cents', moneyType(dialect), (c) => c.notNull())
    .addColumn('payment_id', 'text')
    .addColumn('credit_note_id', 'text')
    .addColumn('object_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('invoice_payments_invoice').on('invoice_payments').column('invoice_id').execute();

  await db.schema
    .createTable('invoice_status_history')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('invoice_id', 'text', (c) => c.notNull())
    /** 1, 2, … per invoice: the order of the changes (several may share an instant). */
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('from_status', 'text', (c) => c.notNull())
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('via', 'text')
    .addColumn('ref', 'text')
    .execute();
  await db.schema.createIndex('invoice_status_history_invoice').on('invoice_status_history').columns(['invoice_id', 'seq']).unique().execute();
}
