/**
 * Kysely table types of the payment tables (migration 040-payments). Money is pico-USD
 * (charged amounts are whole cents, so multiples of 10^10), times are epoch milliseconds.
 */
import type { ColumnType } from 'kysely';

type Int = ColumnType<bigint, bigint | number, bigint | number>;
type IntNull = ColumnType<bigint | null, bigint | number | null, bigint | number | null>;

export interface PaymentCustomersTable {
  org_id: string;
  /** 'stripe' */
  provider: string;
  customer_id: string;
  payment_method_id: string | null;
  card_brand: string | null;
  card_last4: string | null;
  card_exp_month: IntNull;
  card_exp_year: IntNull;
  /** 'none' (no card saved) | 'ok' | 'failed' (the last off-session charge was declined: auto-reload paused) */
  card_status: string;
  failure_message: string | null;
  updated_at: Int;
}

export interface PaymentsTable {
  id: string;
  org_id: string;
  /** 'stripe' | 'manual' */
  provider: string;
  /** 'topup' | 'auto_reload' | 'invoice' | 'card_setup' */
  purpose: string;
  amount: Int;
  currency: string;
  /** 'pending' | 'awaiting_approval' | 'succeeded' | 'failed' | 'expired' | 'rejected' */
  status: string;
  checkout_session_id: string | null;
  payment_intent_id: string | null;
  charge_id: string | null;
  idempotency_key: string | null;
  invoice_id: string | null;
  ledger_entry_id: string | null;
  failure_code: string | null;
  failure_message: string | null;
  note: string | null;
  created_at: Int;
  updated_at: Int;
}

export interface PaymentEventsTable {
  /** The provider's event id (evt_…): a redelivery is recognised by it. */
  id: string;
  provider: string;
  type: string;
  object_id: string | null;
  /** The event's own creation time (unix seconds). */
  created: Int;
  received_at: Int;
  /** 'processed' | 'ignored' | 'parked' (waits for the payment it refers to) */
  outcome: string;
  payload: string;
}

export interface PaymentReversalsTable {
  /** `refund:<charge>:<cumulative cents>` | `dispute:<dp_…>` | `dispute_won:<dp_…>` */
  id: string;
  payment_id: string;
  org_id: string;
  /** 'refund' | 'dispute' | 'dispute_won' */
  kind: string;
  object_id: string;
  /** Credit taken back (negative) or given back (dispute won, positive), pico-USD. */
  amount: Int;
  ledger_entry_id: string | null;
  created_at: Int;
}

export interface LedgerLinksTable {
  entry_id: string;
  org_id: string;
  provider: string;
  /** 'checkout.session' | 'payment_intent' | 'charge' | 'refund' | 'dispute' | 'payment' */
  object_type: string;
  object_id: string;
  payment_id: string | null;
}

export interface BillingHoldsTable {
  org_id: string;
  /** 'card_payment_failed' | 'invoice_overdue' */
  reason: string;
  /** The invoice that caused it. */
  ref: string | null;
  since: Int;
}

export interface PaymentTables {
  payment_customers: PaymentCustomersTable;
  payments: PaymentsTable;
  payment_events: PaymentEventsTable;
  payment_reversals: PaymentReversalsTable;
  ledger_links: LedgerLinksTable;
  billing_holds: BillingHoldsTable;
}
