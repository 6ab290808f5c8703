/**
 * The two money movements a payment provider can cause, each exactly once however often (and in
 * whatever order) the provider reports it:
 *
 *  - `settlePayment`: a payment succeeded. One compare-and-set (`pending|failed → succeeded`) in
 *    the same transaction as its effect: a credit purchase appends one `purchase` ledger entry
 *    (ref `payment:<id>`), an invoice payment marks the invoice paid. A repeat finds the payment
 *    already succeeded and does nothing.
 *  - `reversePayment`: a refund (or its failure), a dispute, or a dispute won. The reversal's own id
 *    (`refund:<re_…>`, `refund_failed:<re_…>`, `dispute:<dp_…>`, `dispute_won:<dp_…>`) is a primary
 *    key, so a redelivery inserts nothing; what is taken back is capped at what the payment brought
 *    and was not yet taken back. Both purposes share it: a credit purchase gets a negative ledger
 *    entry; an invoice payment gets a negative movement on the invoice, which reopens it (in full,
 *    or partially paid) — unless the refund is a credit note's own (then the note settled it).
 *
 * Every ledger entry written here gets a `ledger_links` row naming the provider object behind it.
 */
import type { Kysely, Transaction } from 'kysely';
import { Ledger, type LedgerEntry } from '../ledger.ts';
import type { DB } from '../../store/schema.ts';
import { markInvoicePaid, recordInvoiceMovement, type StatusChange } from '../invoices/status.ts';
import { PICO_PER_CENT, picoToUsd } from '../../core/money.ts';
import { fixedClock } from '../../core/clock.ts';

export const CREDIT_PURPOSES = new Set(['topup', 'auto_reload', 'manual']);

export interface ProviderObject {
  type: string;
  id: string;
}

export interface SettleResult {
  settled: boolean;
  paymentId: string;
  entry?: LedgerEntry;
}

async function link(trx: Transaction<DB>, entry: LedgerEntry, provider: string, obj: ProviderObject, paymentId: string) {
  await trx
    .insertInto('ledger_links')
    .values({ entry_id: entry.id, org_id: entry.orgId, provider, object_type: obj.type, object_id: obj.id, payment_id: paymentId })
    .onConflict((oc) => oc.column('entry_id').doNothing())
    .execute();
}

/** Marks a payment succeeded and applies its effect, once. */
export async function settlePayment(
  db: Kysely<DB>,
  now: number,
  paymentId: string,
  found: { paymentIntentId?: string | null; chargeId?: string | null; object: ProviderObject },
): Promise<SettleResult> {
  return db.transaction().execute(async (trx) => {
    const won = await trx
      .updateTable('payments')
      .set({ status: 'succeeded', updated_at: now, failure_code: null, failure_message: null })
      .where('id', '=', paymentId)
      .where('status', 'in', ['pending', 'failed', 'expired', 'awaiting_approval'])
      .executeTakeFirst();
    const ids: Record<string, string> = {};
    if (found.paymentIntentId) ids.payment_intent_id = found.paymentIntentId;
    if (found.chargeId) ids.charge_id = found.chargeId;
    if (Object.keys(ids).length) {
      await trx.updateTable('payments').set(ids).where('id', '=', paymentId).execute();
    }
    if (won.numUpdatedRows !== 1n) return { settled: false, paymentId };
    const p = await trx.selectFrom('payments').selectAll().where('id', '=', paymentId).executeTakeFirstOrThrow();
    if (CREDIT_PURPOSES.has(p.purpose)) {
      const ledger = new Ledger(trx, fixedClock(now));
      const what = p.purpose === 'auto_reload' ? 'auto-reload' : p.purpose === 'manual' ? 'manual purchase (approved)' : 'card top-up';
      const entry = await ledger.append(
        { orgId: p.org_id, kind: 'purchase', amount: p.amount, ref: `payment:${p.id}`, note: `${what} via ${p.provider} (${found.object.id})` },
        trx,
      );
      await link(trx, entry, p.provider, found.object, p.id);
      await trx.updateTable('payments').set({ ledger_entry_id: entry.id }).where('id', '=', p.id).execute();
      return { settled: true, paymentId, entry };
    }
    if (p.purpose === 'invoice' && p.invoice_id)
      await markInvoicePaid(trx, p.invoice_id, {
        at: now,
        via: p.provider,
        ref: found.object.id,
        movementId: `payment:${p.id}`,
        cents: p.amount / PICO_PER_CENT,
        paymentId: p.id,
      });
    return { settled: true, paymentId };
  });
}

export type ReversalKind = 'refund' | 'refund_failed' | 'dispute' | 'dispute_won';
export interface ReverseResult {
  outcome: 'applied' | 'duplicate' | 'nothing_to_take';
  amount: bigint;
  entry?: LedgerEntry;
  purpose: string;
  orgId: string;
  invoiceId?: string | null;
  invoiceChange?: StatusChange | null;
}

