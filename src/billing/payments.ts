/**
 * The payment-provider interface behind auto-reload, and the manual provider for operators
 * without Stripe. `ManualProvider` collects nothing: a purchase through it is recorded as
 * awaiting the operator's approval (`tollgate credits approve PAYMENT_ID`) and credits nothing
 * until then — so auto-reload never uses it (it would be unlimited post-paid credit). The card
 * provider is `stripe/provider.ts`. `ref` makes a purchase idempotent.
 */
import type { Kysely } from 'kysely';
import { invalidRequest, notFound } from '../core/errors.ts';
import type { DB } from '../store/schema.ts';
import { settlePayment } from './payments/settle.ts';
import { PaymentStore, type PaymentRow } from './payments/store.ts';
import { SYSTEM, type Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/log.ts';
import { picoToUsd } from '../core/money.ts';
import type { Clock } from '../core/clock.ts';

const auditView = (p: PaymentRow) => ({ id: p.id, status: p.status, amount_usd: picoToUsd(p.amount), provider: p.provider, purpose: p.purpose });

export interface PurchaseRequest {
  orgId: string;
  amount: bigint;
  ref: string;
  note: string;
}
export interface PurchaseResult {
  status: 'paid' | 'failed' | 'pending' | 'awaiting_approval';
  entryId?: string;
  paymentId?: string;
  error?: string;
}

export interface PaymentProvider {
  readonly name: string;
  purchase(req: PurchaseRequest): Promise<PurchaseResult>;
}

export class ManualProvider implements PaymentProvider {
  readonly name = 'manual';
  private store: PaymentStore;
  constructor(
    private db: Kysely<DB>,
    private clock: Clock,
  ) {
    this.store = new PaymentStore(db, clock);
  }

  async purchase(req: PurchaseRequest): Promise<PurchaseResult> {
    if (req.amount <= 0n) throw invalidRequest('a purchase amount must be positive');
    const { payment } = await this.store.createOnce({
      orgId: req.orgId,
      provider: 'manual',
      purpose: 'manual',
      amount: req.amount,
      status: 'awaiting_approval',
      idempotencyKey: req.ref,
      note: req.note,
    });
    return { status: payment.status === 'succeeded' ? 'paid' : 'awaiting_approval', paymentId: payment.id, entryId: payment.ledger_entry_id ?? undefined };
  }

  /** The operator approves a manual purchase: the credits land (once). */
  async approve(paymentId: string, actor: Actor = SYSTEM): Promise<PaymentRow> {
    const p = await this.store.get(paymentId);
    if (p?.provider !== 'manual') throw notFound(`manual purchase ${paymentId} not found`);
    if (p.status === 'rejected') throw invalidRequest(`purchase ${paymentId} was rejected`);
    await settlePayment(this.db, this.clock.now(), p.id, { object: { type: 'payment', id: p.id } });
    const after = (await this.store.get(paymentId))!;
    if (after.status !== p.status)
      await recordAudit(this.db, actor, this.clock.now(), {
        orgId: p.org_id,
        action: 'payment.approve',
        targetType: 'payment',
        targetId: p.id,
        before: auditView(p),
        after: auditView(after),
      });
    return after;
  }

  async reject(paymentId: string, reason: string | null, actor: Actor = SYSTEM): Promise<PaymentRow> {
    const p = await this.store.get(paymentId);
    if (p?.provider !== 'manual') throw notFound(`manual purchase ${paymentId} not found`);
    await this.db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('payments')
        .set({ status: 'rejected', failure_message: reason, updated_at: this.clock.now() })
        .where('id', '=', p.id)
        .where('status', '=', 'awaiting_approval')
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) > 0)
        await recordAudit(trx, actor, this.clock.now(), {
          orgId: p.org_id,
          action: 'payment.reject',
          targetType: 'payment',
          targetId: p.id,
          before: auditView(p),
          after: { ...auditView(p), status: 'rejected', reason },
        });
    });
    return (await this.store.get(paymentId))!;
  }
}
