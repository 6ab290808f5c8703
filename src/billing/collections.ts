/**
 * Getting paid after the fact, step by step, each step mailed to the billing contacts:
 *
 *  card billing mode — the statement is charged to the card on file when it is issued; a decline
 *    raises a `payment_failed` alert and is retried `cardRetryHours` after the first failure (a newly
 *    saved card is tried at once); `cardGraceDays` after the first failure, an org still unpaid is
 *    suspended (402 org_suspended) until the statement is paid.
 *  invoice billing mode — on the due date an unpaid invoice raises an `invoice_overdue` alert and a
 *    reminder; `invoiceGraceDays` later the org is suspended until it is paid.
 *
 * An invoice or statement a refund or dispute reopened is collected like an invoice from the
 * reopening on (reminder at once, suspension `invoiceGraceDays` later; no automatic card charge).
 *
 * Paying (card, Checkout, or `tollgate invoices pay`) lifts the suspension at once. Each step is
 * claimed with a compare-and-set on the invoice, so several gateway instances never act twice.
 */
import { PICO_PER_CENT } from '../core/money.ts';
import { centsToUsd } from './invoices/rounding.ts';
import { amountDue, type InvoiceRow } from './invoices/service.ts';
import { placeHold } from './payments/holds.ts';
import type { BillingContext as BillingRuntime } from './context.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LEASE = 10 * 60_000;
const day = (ms: number | bigint) => new Date(Number(ms)).toISOString().slice(0, 10);

/** One charge attempt of a card statement (claimed: `next_charge_at` must still be what we saw). */
export async function chargeStatement(b: BillingRuntime, inv: InvoiceRow): Promise<'succeeded' | 'failed' | 'pending' | 'skipped'> {
  const now = b.clock.now();
  const claim = await b.db
    .updateTable('invoices')
    .set({ next_charge_at: now + LEASE, charge_attempts: inv.charge_attempts + 1n })
    .where('id', '=', inv.id)
    .where('status', '=', 'open')
    .where('charge_attempts', '=', inv.charge_attempts)
    .executeTakeFirst();
  if (claim.numUpdatedRows !== 1n) return 'skipped';
  const attempt = Number(inv.charge_attempts) + 1;
  const due = amountDue(inv);
  const r = b.stripe
    ? await b.stripe.chargeOffSession(inv.org_id, {
        amount: due * PICO_PER_CENT,
        purpose: 'invoice',
        key: `invoice:${inv.id}:attempt:${attempt}`,
        invoiceId: inv.id,
        description: `Tollgate statement ${inv.number}`,
      })
    : { status: 'failed' as const, message: 'card payments are not configured on this gateway (STRIPE_SECRET_KEY)' };
  if (r.status === 'succeeded') {
    await b.mail.queue(
      inv.org_id,
      `invoice:${inv.id}:paid`,
      `[Tollgate] Statement ${inv.number} paid ($${centsToUsd(due)})`,
      `Your statement ${inv.number} for ${inv.period} ($${centsToUsd(due)}) was charged to the card on file.\n\nThank you.\n`,
      inv.id,
    );
    return 'succeeded';
  }
  if (r.status === 'pending') return 'pending';
  const first = inv.first_failed_at ?? BigInt(now);
  const retries = b.config.billing.cardRetryHours;
  const next = attempt <= retries.length ? Number(first) + retries[attempt - 1]! * HOUR : null;
  const suspendAt = Number(first) + b.config.billing.cardGraceDays * DAY;
  await b.db
    .updateTable('invoices')
    .set({ first_failed_at: first, next_charge_at: next, dunning_level: inv.dunning_level > 1n ? inv.dunning_level : 1n })
    .where('id', '=', inv.id)
    .where('status', '=', 'open')
    .execute();
  const why = r.status === 'no_card' ? 'there is no card on file' : (r.message ?? 'the card was declined');
  await b.mail.queue(
    inv.org_id,
    `invoice:${inv.id}:declined:${attempt}`,
    `[Tollgate] Payment of statement ${inv.number} failed ($${centsToUsd(due)})`,
    [
      `We could not charge $${centsToUsd(due)} for statement ${inv.number} (${inv.period}): ${why}.`,
      '',
      next !== null ? `We will try again on ${day(next)}.` : 'We will not retry automatically.',
      `Update the card on file in the console (Billing → Card on file) to pay now. If the statement is still unpaid on ${day(suspendAt)}, API access is suspended until it is paid.`,
      '',
    ].join('\n'),
    inv.id,
  );
  await b.alert(
    inv.org_id,
    'payment_failed',
    `invoice:${inv.number}:attempt:${attempt}`,
    due * PICO_PER_CENT,
    `Charging statement ${inv.number} failed (attempt ${attempt}): ${why}.`,
  );
  return 'failed';
}

