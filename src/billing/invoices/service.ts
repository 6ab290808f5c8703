/**
 * Month close, invoices and credit notes. Closing a month for an org (card or invoice billing
 * mode) finalises one document: lines from `computeLines`, totals by the rounding rule
 * (`rounding.ts`), a gapless number, the issuer's and the customer's details as they were that
 * day. A finalised document is never updated except for its payment status; corrections are
 * credit notes (their own number series) that reduce what is due.
 *
 * Closing is idempotent: the `billing_periods` row (org, month) is inserted first in the closing
 * transaction, so a second close — concurrent or later — finds it and returns the first result.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Config } from '../../config/config.ts';
import { monthKey, nextMonthStart, type Clock, fixedClock } from '../../core/clock.ts';
import { fail, invalidRequest, notFound } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { PICO_PER_CENT } from '../../core/money.ts';
import type { DB } from '../../store/schema.ts';
import { computeLines, type DraftLine } from './compute.ts';
import { nextNumber } from './numbering.ts';
import { BillingProfiles } from './profile.ts';
import { totalsOf } from './rounding.ts';
import type { InvoiceLinesTable, InvoicesTable } from '../../store/tables/invoices.ts';
import { dueCents, markInvoicePaid, recordInvoiceMovement, syncInvoiceStatus } from './status.ts';
import { Ledger } from '../ledger.ts';
import { postpaidModeDuring, prepaidWindows } from '../modes.ts';
import { SYSTEM, type Actor } from '../../audit/actor.ts';
import { recordAudit } from '../../audit/log.ts';

export type InvoiceRow = Selectable<InvoicesTable>;
export type LineRow = Selectable<InvoiceLinesTable>;
export interface InvoiceDoc {
  invoice: InvoiceRow;
  lines: LineRow[];
}

export interface Party {
  name: string;
  address: string;
  email?: string;
  tax_id: string;
  org_id?: string;
  contacts?: string[];
}

export interface Draft {
  orgId: string;
  orgName: string;
  period: string;
  collection: 'send_invoice' | 'charge_card';
  issuedAt: number;
  dueAt: number;
  taxRateE4: bigint;
  lines: Array<DraftLine & { cents: bigint }>;
  subtotalExact: bigint;
  subtotalCents: bigint;
  taxCents: bigint;
  totalCents: bigint;
  issuer: Party;
  customer: Party;
}

export interface CloseResult {
  org_id: string;
  period: string;
  status: 'issued' | 'already_closed' | 'nothing_to_invoice';
  invoice?: InvoiceRow;
}

const DAY = 86_400_000;
export const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;

export function monthStart(month: string): number {
  const [y, m] = month.split('-').map(Number);
  return Date.UTC(y!, m! - 1, 1);
}

export function checkMonth(month: string): string {
  if (!MONTH_RE.test(month)) throw invalidRequest(`month must be YYYY-MM, got ${JSON.stringify(month)}`);
  return month;
}

export class InvoiceService {
  readonly profiles: BillingProfiles;

  constructor(
    private db: Kysely<DB>,
    private clock: Clock,
    private cfg: Config['billing'],
  ) {
    this.profiles = new BillingProfiles(db, clock);
  }

  private issuer(): Party {
    const i = this.cfg.issuer;
    return { name: i.name, address: i.address, email: i.email, tax_id: i.taxId };
  }

  private async org(orgId: string) {
    const o = await this.db.selectFrom('orgs').select(['id', 'name', 'billing_mode']).where('id', '=', orgId).executeTakeFirst();
    if (!o) throw notFound(`org ${orgId} not found`);
    return o;
  }

  /** The invoice `month` would get if it were closed now (a preview of a month in progress, or the input of a close). */
  async draft(orgId: string, month: string): Promise<Draft> {
    checkMonth(month);
    const org = await this.org(orgId);
    const profile = await this.profiles.get(orgId);
    const ws = await this.db.selectFrom('workspaces').select(['id', 'name']).where('org_id', '=', orgId).execute();
    const exclude = await prepaidWindows(this.db, orgId);
    const lines = await computeLines(this.db, {
      orgId,
      month,
      perWorkspace: profile.perWorkspace,
      workspaceNames: new Map(ws.map((w) => [w.id, w.name])),
      exclude,
    });
    const t = totalsOf(
      lines.map((l) => l.amount),
      profile.taxRateE4,
    );
    const now = this.clock.now();
    const mode = (await postpaidModeDuring(this.db, orgId, monthStart(month), nextMonthStart(monthStart(month)))) ?? org.billing_mode;
    const collection = mode === 'card' ? 'charge_card' : 'send_invoice';
    const contacts = (await this.profiles.contacts(orgId)).map((c) => c.email);
    return {
      orgId,
      orgName: org.name,
      period: month,
      collection,
      issuedAt: now,
      dueAt: collection === 'charge_card' ? now : now + (profile.netDays ?? this.cfg.netDays) * DAY,
      taxRateE4: profile.taxRateE4,
      lines: lines.map((l, i) => ({ ...l, cents: t.lineCents[i]! })),
      subtotalExact: t.subtotalExact,
      subtotalCents: t.subtotalCents,
      taxCents: t.taxCents,
      totalCents: t.totalCents,
      issuer: this.issuer(),
      customer: { org_id: orgId, name: profile.legalName ?? org.name, address: profile.address ?? '', tax_id: profile.taxId ?? '', contacts },
    };
  }

  /** Orgs billed after the fact (card and invoice billing modes) at any time during `month`. */
  async postpaidOrgs(month: string): Promise<string[]> {
    const from = monthStart(month);
    const to = nextMonthStart(from);
    const now = await this.db.selectFrom('orgs').select(['id', 'created_at']).where('billing_mode', 'in', ['card', 'invoice']).execute();
    const switched = await this.db
      .selectFrom('billing_mode_changes')
      .innerJoin('orgs', 'orgs.id', 'billing_mode_changes.org_id')
      .select(['orgs.id', 'orgs.created_at'])
      .where('billing_mode_changes.status', '=', 'applied')
      .where('billing_mode_changes.effective_at', '>=', BigInt(from))
      .execute();
    const ids = new Map([...now, ...switched].map((r) => [r.id, Number(r.created_at)]));
    const out: Array<[string, number]> = [];
    for (const [id, created] of ids) if (await postpaidModeDuring(this.db, id, from, to)) out.push([id, created]);
    return out.sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])).map((x) => x[0]);
  }

  /** Closes `month` for one org, or every post-paid org. Refuses a month that has not ended. */
  async close(month: string, orgId?: string): Promise<CloseResult[]> {
    checkMonth(month);
    const now = this.clock.now();
    if (now < nextMonthStart(monthStart(month)))
      throw fail.month_not_ended(
        `month ${month} has not ended yet (it ends ${new Date(nextMonthStart(monthStart(month))).toISOString()}); use invoices preview for a month in progress`,
      );
    if (orgId) {
      const o = await this.org(orgId);
      if (!(await postpaidModeDuring(this.db, orgId, monthStart(month), nextMonthStart(monthStart(month)))))
        throw invalidRequest(`org ${orgId} was in ${o.billing_mode} billing mode throughout ${month}: only card and invoice orgs get monthly invoices`);
    }
    const out: CloseResult[] = [];
    for (const id of orgId ? [orgId] : await this.postpaidOrgs(month)) out.push(await this.closeOrg(id, month));
    return out;
  }

  async closeOrg(orgId: string, month: string): Promise<CloseResult> {
    for (let attempt = 0; ; attempt++) {
      const existing = await this.db.selectFrom('billing_periods').selectAll().where('org_id', '=', orgId).where('period', '=', month).executeTakeFirst();
      if (existing)
        return { org_id: orgId, period: month, status: 'already_closed', invoice: existing.invoice_id ? await this.row(existing.invoice_id) : undefined };
      const before = await this.invoiceCount(orgId);
      const d = await this.draft(orgId, month);
      try {
        return await this.db.transaction().execute(async (trx) => {
          const now = this.clock.now();
          // First statement writes: it takes SQLite's write lock; a concurrent close of the same period fails here.
          await trx.insertInto('billing_periods').values({ org_id: orgId, period: month, closed_at: now, invoice_id: null }).execute();
          if ((await this.invoiceCount(orgId, trx)) !== before) throw new Retry();
          if (!d.lines.length) return { org_id: orgId, period: month, status: 'nothing_to_invoice' as const };
          const id = newId('inv');
          const number = await nextNumber(trx, this.cfg.issuer.code, 'invoice');
          const row = {
            id,
            org_id: orgId,
            kind: 'invoice',
            number,
            issuer: this.cfg.issuer.code,
            period: month,
            collection: d.collection,
            status: d.totalCents <= 0n ? 'paid' : 'open',
            currency: 'usd',
            issued_at: d.issuedAt,
            due_at: d.dueAt,
            subtotal_exact: d.subtotalExact,
            subtotal_cents: d.subtotalCents,
            tax_rate_e4: d.taxRateE4,
            tax_cents: d.taxCents,
            total_cents: d.totalCents,
            credited_cents: 0n,
            corrects_id: null,
            reason: null,
            issuer_json: JSON.stringify(d.issuer),
            customer_json: JSON.stringify(d.customer),
            paid_at: d.totalCents <= 0n ? now : null,
            paid_via: d.totalCents <= 0n ? 'nothing_due' : null,
            payment_ref: null,
            charge_attempts: 0n,
            next_charge_at: d.collection === 'charge_card' && d.totalCents > 0n ? now : null,
            first_failed_at: null,
            dunning_level: 0n,
            created_at: now,
            paid_cents: 0n,
            reopened_at: null,
          };
          await trx.insertInto('invoices').values(row).execute();
          await insertLines(trx, id, d.lines);
          await trx.updateTable('billing_periods').set({ invoice_id: id }).where('org_id', '=', orgId).where('period', '=', month).execute();
          await applyAccountCredit(trx, { invoiceId: id, orgId, number, cents: d.totalCents, at: now });
          const issued = await trx.selectFrom('invoices').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
          return { org_id: orgId, period: month, status: 'issued' as const, invoice: issued };
        });
      } catch (e) {
        if (attempt < 3 && (e instanceof Retry || isUniqueViolation(e))) continue;
        throw e;
      }
    }
  }

  private async invoiceCount(orgId: string, db: Kysely<DB> = this.db): Promise<number> {
    const r = await db
      .selectFrom('invoices')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async row(id: string): Promise<InvoiceRow | undefined> {
    return this.db.selectFrom('invoices').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async get(number: string): Promise<InvoiceDoc> {
    const invoice = await this.db.selectFrom('invoices').selectAll().where('number', '=', number).executeTakeFirst();
    if (!invoice) throw notFound(`invoice ${number} not found`);
    const lines = await this.db.selectFrom('invoice_lines').selectAll().where('invoice_id', '=', invoice.id).orderBy('line_no').execute();
    return { invoice, lines };
  }

  async list(orgId?: string): Promise<InvoiceRow[]> {
    let q = this.db.selectFrom('invoices').selectAll().orderBy('issued_at', 'desc').orderBy('number', 'desc');
    if (orgId) q = q.where('org_id', '=', orgId);
    return q.execute();
  }

  /** Marks an open invoice paid by the operator (idempotent: a paid invoice stays as it was). */
  async pay(number: string, ref: string | null = null, actor: Actor = SYSTEM): Promise<InvoiceRow> {
    const { invoice } = await this.get(number);
    if (invoice.kind !== 'invoice') throw invalidRequest(`${number} is a credit note`);
    if (invoice.status === 'open') {
      await this.db.transaction().execute(async (trx) => {
        await markInvoicePaid(trx, invoice.id, { at: this.clock.now(), via: 'operator', ref });
        await recordAudit(trx, actor, this.clock.now(), {
          orgId: invoice.org_id,
          action: 'invoice.pay',
          targetType: 'invoice',
          targetId: number,
          before: { status: invoice.status },
          after: { status: 'paid', via: 'operator', ref },
        });
      });
    }
    return (await this.row(invoice.id))!;
  }

  /**
   * Issues a credit note against an invoice: `amount` (pico-USD, before tax, whole cents) taken
   * off, taxed at the invoice's rate. What is due falls by the credit note's total; an invoice
   * credited in full is settled. When the invoice was already paid, the part of the note that
   * leaves it overpaid (`settle_cents` on the note) is given back: as account credit here (a
   * ledger entry, `settle: 'credit'`), or by a Stripe refund the caller makes next
   * (`settle: 'refund'`, see billing/credit-notes.ts).
   */
  async creditNote(number: string, amount: bigint, reason: string, actor: Actor = SYSTEM, settle: 'refund' | 'credit' = 'credit'): Promise<InvoiceDoc> {
    const { invoice } = await this.get(number);
    if (invoice.kind !== 'invoice') throw invalidRequest(`${number} is a credit note; credit the invoice itself`);
    if (amount <= 0n || amount % PICO_PER_CENT !== 0n) throw invalidRequest('a credit note is a positive whole number of cents');
    if (!reason.trim()) throw invalidRequest('a credit note needs a reason');
    const id = await this.db.transaction().execute(async (trx) => {
      const now = this.clock.now();
      // Write first (locks), then read the invoice's credited amount inside the transaction.
      const noteNumber = await nextNumber(trx, invoice.issuer, 'credit_note');
      const cur = await trx
        .selectFrom('invoices')
        .select(['credited_cents', 'total_cents', 'paid_cents', 'status'])
        .where('id', '=', invoice.id)
        .executeTakeFirstOrThrow();
      const t = totalsOf([-amount], invoice.tax_rate_e4);
      if (cur.credited_cents - t.totalCents > cur.total_cents) throw fail.credit_exceeds_invoice(`credit notes would exceed invoice ${number}'s total`);
      const credited = cur.credited_cents - t.totalCents;
      // Overpaid after this note: that much goes back to the customer (never more than the note).
      const over = -dueCents({ total_cents: cur.total_cents, credited_cents: credited, paid_cents: cur.paid_cents });
      const excess = over <= 0n ? 0n : over < -t.totalCents ? over : -t.totalCents;
      const noteId = newId('inv');
      await trx
        .insertInto('invoices')
        .values({
          id: noteId,
          org_id: invoice.org_id,
          kind: 'credit_note',
          number: noteNumber,
          issuer: invoice.issuer,
          period: invoice.period,
          collection: invoice.collection,
          status: 'issued',
          currency: invoice.currency,
          issued_at: now,
          due_at: now,
          subtotal_exact: t.subtotalExact,
          subtotal_cents: t.subtotalCents,
          tax_rate_e4: invoice.tax_rate_e4,
          tax_cents: t.taxCents,
          total_cents: t.totalCents,
          credited_cents: 0n,
          corrects_id: invoice.id,
          reason: reason.trim(),
          issuer_json: invoice.issuer_json,
          customer_json: invoice.customer_json,
          paid_at: null,
          paid_via: excess > 0n ? (settle === 'refund' ? 'stripe_refund' : 'account_credit') : null,
          payment_ref: null,
          charge_attempts: 0n,
          next_charge_at: null,
          first_failed_at: null,
          dunning_level: 0n,
          created_at: now,
          paid_cents: excess,
        })
        .execute();
      await insertLines(trx, noteId, [
        {
          kind: 'credit',
          usageMonth: null,
          model: null,
          tokenKind: null,
          workspaceId: null,
          description: `Credit against invoice ${number}: ${reason.trim()}`,
          quantity: 1n,
          unitPrice: 0n,
          amount: -amount,
          cents: t.lineCents[0]!,
        },
      ]);
      await trx.updateTable('invoices').set({ credited_cents: credited }).where('id', '=', invoice.id).execute();
      if (excess > 0n && settle === 'credit')
        await toAccountCredit(trx, { invoiceId: invoice.id, orgId: invoice.org_id, noteId, noteNumber, invoiceNumber: number, cents: excess, at: now, actor });
      await syncInvoiceStatus(trx, invoice.id, now, 'credit_note', noteNumber);
      await recordAudit(trx, actor, now, {
        orgId: invoice.org_id,
        action: 'invoice.credit_note',
        targetType: 'invoice',
        targetId: number,
        before: { credited_cents: cur.credited_cents, status: cur.status },
        after: { credit_note: noteNumber, credited_cents: credited, reason: reason.trim(), settle: excess > 0n ? settle : null, settle_cents: excess },
      });
      return noteNumber;
    });
    return this.get(id);
  }
}

/**
 * Account credit (from credit notes on paid invoices) pays the next invoice first: what is left of
 * it (Σ ledger entries `credit_note:*` and `credit_applied:*`) is taken, up to the invoice's total.
 */
async function applyAccountCredit(trx: Kysely<DB>, c: { invoiceId: string; orgId: string; number: string; cents: bigint; at: number }): Promise<void> {
  if (c.cents <= 0n) return;
  const rows = await trx
    .selectFrom('ledger_entries')
    .select(['amount'])
    .where('org_id', '=', c.orgId)
    .where((eb) => eb.or([eb('ref', 'like', 'credit_note:%'), eb('ref', 'like', 'credit_applied:%')]))
    .execute();
  const left = rows.reduce((s, r) => s + BigInt(r.amount), 0n) / PICO_PER_CENT;
  const take = left < c.cents ? left : c.cents;
  if (take <= 0n) return;
  const entry = await new Ledger(trx, fixedClock(c.at)).append(
    {
      orgId: c.orgId,
      kind: 'adjustment',
      amount: -take * PICO_PER_CENT,
      ref: `credit_applied:${c.invoiceId}`,
      note: `account credit applied to invoice ${c.number}`,
    },
    trx,
  );
  await recordInvoiceMovement(
    trx,
    c.invoiceId,
    { id: `credit_applied:${c.invoiceId}`, kind: 'credit_applied', cents: take, objectId: entry.id },
    c.at,
    'account_credit',
  );
}

/** The overpaid part of a credited invoice becomes account credit: a ledger entry (ref `credit_note:<id>`) the balance and the next invoice use. */
async function toAccountCredit(
  trx: Kysely<DB>,
  c: { invoiceId: string; orgId: string; noteId: string; noteNumber: string; invoiceNumber: string; cents: bigint; at: number; actor: Actor },
): Promise<void> {
  const entry = await new Ledger(trx, fixedClock(c.at), c.actor).append(
    {
      orgId: c.orgId,
      kind: 'adjustment',
      amount: c.cents * PICO_PER_CENT,
      ref: `credit_note:${c.noteId}`,
      note: `credit note ${c.noteNumber} on paid invoice ${c.invoiceNumber}: account credit`,
    },
    trx,
  );
  await recordInvoiceMovement(
    trx,
    c.invoiceId,
    { id: `credit_note:${c.noteId}`, kind: 'account_credit', cents: -c.cents, creditNoteId: c.noteId, objectId: entry.id },
    c.at,
    'credit_note',
  );
  await trx.updateTable('invoices').set({ paid_at: c.at, payment_ref: entry.id }).where('id', '=', c.noteId).execute();
}

class Retry extends Error {}

function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === '23505' || /UNIQUE constraint failed/.test(err?.message ?? '');
}

async function insertLines(trx: Kysely<DB>, invoiceId: string, lines: Array<DraftLine & { cents: bigint }>): Promise<void> {
  const rows = lines.map((l, i) => ({
    invoice_id: invoiceId,
    line_no: i + 1,
    kind: l.kind,
    usage_month: l.usageMonth,
    model: l.model,
    token_kind: l.tokenKind,
    workspace_id: l.workspaceId,
    description: l.description,
    quantity: l.quantity,
    unit_price: l.unitPrice,
    amount_exact: l.amount,
    amount_cents: l.cents,
  }));
  for (let i = 0; i < rows.length; i += 200)
    await trx
      .insertInto('invoice_lines')
      .values(rows.slice(i, i + 200))
      .execute();
}

/** What is still due on an invoice, cents. */
export const amountDue = (i: InvoiceRow) => {
  const d = dueCents(i);
  return i.status === 'open' && d > 0n ? d : 0n;
};

export { monthKey };
