/**
 * What each Stripe event does. Every handler is idempotent on its own (a compare-and-set on the
 * payment, or a reversal's primary key), so a replayed, duplicated or reordered event changes
 * nothing twice; the event log (`payment_events`) only short-cuts redeliveries.
 *
 *  - checkout.session.completed — payment mode with `payment_status: paid`: the payment succeeded
 *    (credits land, or the invoice is paid); `unpaid` (an async method): wait for the next event.
 *    Setup mode: save the card and resume auto-reload.
 *  - checkout.session.async_payment_succeeded / _failed, checkout.session.expired
 *  - payment_intent.succeeded / payment_intent.payment_failed — off-session charges (and Checkout's
 *    own intents, found by metadata); a late failure never undoes a success.
 *  - refund.created / refund.updated / refund.failed, and charge.refunded — every refund is applied
 *    once by its own id (`refund:<re_…>`): charge.refunded carries only the cumulative amount
 *    (its `refunds` list is not included since API version 2022-11-15), so it lists the charge's
 *    refunds through the API; refund.* events carry the refund itself (sent for every refund since
 *    2024-10-28, https://docs.stripe.com/changelog/acacia/2024-10-28/refund-webhook-update).
 *    A pending or succeeded refund takes the money back; a failed or canceled one gives it back.
 *    Top-up payments lose the credit (ledger entry), invoice payments reopen the invoice — one
 *    shared path (payments/settle.ts `reversePayment`). A refund a credit note issued (metadata
 *    `tollgate_credit_note_id`) is recorded against that note and leaves the invoice settled.
 *  - charge.dispute.created — takes back the disputed amount; charge.dispute.closed (won) gives it back.
 *
 * Only USD: an event about money in another currency is ignored (200, logged, operator alert) and
 * changes nothing.
 *
 * An event about a payment Tollgate cannot find yet (a refund delivered before the payment it
 * refunds) is parked and replayed when that payment settles.
 */
import type Stripe from 'stripe';
import { PICO_PER_CENT } from '../../core/money.ts';
import { failPayment, reversePayment, settlePayment, type ReversalKind, type ReverseResult } from '../payments/settle.ts';
import { noteRefunded } from '../invoices/status.ts';
import type { PaymentRow } from '../payments/store.ts';
import type { StripePayments } from './service.ts';

export type Outcome = 'processed' | 'ignored' | 'parked';
export interface Reversal {
  orgId: string;
  amount: bigint;
  kind: ReversalKind;
  purpose: string;
  invoiceId?: string | null;
  reopened?: boolean;
  object: string;
}
export interface Handled {
  outcome: Outcome;
  note?: string;
  settledPaymentId?: string;
  cardSavedOrg?: string;
  reversal?: Reversal;
  reversals?: Reversal[];
  foreignCurrency?: { orgId: string | null; currency: string; object: string };
}

const foreign = (currency: string | null | undefined, object: string, orgId: string | null): Handled | null =>
  currency && currency.toLowerCase() !== 'usd'
    ? { outcome: 'ignored', note: `currency ${currency} is not USD`, foreignCurrency: { orgId, currency, object } }
    : null;

const idOf = (v: string | { id: string } | null | undefined) => (v == null ? null : typeof v === 'string' ? v : v.id);