/** What each give-back undoes: a failed refund undoes that refund, a won dispute that dispute. */
const UNDOES: Partial<Record<ReversalKind, ReversalKind>> = { refund_failed: 'refund', dispute_won: 'dispute' };
const LABEL: Record<ReversalKind, string> = { refund: 'refund', refund_failed: 'failed refund', dispute: 'dispute', dispute_won: 'dispute won' };

/**
 * Takes money back (refund, dispute) or gives it back (a refund that failed, a dispute won).
 * `amount` is positive: the refund's or the dispute's own amount. `creditNoteId`: the refund a
 * credit note issued (the invoice stays settled; the movement is recorded against the note).
 */
export async function reversePayment(
  db: Kysely<DB>,
  now: number,
  paymentId: string,
  r: { kind: ReversalKind; id: string; object: ProviderObject; amount: bigint; creditNoteId?: string | null },
): Promise<ReverseResult> {
  return db.transaction().execute(async (trx) => {
    const p = await trx.selectFrom('payments').selectAll().where('id', '=', paymentId).executeTakeFirstOrThrow();
    // The reversal's id is its primary key: a redelivery inserts nothing and stops here.
    const ins = await trx
      .insertInto('payment_reversals')
      .values({ id: r.id, payment_id: paymentId, org_id: p.org_id, kind: r.kind, object_id: r.object.id, amount: 0n, ledger_entry_id: null, created_at: now })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    if (BigInt(ins.numInsertedOrUpdatedRows ?? 0n) !== 1n) return { outcome: 'duplicate', amount: 0n, purpose: p.purpose, orgId: p.org_id };
    const prior = await trx
      .selectFrom('payment_reversals')
      .select(['id', 'kind', 'amount', 'object_id'])
      .where('payment_id', '=', paymentId)
      .where('id', '!=', r.id)
      .execute();
    const net = prior.reduce((s, x) => s + x.amount, 0n); // ≤ 0: taken back so far (net)
    const brought = p.status === 'succeeded' ? p.amount : 0n;
    const undoes = UNDOES[r.kind];
    let delta: bigint;
    if (undoes) {
      const taken = -prior.filter((x) => x.kind === undoes && x.object_id === r.object.id).reduce((s, x) => s + x.amount, 0n);
      delta = r.amount < taken ? r.amount : taken;
    } else {
      const room = brought + net;
      delta = -(r.amount < room ? r.amount : room);
    }
    if (delta === 0n || (!undoes && delta > 0n)) return { outcome: 'nothing_to_take', amount: 0n, purpose: p.purpose, orgId: p.org_id };
    let entry: LedgerEntry | undefined;
    let invoiceChange: StatusChange | null = null;
    if (CREDIT_PURPOSES.has(p.purpose)) {
      const ledger = new Ledger(trx, fixedClock(now));
      entry = await ledger.append(
        {
          orgId: p.org_id,
          kind: 'adjustment',
          amount: delta,
          ref: `reversal:${r.id}`,
          note: `${LABEL[r.kind]} of payment ${p.id} via ${p.provider} (${r.object.id}): ${delta < 0n ? '' : '+'}$${picoToUsd(delta)}`,
        },
        trx,
      );
      await link(trx, entry, p.provider, r.object, p.id);
    } else if (p.purpose === 'invoice' && p.invoice_id) {
      const kind = r.creditNoteId && r.kind === 'refund' ? 'credit_note_refund' : r.kind;
      const m = await recordInvoiceMovement(
        trx,
        p.invoice_id,
        { id: r.id, kind, cents: delta / PICO_PER_CENT, paymentId: p.id, creditNoteId: r.creditNoteId ?? null, objectId: r.object.id },
        now,
        p.provider,
      );
      invoiceChange = m.change;
    }
    await trx
      .updateTable('payment_reversals')
      .set({ amount: delta, ledger_entry_id: entry?.id ?? null })
      .where('id', '=', r.id)
      .execute();
    return { outcome: 'applied', amount: delta, entry, purpose: p.purpose, orgId: p.org_id, invoiceId: p.invoice_id, invoiceChange };
  });
}

/** Records a failure unless the payment already succeeded (a late failure never undoes a success). */
export async function failPayment(
  db: Kysely<DB>,
  now: number,
  paymentId: string,
  f: { code: string | null; message: string | null; paymentIntentId?: string | null; status?: 'failed' | 'expired' },
): Promise<boolean> {
  const set: Record<string, unknown> = { status: f.status ?? 'failed', failure_code: f.code, failure_message: f.message, updated_at: now };
  if (f.paymentIntentId) set.payment_intent_id = f.paymentIntentId;
  const r = await db.updateTable('payments').set(set).where('id', '=', paymentId).where('status', 'in', ['pending', 'failed']).executeTakeFirst();
  return r.numUpdatedRows === 1n;
}
