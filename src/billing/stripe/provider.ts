/**
 * Auto-reload through Stripe: charges the card on file off-session, with the dip's reference as
 * the idempotency key (one dip, one charge). Credits land only when the charge succeeds. A decline
 * raises a `payment_failed` alert and pauses auto-reload (the card is marked failed) until a new
 * card is saved through Checkout.
 */
import { picoToUsd, PICO_PER_CENT } from '../../core/money.ts';
import type { PaymentProvider, PurchaseRequest, PurchaseResult } from '../payments.ts';
import type { BillingContext as BillingRuntime } from '../context.ts';

export class StripeProvider implements PaymentProvider {
  readonly name = 'stripe';
  constructor(private b: BillingRuntime) {}

  async purchase(req: PurchaseRequest): Promise<PurchaseResult> {
    const sp = this.b.stripe!;
    const cust = await sp.store.customer(req.orgId);
    if (!cust?.payment_method_id) return { status: 'failed', error: 'no card on file' };
    if (cust.card_status !== 'ok') return { status: 'failed', error: 'auto-reload paused: the card on file was declined; save a new card' };
    const amount = (req.amount / PICO_PER_CENT) * PICO_PER_CENT;
    try {
      sp.checkTopup(amount);
    } catch (e) {
      return { status: 'failed', error: (e as Error).message };
    }
    const r = await sp.chargeOffSession(req.orgId, {
      amount,
      purpose: 'auto_reload',
      key: req.ref,
      description: `Tollgate auto-reload: $${picoToUsd(amount)}`,
    });
    if (r.status === 'succeeded') return { status: 'paid', paymentId: r.payment?.id, entryId: r.payment?.ledger_entry_id ?? undefined };
    if (r.status === 'pending') return { status: 'pending', paymentId: r.payment?.id };
    if (r.payment)
      await this.b.alert(
        req.orgId,
        'payment_failed',
        `payment:${r.payment.id}`,
        amount,
        `Auto-reload of $${picoToUsd(amount)} failed: ${r.message ?? 'declined'}. Auto-reload is paused until a new card is saved.`,
      );
    return { status: 'failed', paymentId: r.payment?.id, error: r.message };
  }
}