export async function handleEvent(sp: StripePayments, now: number, ev: Stripe.Event): Promise<Handled> {
  const store = sp.store;
  const db = store.db;
  switch (ev.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded':
    case 'checkout.session.async_payment_failed':
    case 'checkout.session.expired': {
      const s = ev.data.object as Stripe.Checkout.Session;
      const pay = await findForSession(sp, s);
      if (!pay) return { outcome: 'ignored', note: 'not a Tollgate checkout session' };
      if (s.mode === 'setup') {
        if (ev.type !== 'checkout.session.completed' || s.status !== 'complete') return { outcome: 'ignored', note: `setup session ${s.status}` };
        await sp.saveCardFromSetup(s);
        await settlePayment(db, now, pay.id, { object: { type: 'checkout.session', id: s.id } });
        return { outcome: 'processed', note: 'card saved', cardSavedOrg: pay.org_id };
      }
      if (ev.type === 'checkout.session.expired') {
        await failPayment(db, now, pay.id, { code: 'expired', message: 'checkout session expired', status: 'expired' });
        return { outcome: 'processed', note: 'expired' };
      }
      if (ev.type === 'checkout.session.async_payment_failed') {
        await failPayment(db, now, pay.id, { code: 'async_payment_failed', message: 'the payment did not go through' });
        return { outcome: 'processed', note: 'async payment failed' };
      }
      const fx = foreign(s.currency, s.id, pay.org_id);
      if (fx) return fx;
      if (s.payment_status !== 'paid') return { outcome: 'processed', note: `awaiting payment (${s.payment_status})` };
      if (BigInt(s.amount_total ?? -1) * PICO_PER_CENT !== pay.amount) {
        return { outcome: 'ignored', note: `amount mismatch: session ${s.amount_total} ${s.currency}, payment ${pay.amount / PICO_PER_CENT} usd` };
      }
      const r = await settlePayment(db, now, pay.id, { paymentIntentId: idOf(s.payment_intent), object: { type: 'checkout.session', id: s.id } });
      return { outcome: 'processed', note: r.settled ? 'settled' : 'already settled', settledPaymentId: pay.id };
    }
    case 'payment_intent.succeeded':
    case 'payment_intent.payment_failed': {
      const pi = ev.data.object as Stripe.PaymentIntent;
      const pay = (await store.byIntent(pi.id)) ?? (pi.metadata?.tollgate_payment_id ? await store.get(pi.metadata.tollgate_payment_id) : undefined);
      if (pay?.provider !== 'stripe') return { outcome: 'ignored', note: 'not a Tollgate payment' };
      const fx = foreign(pi.currency, pi.id, pay.org_id);
      if (fx) return fx;
      if (BigInt(pi.amount) * PICO_PER_CENT !== pay.amount) return { outcome: 'ignored', note: 'amount mismatch' };
      if (ev.type === 'payment_intent.succeeded') {
        const r = await sp.applyIntent(pay.id, pi);
        return { outcome: 'processed', note: r.status, settledPaymentId: pay.id };
      }
      if (pay.purpose === 'topup' || pay.purpose === 'invoice') {
        // A Checkout customer may retry in the same session: only the session's end says it failed.
        await store.update(pay.id, { payment_intent_id: pi.id });
        return { outcome: 'processed', note: 'attempt failed inside Checkout' };
      }
      await sp.applyIntent(pay.id, pi);
      return { outcome: 'processed', note: 'failed' };
    }
    case 'charge.refunded': {
      const ch = ev.data.object as Stripe.Charge;
      const pay = await findForCharge(sp, ch.id, idOf(ch.payment_intent));
      const fx = foreign(ch.currency, ch.id, pay?.org_id ?? null);
      if (fx) return fx;
      if (pay?.status !== 'succeeded') return { outcome: 'parked', note: 'payment not settled yet' };
      const reversals: Reversal[] = [];
      for (const re of await sp.refundsOfCharge(ch.id)) {
        const r = await applyRefund(sp, now, pay, re);
        if (r) reversals.push(r);
      }
      return { outcome: 'processed', note: `${reversals.length} refund(s) applied`, reversals };
    }
    case 'refund.created':
    case 'refund.updated':
    case 'refund.failed': {
      const re = ev.data.object as Stripe.Refund;
      const pay = await findForCharge(sp, idOf(re.charge), idOf(re.payment_intent));
      const fx = foreign(re.currency, re.id, pay?.org_id ?? null);
      if (fx) return fx;
      if (pay?.status !== 'succeeded') return { outcome: 'parked', note: 'payment not settled yet' };
      const r = await applyRefund(sp, now, pay, re);
      return { outcome: 'processed', note: r ? `refund ${re.status}` : 'refund already applied', reversals: r ? [r] : [] };
    }
    case 'charge.dispute.created':
    case 'charge.dispute.closed': {
      const d = ev.data.object as Stripe.Dispute;
      if (ev.type === 'charge.dispute.closed' && d.status !== 'won') return { outcome: 'ignored', note: `dispute closed: ${d.status}` };
      const pay = await findForCharge(sp, idOf(d.charge), idOf(d.payment_intent));
      const fx = foreign(d.currency, d.id, pay?.org_id ?? null);
      if (fx) return fx;
      if (pay?.status !== 'succeeded') return { outcome: 'parked', note: 'payment not settled yet' };
      const kind: ReversalKind = ev.type === 'charge.dispute.created' ? 'dispute' : 'dispute_won';
      const r = await reversePayment(db, now, pay.id, {
        kind,
        id: `${kind}:${d.id}`,
        object: { type: 'dispute', id: d.id },
        amount: BigInt(d.amount) * PICO_PER_CENT,
      });
      return { outcome: 'processed', note: r.outcome, reversal: r.outcome === 'applied' ? reversalOf(r, kind, d.id) : undefined };
    }
    default:
      return { outcome: 'ignored', note: 'event type not used' };
  }
}

