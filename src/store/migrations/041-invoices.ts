/**
 * Invoices and monthly statements (issue 12): per-org billing profiles and contacts, the closed
 * periods, finalised documents (invoices and credit notes) with their lines, gapless number
 * sequences per issuer, and the mail sent about them. Owned by src/billing/invoices (types in
 * src/store/tables/invoices.ts).
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.ts';
import { moneyType } from '../wide-money.ts';

export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('billing_profiles')
    .addColumn('org_id', 'text', (c) => c.primaryKey())
    .addColumn('legal_name', 'text')
    .addColumn('address', 'text')
    .addColumn('tax_id', 'text')
    .addColumn('tax_rate_e4', 'bigint', (c) => c.notNull())
    .addColumn('net_days', 'bigint')
    .addColumn('per_workspace', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('billing_contacts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('billing_contacts_org_email').on('billing_contacts').columns(['org_id', 'email']).unique().execute();

  await db.schema
    .createTable('billing_periods')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'bigint', (c) => c.notNull())
    .addColumn('invoice_id', 'text')
    .addPrimaryKeyConstraint('billing_periods_pk', ['org_id', 'period'])
    .execute();

  await db.schema
    .createTable('invoice_sequences')
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('series', 'text', (c) => c.notNull())
    .addColumn('last_number', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('invoice_sequences_pk', ['issuer', 'series'])
    .execute();

  await db.schema
    .createTable('invoices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('collection', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'bigint', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('subtotal_exact', moneyType(dialect), (c) => c.notNull())
    .addColumn('subtotal_cents', moneyType(dialect), (c) => c.notNull())
    .addColumn('tax_rate_e4', 'bigint', (c) => c.notNull())
    .addColumn('tax_cents', moneyType(dialect), (c) => c.notNull())
    .addColumn('total_cents', moneyType(dialect), (c) => c.notNull())
    .addColumn('credited_cents', moneyType(dialect), (c) => c.notNull())
    .addColumn('corrects_id', 'text')
    .addColumn('reason', 'text')
    .addColumn('issuer_json', 'text', (c) => c.notNull())
    .addColumn('customer_json', 'text', (c) => c.notNull())
    .addColumn('paid_at', 'bigint')
    .addColumn('paid_via', 'text')
    .addColumn('payment_ref', 'text')
    .addColumn('charge_attempts', 'bigint', (c) => c.notNull())
    .addColumn('next_charge_at', 'bigint')
    .addColumn('first_failed_at', 'bigint')
    .addColumn('dunning_level', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('invoices_org').on('invoices').columns(['org_id', 'period']).execute();
  await db.schema.createIndex('invoices_status').on('invoices').columns(['status', 'due_at']).execute();

  await db.schema
    .createTable('invoice_lines')
    .addColumn('invoice_id', 'text', (c) => c.notNull())
    .addColumn('line_no', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('usage_month', 'text')
    .addColumn('model', 'text')
    .addColumn('token_kind', 'text')
    .addColumn('workspace_id', 'text')
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('quantity', 'bigint', (c) => c.notNull())
    .addColumn('unit_price', 'bigint', (c) => c.notNull())
    .addColumn('amount_exact', moneyType(dialect), (c) => c.notNull())
    .addColumn('amount_cents', moneyType(dialect), (c) => c.notNull())
    .addPrimaryKeyConstraint('invoice_lines_pk', ['invoice_id', 'line_no'])
    .execute();

  await db.schema
    .createTable('billing_mail')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('to', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('invoice_id', 'text')
    .addColumn('attempts', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .addColumn('error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('billing_mail_topic').on('billing_mail').columns(['org_id', 'topic', 'to']).unique().execute();
  await db.schema.createIndex('billing_mail_unsent').on('billing_mail').columns(['sent_at', 'created_at']).execute();
}
