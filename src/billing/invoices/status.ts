/**
 * An invoice's payment state, which other billing modules change (a payment settling it, a refund
 * or dispute reopening it, a credit note). The finalised content (lines, totals) never changes;
 * what moves is money, one `invoice_payments` row per movement whose id is the provider object's
 * own id (so a movement reported twice is recorded once), summed in `paid_cents`:
 *
 *   due = total − credited (credit notes) − paid (net money received)
 *
 * The status follows: `open` while something is due, `paid` when nothing is. A refund or dispute
 * of a paid invoice makes something due again, so it reopens (partially paid when part of the
 * money stays). Every change is kept in `invoice_status_history`.
 */
import type { Kysely } from 'kysely';
import { newId } from '../../core/ids.ts';
import { recordChange } from '../../store/change-log.ts';
import type { DB } from '../../store/schema.ts';

export type MovementKind =
  | 'payment'
  | 'operator'
  | 'refund'
  | 'refund_failed'
  | 'dispute'
  | 'dispute_won'
  | 'credit_note_refund'
  | 'account_credit'
  | 'credit_applied';

export interface Movement {
  /** The movement's own id (provider object id based): a repeat records nothing. */
  id: string;
  kind: MovementKind;
  /** Signed cents: + received for the invoice, − given back. */
  cents: bigint;
  paymentId?: string | null;
  creditNoteId?: string | null;
  objectId?: string | null;
}

export interface StatusChange {
  from: string;
  to: string;
}

/** What is still due, cents (≤ 0: nothing; < 0: overpaid). */
export const dueCents = (i: { total_cents: bigint; credited_cents: bigint; paid_cents: bigint }) => i.total_cents - i.credited_cents - i.paid_cents;

/** Records a money movement on an invoice (once per id) and brings its status in line. Run inside a transaction. */
export async function recordInvoiceMovement(
  trx: Kysely<DB>,
  invoiceId: string,
  m: Movement,
  at: number,
  via: string,
): Promise<{ recorded: boolean; change: StatusChange | null }> {
  const inv = await trx.selectFrom('invoices').select(['org_id']).where('id', '=', invoiceId).executeTakeFirstOrThrow();
  const ins = await trx
    .insertInto('invoice_payments')
    .values({
      id: m.id,
      invoice_id: invoiceId,
      org_id: inv.org_id,
      kind: m.kind,
      amount_cents: m.cents,
      payment_id: m.paymentId ?? null,
      credit_note_id: m.creditNoteId ?? null,
      object_id: m.objectId ?? null,
      created_at: at,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  if (BigInt(ins.numInsertedOrUpdatedRows ?? 0n) !== 1n) return { recorded: false, change: null };
  await trx
    .updateTable('invoices')
    .set((eb) => ({ paid_cents: eb('paid_cents', '+', m.cents) }))
    .where('id', '=', invoiceId)
    .execute();
  return { recorded: true, change: await syncInvoiceStatus(trx, invoiceId, at, via, m.objectId ?? m.id) };
}

/** Sets `open`/`paid` from what is due (with a history row); lifts the holds a now-paid invoice caused. */
export async function syncInvoiceStatus(trx: Kysely<DB>, invoiceId: string, at: number, via: string, ref: string | null): Promise<StatusChange | null> {
  const inv = await trx.selectFrom('invoices').selectAll().where('id', '=', invoiceId).executeTakeFirstOrThrow();
  if (inv.kind !== 'invoice') return null;
  const due = dueCents(inv);
  const to = due > 0n ? 'open' : 'paid';
  if (to === inv.status) return null;
  const r =
    to === 'paid'
      ? await trx
          .updateTable('invoices')
          .set({ status: 'paid', paid_at: at, paid_via: via, payment_ref: ref, next_charge_at: null })
          .where('id', '=', invoiceId)
          .where('status', '=', inv.status)
          .executeTakeFirst()
      : // Reopened: collected again from now (no automatic card charge; reminders, then suspension, count from here).
        await trx
          .updateTable('invoices')
          .set({
            status: 'open',
            paid_at: null,
            paid_via: null,
            payment_ref: null,
            next_charge_at: null,
            first_failed_at: null,
            dunning_level: 0n,
            reopened_at: at,
          })
          .where('id', '=', invoiceId)
          .where('status', '=', inv.status)
          .executeTakeFirst();
  if (r.numUpdatedRows !== 1n) return null;
  const n = await trx
    .selectFrom('invoice_status_history')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('invoice_id', '=', invoiceId)
    .executeTakeFirst();
  await trx
    .insertInto('invoice_status_history')
    .values({ id: newId('ish'), invoice_id: invoiceId, seq: BigInt(Number(n?.n ?? 0) + 1), at, from_status: inv.status, to_status: to, via, ref })
    .execute();
  if (to === 'paid') {
    // A hold that this invoice caused ends when it is paid (others may remain).
    const lifted = await trx.deleteFrom('billing_holds').where('org_id', '=', inv.org_id).where('ref', '=', invoiceId).executeTakeFirst();
    if (lifted.numDeletedRows > 0n) await recordChange(trx, 'billing', at);
  }
  return { from: inv.status, to };
}

/** Records that what is due on an open invoice was paid in full (the operator, or a provider's payment of `cents`). */
export async function markInvoicePaid(
  trx: Kysely<DB>,
  invoiceId: string,
  p: { at: number; via: string; ref: string | null; movementId?: string; cents?: bigint; paymentId?: string },
): Promise<boolean> {
  const inv = await trx.selectFrom('invoices').selectAll().where('id', '=', invoiceId).executeTakeFirstOrThrow();
  const cents = p.cents ?? dueCents(inv);
  // The operator's movement id names the state it paid, so two concurrent `invoices pay` record one payment.
  const id = p.movementId ?? `operator:${invoiceId}:${inv.paid_cents}`;
  const kind: MovementKind = p.via === 'operator' ? 'operator' : 'payment';
  const r = await recordInvoiceMovement(trx, invoiceId, { id, kind, cents, paymentId: p.paymentId ?? null, objectId: p.ref }, p.at, p.via);
  return r.change?.to === 'paid';
}

/** A credit note's Stripe refund exists: recorded against the note (its `payment_ref`). */
export async function noteRefunded(db: Kysely<DB>, noteId: string, refundId: string, at: number): Promise<void> {
  await db
    .updateTable('invoices')
    .set({ payment_ref: refundId, paid_at: at })
    .where('id', '=', noteId)
    .where('kind', '=', 'credit_note')
    .where('payment_ref', 'is', null)
    .execute();
}
