/**
 * Invoice status changes that other billing modules cause (a payment settling an invoice). Only
 * an open invoice becomes paid; a finalised invoice's lines and totals never change.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../store/schema.ts';
import { recordChange } from '../../store/change-log.ts';

export async function markInvoicePaid(db: Kysely<DB>, invoiceId: string, p: { at: number; via: string; ref: string | null }): Promise<boolean> {
  const r = await db.updateTable('invoices').set({ status: 'paid', paid_at: p.at, paid_via: p.via, payment_ref: p.ref, next_charge_at: null })
    .where('id', '=', invoiceId).where('status', '=', 'open').executeTakeFirst();
  if (r.numUpdatedRows !== 1n) return false;
  const inv = await db.selectFrom('invoices').select(['org_id']).where('id', '=', invoiceId).executeTakeFirstOrThrow();
  // A hold that this invoice caused ends when it is paid (others may remain).
  const lifted = await db.deleteFrom('billing_holds').where('org_id', '=', inv.org_id).where('ref', '=', invoiceId).executeTakeFirst();
  if (lifted.numDeletedRows > 0n) await recordChange(db, 'billing', p.at);
  return true;
}
