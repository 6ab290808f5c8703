/**
 * Card payments through Stripe: Checkout sessions for top-ups (payment mode), for saving a card
 * (setup mode) and for paying an invoice; off-session charges of the card on file (auto-reload,
 * monthly card statements) with an idempotency key; and saving the card a setup session collected.
 *
 * Amounts are whole cents (Stripe's `unit_amount`); a top-up must lie within the configured limits.
 * Every payment Tollgate asks for is a `payments` row first, whose id travels in the Stripe
 * object's metadata (`tollgate_payment_id`), so any event about it finds it again.
 */
import type Stripe from 'stripe';
import type { Config } from '../../config/config.ts';
import type { Clock } from '../../core/clock.ts';
import { fail, invalidRequest, notFound } from '../../core/errors.ts';
import { PICO_PER_CENT, picoToUsd, usdToPico } from '../../core/money.ts';
import type { DB } from '../../store/schema.ts';
import type { Kysely } from 'kysely';
import { failPayment, settlePayment } from '../payments/settle.ts';
import { PaymentStore, type PaymentRow } from '../payments/store.ts';
import type { StripeClient } from './client.ts';

export interface CheckoutLink {
  id: string;
  url: string;
  payment_id: string;
}

export interface ChargeResult {
  status: 'succeeded' | 'failed' | 'pending' | 'no_card';
  payment?: PaymentRow;
  message?: string;
  code?: string | null;
}

const cents = (pico: bigint) => pico / PICO_PER_CENT;

export class StripePayments {
  readonly store: PaymentStore;

  constructor(
    private stripe: StripeClient,
    private db: Kysely<DB>,
    private clock: Clock,
    private cfg: Config['stripe'],
    private returnBase: string,
  ) {
    this.store = new PaymentStore(db, clock);
  }

  private now() {
    return this.clock.now();
  }

  private returnUrls(kind: string) {
    return {
      success_url: this.cfg.successUrl ?? `${this.returnBase}/console#billing?${kind}=success&session={CHECKOUT_SESSION_ID}`,
      cancel_url: this.cfg.cancelUrl ?? `${this.returnBase}/console#billing?${kind}=cancelled`,
    };
  }

  /** The org's Stripe customer, created once (the idempotency key makes concurrent creation safe). */
  async ensureCustomer(orgId: string, orgName: string): Promise<string> {
    const have = await this.store.customer(orgId);
    if (have) return have.customer_id;
    const c = await this.stripe.customers.create({ name: orgName, metadata: { tollgate_org_id: orgId } }, { idempotencyKey: `tollgate-customer-${orgId}` });
    return (await this.store.saveCustomer(orgId, 'stripe', c.id)).customer_id;
  }

  /** Checks a top-up amount against the configured limits; returns whole cents. */
  checkTopup(amount: bigint): bigint {
    if (amount % PICO_PER_CENT !== 0n) throw invalidRequest(`a card top-up is a whole number of cents, got $${picoToUsd(amount)}`);
    const min = usdToPico(this.cfg.minTopupUsd);
    const max = usdToPico(this.cfg.maxTopupUsd);
    if (amount < min || amount > max)
      throw fail.topup_out_of_range(`a card top-up must be between $${picoToUsd(min)} and $${picoToUsd(max)}, got $${picoToUsd(amount)}`);
    return cents(amount);
  }

  /** A Checkout session (payment mode) that buys `amount` of credits; credits land with the webhook. */
  async topupCheckout(org: { id: string; name: string }, amount: bigint): Promise<CheckoutLink> {
    const c = this.checkTopup(amount);
    const customer = await this.ensureCustomer(org.id, org.name);
    const pay = await this.store.create({ orgId: org.id, provider: 'stripe', purpose: 'topup', amount, status: 'pending', note: 'Checkout top-up' });
    const meta = { tollgate_payment_id: pay.id, tollgate_org_id: org.id, purpose: 'topup' };
    const s = await this.stripe.checkout.sessions.create(
      {
        mode: 'payment',
        customer,
        client_reference_id: org.id,
        line_items: [
          {
            quantity: 1,
            price_data: {
              currency: 'usd',
              unit_amount: Number(c),
              product_data: { name: 'Tollgate API credits', description: `$${picoToUsd(amount)} of prepaid credits for ${org.name}` },
            },
          },
        ],
        payment_intent_data: { metadata: meta, description: `Tollgate credits for ${org.name}` },
        metadata: meta,
        ...this.returnUrls('topup'),
      },
      { idempotencyKey: `tollgate-checkout-${pay.id}` },
    );
    await this.store.update(pay.id, { checkout_session_id: s.id });
    return { id: s.id, url: s.url!, payment_id: pay.id };
  }

