/**
 * The payment-provider interface behind credit purchases and auto-reload. `ManualProvider`
 * records the purchase as paid (an operator invoices or collects outside Tollgate); a card
 * provider would charge first and record on success. `ref` makes a purchase idempotent.
 */
import type { Ledger } from './ledger.ts';

export interface PurchaseRequest { orgId: string; amount: bigint; ref: string; note: string }
export interface PurchaseResult { status: 'paid' | 'failed'; entryId?: string; error?: string }

export interface PaymentProvider {
  readonly name: string;
  purchase(req: PurchaseRequest): Promise<PurchaseResult>;
}

export class ManualProvider implements PaymentProvider {
  readonly name = 'manual';
  constructor(private ledger: Ledger) {}
  async purchase(req: PurchaseRequest): Promise<PurchaseResult> {
    const e = await this.ledger.append({ orgId: req.orgId, kind: 'purchase', amount: req.amount, ref: req.ref, note: `${req.note} (manual provider)` });
    return { status: 'paid', entryId: e.id };
  }
}
