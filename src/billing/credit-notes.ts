/**
 * Credit notes that give money back. A credit note on an invoice that was already paid leaves it
 * overpaid by up to the note's total; that part is settled one of two ways (the operator picks
 * with `--settle refund|credit` where both are possible):
 *
 *  - `refund` (the default when the invoice was paid by card through Stripe): a Stripe refund of
 *    that amount, idempotency key = the credit note's id, metadata naming the note; it is recorded
 *    against the note (`payment_ref` = the refund id) and its webhook changes nothing more.
 *  - `credit` (the default otherwise, e.g. paid by bank transfer and marked paid by the operator):
 *    account credit — a ledger entry (`credit_note:<id>`) that the balance counts and the next
 *    invoice uses first.
 *
 * A refund whose API call failed is retried by the billing tick (same idempotency key).
 */
import type { Actor } from '../audit/actor.ts';
import { fail, invalidRequest } from '../core/errors.ts';
import { PICO_PER_CENT } from '../core/money.ts';
import type { BillingContext } from './context.ts';
import { totalsOf } from './invoices/rounding.ts';
import type { InvoiceDoc, InvoiceRow } from './invoices/service.ts';
import { noteRefunded } from './invoices/status.ts';
import { reversePayment } from './payments/settle.ts';
import type { PaymentRow } from './payments/store.ts';

export type Settle = 'refund' | 'credit';

/** The Stripe card payment of an invoice with the most left to refund (cents), if any. */
async function cardPaymentOf(b: BillingContext, invoiceId: string): Promise<{ pay: PaymentRow; roomCents: bigint } | null> {
  const pays = await b.db
    .selectFrom('payments')
    .selectAll()
    .where('invoice_id', '=', invoiceId)
    .where('provider', '=', 'stripe')
    .where('purpose', '=', 'invoice')
    .where('status', '=', 'succeeded')
    .execute();
  let best: { pay: PaymentRow; roomCents: bigint } | null = null;
  for (const pay of pays) {
    const rev = await b.db.selectFrom('payment_reversals').select('amount').where('payment_id', '=', pay.id).execute();
    const room = (pay.amount + rev.reduce((s, r) => s + r.amount, 0n)) / PICO_PER_CENT;
    if (!best || room > best.roomCents) best = { pay, roomCents: room };
  }
  return best;
}

export async function issueCreditNote(b: BillingContext, number: string, amount: bigint, reason: string, actor: Actor, settle?: Settle): Promise<InvoiceDoc> {
  if (settle !== undefined && settle !== 'refund' && settle !== 'credit') throw invalidRequest(`--settle is refund or credit, got ${JSON.stringify(settle)}`);
  const { invoice } = await b.invoices.get(number);
  const card = invoice.kind === 'invoice' && b.stripe ? await cardPaymentOf(b, invoice.id) : null;
  const mode: Settle = settle ?? (card && card.roomCents > 0n ? 'refund' : 'credit');
  if (mode === 'refund') {
    if (!card || !b.stripe)
      throw fail.not_card_paid(`invoice ${number} was not paid by card through Stripe: settle the credit note as account credit (--settle credit)`);
    const noteTotal = -totalsOf([-amount], invoice.tax_rate_e4).totalCents;
    if (card.roomCents < noteTotal)
      throw fail.refund_exceeds_payment(
        `only $${card.roomCents / 100n}.${String(card.roomCents % 100n).padStart(2, '0')} of invoice ${number}'s card payment is left to refund: settle as account credit (--settle credit)`,
      );
  }
  const doc = await b.invoices.creditNote(number, amount, reason, actor, mode);
  if (doc.invoice.paid_via === 'stripe_refund' && !doc.invoice.payment_ref) await refundNote(b, doc.invoice, number);
  return b.invoices.get(doc.invoice.number);
}

/** Makes (or finds again: same idempotency key) a credit note's Stripe refund and records it. */
export async function refundNote(b: BillingContext, note: InvoiceRow, invoiceNumber?: string): Promise<void> {
  if (!b.stripe || !note.corrects_id) return;
  const card = await cardPaymentOf(b, note.corrects_id);
  if (!card) return;
  const number = invoiceNumber ?? (await b.invoices.row(note.corrects_id))?.number ?? note.corrects_id;
  const re = await b.stripe.refundForCreditNote(card.pay, note.paid_cents, { id: note.id, number: note.number, invoiceNumber: number });
  const now = b.clock.now();
  await reversePayment(b.db, now, card.pay.id, {
    kind: 'refund',
    id: `refund:${re.id}`,
    object: { type: 'refund', id: re.id },
    amount: BigInt(re.amount) * PICO_PER_CENT,
    creditNoteId: note.id,
  });
  await noteRefunded(b.db, note.id, re.id, now);
}

/** Credit-note refunds whose API call did not get through (billing tick). */
export async function retryNoteRefunds(b: BillingContext): Promise<void> {
  if (!b.stripe) return;
  const due = await b.db
    .selectFrom('invoices')
    .selectAll()
    .where('kind', '=', 'credit_note')
    .where('paid_via', '=', 'stripe_refund')
    .where('payment_ref', 'is', null)
    .where('created_at', '<', BigInt(b.clock.now() - 60_000))
    .execute();
  for (const note of due) await refundNote(b, note).catch((e) => b.log.warn({ err: e, note: note.number }, 'credit note refund failed; will retry'));
}