  /** A Checkout session (setup mode) that saves a card for off-session charges. */
  async setupCheckout(org: { id: string; name: string }): Promise<CheckoutLink> {
    const customer = await this.ensureCustomer(org.id, org.name);
    const pay = await this.store.create({ orgId: org.id, provider: 'stripe', purpose: 'card_setup', amount: 0n, status: 'pending', note: 'save a card' });
    const meta = { tollgate_payment_id: pay.id, tollgate_org_id: org.id, purpose: 'card_setup' };
    const s = await this.stripe.checkout.sessions.create(
      {
        mode: 'setup',
        customer,
        client_reference_id: org.id,
        currency: 'usd',
        setup_intent_data: { metadata: meta },
        metadata: meta,
        ...this.returnUrls('card'),
      },
      { idempotencyKey: `tollgate-checkout-${pay.id}` },
    );
    await this.store.update(pay.id, { checkout_session_id: s.id });
    return { id: s.id, url: s.url!, payment_id: pay.id };
  }

  /** A Checkout session that pays an open invoice by card (the webhook marks it paid). */
  async invoiceCheckout(org: { id: string; name: string }, invoice: { id: string; number: string; dueCents: bigint }): Promise<CheckoutLink> {
    if (invoice.dueCents <= 0n) throw invalidRequest(`invoice ${invoice.number} has nothing left to pay`);
    const customer = await this.ensureCustomer(org.id, org.name);
    const pay = await this.store.create({
      orgId: org.id,
      provider: 'stripe',
      purpose: 'invoice',
      amount: invoice.dueCents * PICO_PER_CENT,
      status: 'pending',
      invoiceId: invoice.id,
      note: `invoice ${invoice.number}`,
    });
    const meta = { tollgate_payment_id: pay.id, tollgate_org_id: org.id, purpose: 'invoice', invoice_number: invoice.number };
    const s = await this.stripe.checkout.sessions.create(
      {
        mode: 'payment',
        customer,
        client_reference_id: org.id,
        line_items: [
          { quantity: 1, price_data: { currency: 'usd', unit_amount: Number(invoice.dueCents), product_data: { name: `Invoice ${invoice.number}` } } },
        ],
        payment_intent_data: { metadata: meta, description: `Tollgate invoice ${invoice.number}` },
        metadata: meta,
        ...this.returnUrls('invoice'),
      },
      { idempotencyKey: `tollgate-checkout-${pay.id}` },
    );
    await this.store.update(pay.id, { checkout_session_id: s.id });
    return { id: s.id, url: s.url!, payment_id: pay.id };
  }

  /**
   * Charges the card on file off-session. `key` is the idempotency key (the same key never charges
   * twice, at Stripe or here). A decline marks the card failed (auto-reload pauses until a new card
   * is saved) and records the payment as failed; nothing is credited.
   */
  async chargeOffSession(
    orgId: string,
    req: { amount: bigint; purpose: 'auto_reload' | 'invoice'; key: string; invoiceId?: string; description: string },
  ): Promise<ChargeResult> {
    const cust = await this.store.customer(orgId);
    if (!cust?.payment_method_id) return { status: 'no_card', message: 'no card on file' };
    const key = `${req.key}:${cust.payment_method_id}`;
    const { payment, created } = await this.store.createOnce({
      orgId,
      provider: 'stripe',
      purpose: req.purpose,
      amount: req.amount,
      status: 'pending',
      idempotencyKey: key,
      invoiceId: req.invoiceId ?? null,
      note: req.description,
    });
    if (!created && payment.status !== 'pending')
      return {
        status: payment.status === 'succeeded' ? 'succeeded' : 'failed',
        payment,
        message: payment.failure_message ?? undefined,
        code: payment.failure_code,
      };
    const meta = { tollgate_payment_id: payment.id, tollgate_org_id: orgId, purpose: req.purpose };
    let pi: Stripe.PaymentIntent;
    try {
      pi = await this.stripe.paymentIntents.create(
        {
          amount: Number(cents(req.amount)),
          currency: 'usd',
          customer: cust.customer_id,
          payment_method: cust.payment_method_id,
          off_session: true,
          confirm: true,
          description: req.description,
          metadata: meta,
        },
        { idempotencyKey: `tollgate-${key}` },
      );
    } catch (e) {
      const err = e as { type?: string; code?: string; decline_code?: string; message?: string; payment_intent?: { id?: string } };
      if (err.type === 'StripeCardError') {
        const msg = `${err.message ?? 'card declined'}${err.decline_code ? ` (${err.decline_code})` : ''}`;
        await failPayment(this.db, this.now(), payment.id, {
          code: err.code ?? 'card_declined',
          message: msg,
          paymentIntentId: err.payment_intent?.id ?? null,
        });
        await this.store.markCardFailed(orgId, msg);
        return { status: 'failed', payment: (await this.store.get(payment.id))!, message: msg, code: err.code ?? 'card_declined' };
      }
      throw e; // network or API trouble: the payment stays pending; the same key is safe to retry
    }
    return this.applyIntent(payment.id, pi);
  }