const reversalOf = (r: ReverseResult, kind: ReversalKind, object: string): Reversal => ({
  orgId: r.orgId,
  amount: r.amount,
  kind,
  purpose: r.purpose,
  invoiceId: r.invoiceId,
  reopened: r.invoiceChange?.to === 'open',
  object,
});

/**
 * One refund, once by its id. Pending or succeeded: the money goes back (`refund:<re_…>`). Failed
 * or canceled: the id is claimed first (so a late `refund.created` of the same refund takes
 * nothing), then whatever it took is given back (`refund_failed:<re_…>`).
 */
async function applyRefund(sp: StripePayments, now: number, pay: PaymentRow, re: Stripe.Refund): Promise<Reversal | null> {
  if (re.currency && re.currency.toLowerCase() !== 'usd') return null;
  const creditNoteId = re.metadata?.tollgate_credit_note_id ?? null;
  const object = { type: 'refund', id: re.id };
  if (re.status === 'failed' || re.status === 'canceled') {
    await reversePayment(sp.store.db, now, pay.id, { kind: 'refund', id: `refund:${re.id}`, object, amount: 0n, creditNoteId });
    const r = await reversePayment(sp.store.db, now, pay.id, {
      kind: 'refund_failed',
      id: `refund_failed:${re.id}`,
      object,
      amount: BigInt(re.amount) * PICO_PER_CENT,
      creditNoteId,
    });
    return r.outcome === 'applied' ? reversalOf(r, 'refund_failed', re.id) : null;
  }
  if (re.status !== 'succeeded' && re.status !== 'pending') return null; // requires_action: wait for refund.updated
  const r = await reversePayment(sp.store.db, now, pay.id, {
    kind: 'refund',
    id: `refund:${re.id}`,
    object,
    amount: BigInt(re.amount) * PICO_PER_CENT,
    creditNoteId,
  });
  if (creditNoteId && r.outcome !== 'duplicate') await noteRefunded(sp.store.db, creditNoteId, re.id, now);
  return r.outcome === 'applied' ? reversalOf(r, 'refund', re.id) : null;
}

async function findForSession(sp: StripePayments, s: Stripe.Checkout.Session): Promise<PaymentRow | undefined> {
  const byId = await sp.store.bySession(s.id);
  if (byId) return byId;
  // The session was created but its id not yet stored (crash between the two): the metadata names the payment.
  const id = s.metadata?.tollgate_payment_id;
  const p = id ? await sp.store.get(id) : undefined;
  if (p && !p.checkout_session_id && p.provider === 'stripe') {
    await sp.store.update(p.id, { checkout_session_id: s.id });
    return sp.store.get(p.id);
  }
  return undefined;
}

async function findForCharge(sp: StripePayments, chargeId: string | null, intentId: string | null): Promise<PaymentRow | undefined> {
  return (chargeId ? await sp.store.byCharge(chargeId) : undefined) ?? (intentId ? await sp.store.byIntent(intentId) : undefined);
}
