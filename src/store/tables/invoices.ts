/**
 * Kysely table types of the invoice tables (migration 041-invoices). Exact amounts are pico-USD,
 * rounded amounts whole cents, unit prices µUSD per million tokens, times epoch milliseconds.
 */
import type { ColumnType } from 'kysely';

type Int = ColumnType<bigint, bigint | number, bigint | number>;
type IntNull = ColumnType<bigint | null, bigint | number | null, bigint | number | null>;

export interface BillingProfilesTable {
  org_id: string;
  legal_name: string | null;
  address: string | null;
  tax_id: string | null;
  /** Tax rate in 1/10,000 of a percent (19 % = 190000). */
  tax_rate_e4: Int;
  /** Payment terms in days (null = the configured default). */
  net_days: IntNull;
  /** 1 = invoice lines per workspace. */
  per_workspace: Int;
  updated_at: Int;
}

export interface BillingContactsTable {
  id: string;
  org_id: string;
  email: string;
  name: string | null;
  created_at: Int;
}

export interface BillingPeriodsTable {
  org_id: string;
  /** 'YYYY-MM' (UTC). */
  period: string;
  closed_at: Int;
  /** The invoice issued for it (null when there was nothing to invoice). */
  invoice_id: string | null;
}

export interface InvoiceSequencesTable {
  issuer: string;
  /** 'invoice' | 'credit_note' */
  series: string;
  last_number: Int;
}

export interface InvoicesTable {
  id: string;
  org_id: string;
  /** 'invoice' | 'credit_note' */
  kind: string;
  number: string;
  issuer: string;
  period: string;
  /** 'send_invoice' (invoice billing mode) | 'charge_card' (card billing mode) */
  collection: string;
  /** 'open' | 'paid' | 'credited' (credit notes: 'issued') */
  status: string;
  currency: string;
  issued_at: Int;
  due_at: Int;
  subtotal_exact: Int;
  subtotal_cents: Int;
  tax_rate_e4: Int;
  tax_cents: Int;
  total_cents: Int;
  /** Σ credit notes against this invoice, cents (their totals, positive). */
  credited_cents: Int;
  /** Credit notes: the invoice they correct. */
  corrects_id: string | null;
  reason: string | null;
  issuer_json: string;
  customer_json: string;
  paid_at: IntNull;
  /** 'operator' | 'stripe' | 'credit_note' */
  paid_via: string | null;
  payment_ref: string | null;
  charge_attempts: Int;
  next_charge_at: IntNull;
  first_failed_at: IntNull;
  /** Reminders sent: 0 none, 1 payment failed / overdue, 2 suspended. */
  dunning_level: Int;
  created_at: Int;
  /** Net money received (Σ invoice_payments), cents. Due = total − credited − paid. */
  paid_cents: ColumnType<bigint, bigint | number | undefined, bigint | number>;
  /** When a refund or dispute last reopened it (collections count from here). */
  reopened_at: ColumnType<bigint | null, bigint | number | null | undefined, bigint | number | null>;
}

export interface InvoicePaymentsTable {
  /** The movement's own id: `payment:<pay_…>`, `refund:<re_…>`, `dispute:<dp_…>`, `dispute_won:<dp_…>`, `credit_note:<inv_…>`, `operator:<inv_…>:<n>`. */
  id: string;
  invoice_id: string;
  org_id: string;
  /** 'payment' | 'operator' | 'refund' | 'dispute' | 'dispute_won' | 'credit_note_refund' | 'account_credit' | 'credit_applied' */
  kind: string;
  /** Signed: + money received for the invoice, − money given back (or moved to account credit). */
  amount_cents: Int;
  payment_id: string | null;
  credit_note_id: string | null;
  object_id: string | null;
  created_at: Int;
}

export interface InvoiceStatusHistoryTable {
  id: string;
  invoice_id: string;
  /** 1, 2, … per invoice. */
  seq: Int;
  at: Int;
  from_status: string;
  to_status: string;
  via: string | null;
  ref: string | null;
}

export interface BillingModeChangesTable {
  id: string;
  org_id: string;
  from_mode: string;
  to_mode: string;
  requested_at: Int;
  effective_at: Int;
  /** 'pending' | 'applied' | 'cancelled' */
  status: string;
  applied_at: IntNull;
}

export interface InvoiceLinesTable {
  invoice_id: string;
  line_no: Int;
  /** 'usage' | 'adjustment' (usage of an earlier, closed month) | 'credit' */
  kind: string;
  usage_month: string | null;
  model: string | null;
  /** input | output | cache_write_5m | cache_write_1h | cache_read | web_search | mixed */
  token_kind: string | null;
  workspace_id: string | null;
  description: string;
  quantity: Int;
  /** µUSD per million tokens (web_search: pico-USD per request). */
  unit_price: Int;
  amount_exact: Int;
  amount_cents: Int;
}

export interface BillingMailTable {
  id: string;
  org_id: string;
  /** Dedupe key: one mail per topic per recipient (e.g. `invoice:<id>:issued`). */
  topic: string;
  to: string;
  subject: string;
  text: string;
  invoice_id: string | null;
  attempts: Int;
  sent_at: IntNull;
  error: string | null;
  created_at: Int;
}

export interface InvoiceTables {
  billing_profiles: BillingProfilesTable;
  billing_contacts: BillingContactsTable;
  billing_periods: BillingPeriodsTable;
  invoice_sequences: InvoiceSequencesTable;
  invoices: InvoicesTable;
  invoice_lines: InvoiceLinesTable;
  billing_mail: BillingMailTable;
  invoice_payments: InvoicePaymentsTable;
  invoice_status_history: InvoiceStatusHistoryTable;
  billing_mode_changes: BillingModeChangesTable;
}
