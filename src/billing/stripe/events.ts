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
 *  - charge.refunded — takes back the newly refunded part of the charge (cumulative amount).
 *  - charge.dispute.created — takes back the disputed amount; charge.dispute.closed (won) gives it back.
 *
 * An event about a payment Tollgate cannot find yet (a refund delivered before the payment it
 * refunds) is parked and replayed when that payment settles.
 */
import type Stripe from 'stripe';
import { PICO_PER_CENT } from '../../core/money.ts';
import { failPayment, reversePayment, settlePayment, type ReversalKind } from '../payments/settle.ts';
import type { PaymentRow } from '../payments/store.ts';
import type { StripePayments } from './service.ts';

export type Outcome = 'processed' | 'ignored' | 'parked';
export interface Handled { outcome: Outcome; note?: string; settledPaymentId?: string; cardSavedOrg?: string; reversal?: { orgId: string; amount: bigint; kind: ReversalKind; purpose: string } }

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
      if (s.payment_status !== 'paid') return { outcome: 'processed', note: `awaiting payment (${s.payment_status})` };
      if (s.currency !== 'usd' || BigInt(s.amount_total ?? -1) * PICO_PER_CENT !== pay.amount) {
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
      if (pi.currency !== 'usd' || BigInt(pi.amount) * PICO_PER_CENT !== pay.amount) return { outcome: 'ignored', note: 'amount mismatch' };
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
      if (pay?.status !== 'succeeded') return { outcome: 'parked', note: 'payment not settled yet' };
      const r = await reversePayment(db, now, pay.id, { kind: 'refund', id: `refund:${ch.id}:${ch.amount_refunded}`, object: { type: 'charge', id: ch.id }, amount: BigInt(ch.amount_refunded) * PICO_PER_CENT });
      return { outcome: 'processed', note: r.outcome, reversal: r.outcome === 'applied' ? { orgId: r.orgId, amount: r.amount, kind: 'refund', purpose: r.purpose } : undefined };
    }
    case 'charge.dispute.created':
    case 'charge.dispute.closed': {
      const d = ev.data.object as Stripe.Dispute;
      if (ev.type === 'charge.dispute.closed' && d.status !== 'won') return { outcome: 'ignored', note: `dispute closed: ${d.status}` };
      const pay = await findForCharge(sp, idOf(d.charge), idOf(d.payment_intent));
      if (pay?.status !== 'succeeded') return { outcome: 'parked', note: 'payment not settled yet' };
      const kind: ReversalKind = ev.type === 'charge.dispute.created' ? 'dispute' : 'dispute_won';
      const r = await reversePayment(db, now, pay.id, { kind, id: `${kind}:${d.id}`, object: { type: 'dispute', id: d.id }, amount: BigInt(d.amount) * PICO_PER_CENT });
      return { outcome: 'processed', note: r.outcome, reversal: r.outcome === 'applied' ? { orgId: r.orgId, amount: r.amount, kind, purpose: r.purpose } : undefined };
    }
    default:
      return { outcome: 'ignored', note: 'event type not used' };
  }
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