  /** Applies a PaymentIntent's state to its payment (synchronous result or webhook). */
  async applyIntent(paymentId: string, pi: Stripe.PaymentIntent): Promise<ChargeResult> {
    const chargeId = typeof pi.latest_charge === 'string' ? pi.latest_charge : (pi.latest_charge?.id ?? null);
    if (pi.status === 'succeeded') {
      await settlePayment(this.db, this.now(), paymentId, { paymentIntentId: pi.id, chargeId, object: { type: 'payment_intent', id: pi.id } });
      return { status: 'succeeded', payment: (await this.store.get(paymentId))! };
    }
    if (pi.status === 'processing') {
      await this.store.update(paymentId, { payment_intent_id: pi.id });
      return { status: 'pending', payment: (await this.store.get(paymentId))! };
    }
    const msg =
      pi.last_payment_error?.message ?? (pi.status === 'requires_action' ? 'the card needs authentication the customer must complete' : `payment ${pi.status}`);
    const code = pi.last_payment_error?.code ?? (pi.status === 'requires_action' ? 'authentication_required' : pi.status);
    await failPayment(this.db, this.now(), paymentId, { code, message: msg, paymentIntentId: pi.id });
    const p = (await this.store.get(paymentId))!;
    if (p.status === 'failed') await this.store.markCardFailed(p.org_id, msg);
    return { status: p.status === 'succeeded' ? 'succeeded' : 'failed', payment: p, message: msg, code };
  }

  /** Every refund of a charge (charge.refunded no longer carries them), oldest first. */
  async refundsOfCharge(chargeId: string): Promise<Stripe.Refund[]> {
    const out: Stripe.Refund[] = [];
    for await (const r of this.stripe.refunds.list({ charge: chargeId, limit: 100 })) out.push(r);
    return out.sort((a, b) => a.created - b.created || a.id.localeCompare(b.id));
  }

  /**
   * Refunds `cents` of an invoice payment for a credit note; the credit note's id is the
   * idempotency key, so a retried call (or a second process) never refunds twice.
   * https://docs.stripe.com/api/refunds/create, https://docs.stripe.com/api/idempotent_requests
   */
  async refundForCreditNote(pay: PaymentRow, cents: bigint, note: { id: string; number: string; invoiceNumber: string }): Promise<Stripe.Refund> {
    const target = pay.payment_intent_id ? { payment_intent: pay.payment_intent_id } : pay.charge_id ? { charge: pay.charge_id } : null;
    if (!target) throw invalidRequest(`payment ${pay.id} has no Stripe charge to refund`);
    return this.stripe.refunds.create(
      {
        ...target,
        amount: Number(cents),
        reason: 'requested_by_customer',
        metadata: {
          tollgate_credit_note_id: note.id,
          tollgate_credit_note: note.number,
          tollgate_invoice: note.invoiceNumber,
          tollgate_payment_id: pay.id,
          tollgate_org_id: pay.org_id,
        },
      },
      { idempotencyKey: note.id },
    );
  }

  /** Saves the card a completed setup session collected and makes it the customer's default. */
  async saveCardFromSetup(session: Stripe.Checkout.Session): Promise<boolean> {
    const setupId = typeof session.setup_intent === 'string' ? session.setup_intent : session.setup_intent?.id;
    if (!setupId) return false;
    const si = await this.stripe.setupIntents.retrieve(setupId, { expand: ['payment_method'] });
    if (si.status !== 'succeeded' || !si.payment_method) return false;
    const pm = typeof si.payment_method === 'string' ? await this.stripe.paymentMethods.retrieve(si.payment_method) : si.payment_method;
    const customerId = typeof session.customer === 'string' ? session.customer : session.customer?.id;
    const cust = customerId ? await this.store.customerById(customerId) : undefined;
    if (!cust) throw notFound(`no org has Stripe customer ${customerId}`);
    await this.stripe.customers.update(
      cust.customer_id,
      { invoice_settings: { default_payment_method: pm.id } },
      { idempotencyKey: `tollgate-default-pm-${cust.customer_id}-${pm.id}` },
    );
    await this.store.saveCard(cust.org_id, {
      paymentMethodId: pm.id,
      brand: pm.card?.brand ?? null,
      last4: pm.card?.last4 ?? null,
      expMonth: pm.card?.exp_month ?? null,
      expYear: pm.card?.exp_year ?? null,
    });
    return true;
  }
}