/** Statements due for a (re)try, overdue invoices, suspensions: one pass. */
export async function runCollections(b: BillingRuntime): Promise<void> {
  const now = b.clock.now();
  const open = await b.db.selectFrom('invoices').selectAll().where('kind', '=', 'invoice').where('status', '=', 'open').execute();
  for (const inv of open) {
    if (inv.collection === 'charge_card' && inv.reopened_at === null) {
      if (inv.next_charge_at !== null && inv.next_charge_at <= BigInt(now)) await chargeStatement(b, inv);
      if (inv.first_failed_at !== null && Number(inv.first_failed_at) + b.config.billing.cardGraceDays * DAY <= now)
        await suspend(b, inv, 'card_payment_failed');
    } else {
      // A reopened invoice (refunded or disputed payment) is collected from its reopening on.
      const dueFrom = Math.max(Number(inv.due_at), Number(inv.reopened_at ?? 0));
      if (dueFrom <= now && inv.dunning_level < 1n) await overdue(b, inv);
      if (dueFrom + b.config.billing.invoiceGraceDays * DAY <= now) await suspend(b, inv, 'invoice_overdue');
    }
  }
  // Tell customers whose debt was settled after a reminder that all is well again.
  const settled = await b.db
    .selectFrom('invoices')
    .selectAll()
    .where('kind', '=', 'invoice')
    .where('status', 'in', ['paid', 'credited'])
    .where('dunning_level', '>=', 1n)
    .where('paid_at', '>', BigInt(now - 30 * DAY))
    .execute();
  for (const inv of settled) {
    await b.mail.queue(
      inv.org_id,
      `invoice:${inv.id}:settled`,
      `[Tollgate] ${inv.number} is paid${inv.dunning_level >= 2n ? ': API access restored' : ''}`,
      `Invoice ${inv.number} (${inv.period}) is paid.${inv.dunning_level >= 2n ? ' The suspension is lifted: your API keys work again.' : ''}\n`,
      inv.id,
    );
  }
}

async function overdue(b: BillingRuntime, inv: InvoiceRow): Promise<void> {
  const won = await b.db
    .updateTable('invoices')
    .set({ dunning_level: 1n })
    .where('id', '=', inv.id)
    .where('dunning_level', '=', 0n)
    .where('status', '=', 'open')
    .executeTakeFirst();
  if (won.numUpdatedRows !== 1n) return;
  const due = amountDue(inv);
  const suspendAt = Number(inv.due_at) + b.config.billing.invoiceGraceDays * DAY;
  await b.mail.queue(
    inv.org_id,
    `invoice:${inv.id}:overdue`,
    `[Tollgate] Invoice ${inv.number} is overdue ($${centsToUsd(due)})`,
    `Invoice ${inv.number} for ${inv.period} ($${centsToUsd(due)}) was due on ${day(inv.due_at)} and is unpaid.\nIf it is still unpaid on ${day(suspendAt)}, API access is suspended until it is paid.\n`,
    inv.id,
  );
  await b.alert(
    inv.org_id,
    'invoice_overdue',
    `invoice:${inv.number}`,
    due * PICO_PER_CENT,
    `Invoice ${inv.number} was due on ${day(inv.due_at)} and is unpaid.`,
  );
}

async function suspend(b: BillingRuntime, inv: InvoiceRow, reason: 'card_payment_failed' | 'invoice_overdue'): Promise<void> {
  const now = b.clock.now();
  const cur = await b.db.selectFrom('invoices').select('status').where('id', '=', inv.id).executeTakeFirst();
  if (cur?.status !== 'open') return; // paid in this very pass (a retry went through)
  await placeHold(b.db, { orgId: inv.org_id, reason, ref: inv.id, since: now });
  const won = await b.db
    .updateTable('invoices')
    .set({ dunning_level: 2n })
    .where('id', '=', inv.id)
    .where('dunning_level', '<', 2n)
    .where('status', '=', 'open')
    .executeTakeFirst();
  if (won.numUpdatedRows !== 1n) return;
  await b.holds.reload();
  const due = amountDue(inv);
  await b.mail.queue(
    inv.org_id,
    `invoice:${inv.id}:suspended`,
    `[Tollgate] API access suspended: ${inv.number} unpaid ($${centsToUsd(due)})`,
    `${inv.number} for ${inv.period} ($${centsToUsd(due)}) is still unpaid, so API requests are now refused (402 org_suspended).\nPay it${reason === 'card_payment_failed' ? ' — or save a new card in the console, which is charged at once —' : ''} to restore access immediately.\n`,
    inv.id,
  );
  await b.alert(inv.org_id, 'billing_suspended', `invoice:${inv.number}`, due * PICO_PER_CENT, `API access is suspended: ${inv.number} is unpaid.`);
}
