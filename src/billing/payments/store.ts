/** Reads and writes of the payments domain's own tables (payments, customers and cards on file). */
import type { Kysely, Selectable } from 'kysely';
import { newId } from '../../core/ids.ts';
import type { DB } from '../../store/schema.ts';
import type { PaymentCustomersTable, PaymentsTable } from '../../store/tables/payments.ts';
import type { Clock } from '../../core/clock.ts';

export type PaymentRow = Selectable<PaymentsTable>;
export type CustomerRow = Selectable<PaymentCustomersTable>;

export interface NewPayment {
  orgId: string;
  provider: string;
  purpose: string;
  amount: bigint;
  status: string;
  idempotencyKey?: string | null;
  invoiceId?: string | null;
  note?: string | null;
}

export class PaymentStore {
  constructor(
    readonly db: Kysely<DB>,
    private clock: Clock,
  ) {}

  async create(p: NewPayment): Promise<PaymentRow> {
    const t = this.clock.now();
    const row = {
      id: newId('pay'),
      org_id: p.orgId,
      provider: p.provider,
      purpose: p.purpose,
      amount: p.amount,
      currency: 'usd',
      status: p.status,
      checkout_session_id: null,
      payment_intent_id: null,
      charge_id: null,
      idempotency_key: p.idempotencyKey ?? null,
      invoice_id: p.invoiceId ?? null,
      ledger_entry_id: null,
      failure_code: null,
      failure_message: null,
      note: p.note ?? null,
      created_at: t,
      updated_at: t,
    };
    await this.db.insertInto('payments').values(row).execute();
    return this.get(row.id) as Promise<PaymentRow>;
  }

  /** Creates the payment unless one with this idempotency key exists (then returns that one). */
  async createOnce(p: NewPayment & { idempotencyKey: string }): Promise<{ payment: PaymentRow; created: boolean }> {
    const existing = await this.byKey(p.idempotencyKey);
    if (existing) return { payment: existing, created: false };
    try {
      return { payment: await this.create(p), created: true };
    } catch (e) {
      const again = await this.byKey(p.idempotencyKey);
      if (again) return { payment: again, created: false };
      throw e;
    }
  }

  get(id: string) {
    return this.db.selectFrom('payments').selectAll().where('id', '=', id).executeTakeFirst();
  }
  byKey(key: string) {
    return this.db.selectFrom('payments').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
  }
  bySession(id: string) {
    return this.db.selectFrom('payments').selectAll().where('checkout_session_id', '=', id).executeTakeFirst();
  }
  byIntent(id: string) {
    return this.db.selectFrom('payments').selectAll().where('payment_intent_id', '=', id).executeTakeFirst();
  }
  byCharge(id: string) {
    return this.db.selectFrom('payments').selectAll().where('charge_id', '=', id).executeTakeFirst();
  }

  async list(orgId: string | null, status?: string): Promise<PaymentRow[]> {
    let q = this.db.selectFrom('payments').selectAll().orderBy('created_at', 'desc').orderBy('id');
    if (orgId) q = q.where('org_id', '=', orgId);
    if (status) q = q.where('status', '=', status);
    return q.limit(500).execute();
  }

  async update(id: string, set: Partial<Omit<PaymentRow, 'id'>>): Promise<void> {
    await this.db
      .updateTable('payments')
      .set({ ...set, updated_at: this.clock.now() })
      .where('id', '=', id)
      .execute();
  }

  customer(orgId: string) {
    return this.db.selectFrom('payment_customers').selectAll().where('org_id', '=', orgId).executeTakeFirst();
  }
  customerById(customerId: string) {
    return this.db.selectFrom('payment_customers').selectAll().where('customer_id', '=', customerId).executeTakeFirst();
  }

  async saveCustomer(orgId: string, provider: string, customerId: string): Promise<CustomerRow> {
    await this.db
      .insertInto('payment_customers')
      .values({
        org_id: orgId,
        provider,
        customer_id: customerId,
        payment_method_id: null,
        card_brand: null,
        card_last4: null,
        card_exp_month: null,
        card_exp_year: null,
        card_status: 'none',
        failure_message: null,
        updated_at: this.clock.now(),
      })
      .onConflict((oc) => oc.column('org_id').doNothing())
      .execute();
    return (await this.customer(orgId))!;
  }

  async saveCard(
    orgId: string,
    card: { paymentMethodId: string; brand: string | null; last4: string | null; expMonth: number | null; expYear: number | null },
  ): Promise<void> {
    await this.db
      .updateTable('payment_customers')
      .set({
        payment_method_id: card.paymentMethodId,
        card_brand: card.brand,
        card_last4: card.last4,
        card_exp_month: card.expMonth,
        card_exp_year: card.expYear,
        card_status: 'ok',
        failure_message: null,
        updated_at: this.clock.now(),
      })
      .where('org_id', '=', orgId)
      .execute();
  }

  async markCardFailed(orgId: string, message: string): Promise<void> {
    await this.db
      .updateTable('payment_customers')
      .set({ card_status: 'failed', failure_message: message, updated_at: this.clock.now() })
      .where('org_id', '=', orgId)
      .execute();
  }
}

/** What the console and `tollgate billing show` print about a card on file (never more than brand, last four and expiry). */
export function cardView(c: CustomerRow | undefined) {
  if (!c?.payment_method_id) return null;
  return {
    brand: c.card_brand,
    last4: c.card_last4,
    exp: c.card_exp_month != null && c.card_exp_year != null ? `${String(c.card_exp_month).padStart(2, '0')}/${c.card_exp_year}` : null,
    status: c.card_status,
    failure: c.failure_message,
  };
}
