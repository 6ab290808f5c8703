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
import { monthKey, nextMonthStart, type Clock } from '../../core/clock.ts';
import { GatewayError, invalidRequest, notFound } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { PICO_PER_CENT } from '../../core/money.ts';
import type { DB } from '../../store/schema.ts';
import { computeLines, type DraftLine } from './compute.ts';
import { nextNumber } from './numbering.ts';
import { BillingProfiles } from './profile.ts';
import { totalsOf } from './rounding.ts';
import type { InvoiceLinesTable, InvoicesTable } from '../../store/tables/invoices.ts';
import { markInvoicePaid } from './status.ts';
import { SYSTEM, type Actor } from '../../audit/actor.ts';
import { recordAudit } from '../../audit/log.ts';

export type InvoiceRow = Selectable<InvoicesTable>;
export type LineRow = Selectable<InvoiceLinesTable>;
export interface InvoiceDoc { invoice: InvoiceRow; lines: LineRow[] }

export interface Party { name: string; address: string; email?: string; tax_id: string; org_id?: string; contacts?: string[] }

export interface Draft {
  orgId: string; orgName: string; period: string; collection: 'send_invoice' | 'charge_card';
  issuedAt: number; dueAt: number; taxRateE4: bigint;
  lines: Array<DraftLine & { cents: bigint }>;
  subtotalExact: bigint; subtotalCents: bigint; taxCents: bigint; totalCents: bigint;
  issuer: Party; customer: Party;
}

export interface CloseResult { org_id: string; period: string; status: 'issued' | 'already_closed' | 'nothing_to_invoice'; invoice?: InvoiceRow }

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

  constructor(private db: Kysely<DB>, private clock: Clock, private cfg: Config['billing']) {
    this.profiles = new BillingProfiles(db, () => clock.now());
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
    const lines = await computeLines(this.db, { orgId, month, perWorkspace: profile.perWorkspace, workspaceNames: new Map(ws.map((w) => [w.id, w.name])) });
    const t = totalsOf(lines.map((l) => l.amount), profile.taxRateE4);
    const now = this.clock.now();
    const collection = org.billing_mode === 'card' ? 'charge_card' : 'send_invoice';
    const contacts = (await this.profiles.contacts(orgId)).map((c) => c.email);
    return {
      orgId, orgName: org.name, period: month, collection, issuedAt: now,
      dueAt: collection === 'charge_card' ? now : now + (profile.netDays ?? this.cfg.netDays) * DAY, taxRateE4: profile.taxRateE4,
      lines: lines.map((l, i) => ({ ...l, cents: t.lineCents[i]! })),
      subtotalExact: t.subtotalExact, subtotalCents: t.subtotalCents, taxCents: t.taxCents, totalCents: t.totalCents,
      issuer: this.issuer(),
      customer: { org_id: orgId, name: profile.legalName ?? org.name, address: profile.address ?? '', tax_id: profile.taxId ?? '', contacts },
    };
  }

  /** Orgs billed after the fact (card and invoice billing modes). */
  async postpaidOrgs(): Promise<string[]> {
    return (await this.db.selectFrom('orgs').select('id').where('billing_mode', 'in', ['card', 'invoice']).orderBy('created_at').execute()).map((r) => r.id);
  }

  /** Closes `month` for one org, or every post-paid org. Refuses a month that has not ended. */
  async close(month: string, orgId?: string): Promise<CloseResult[]> {
    checkMonth(month);
    const now = this.clock.now();
    if (now < nextMonthStart(monthStart(month))) throw invalidRequest(`month ${month} has not ended yet (it ends ${new Date(nextMonthStart(monthStart(month))).toISOString()}); use invoices preview for a month in progress`, { code: 'month_not_ended' });
    if (orgId) {
      const o = await this.org(orgId);
      if (o.billing_mode !== 'card' && o.billing_mode !== 'invoice') throw invalidRequest(`org ${orgId} is in ${o.billing_mode} billing mode: only card and invoice orgs get monthly invoices`);
    }
    const out: CloseResult[] = [];
    for (const id of orgId ? [orgId] : await this.postpaidOrgs()) out.push(await this.closeOrg(id, month));
    return out;
  }

  async closeOrg(orgId: string, month: string): Promise<CloseResult> {
    for (let attempt = 0; ; attempt++) {
      const existing = await this.db.selectFrom('billing_periods').selectAll().where('org_id', '=', orgId).where('period', '=', month).executeTakeFirst();
      if (existing) return { org_id: orgId, period: month, status: 'already_closed', invoice: existing.invoice_id ? await this.row(existing.invoice_id) : undefined };
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
            id, org_id: orgId, kind: 'invoice', number, issuer: this.cfg.issuer.code, period: month, collection: d.collection, status: d.totalCents <= 0n ? 'paid' : 'open',
            currency: 'usd', issued_at: d.issuedAt, due_at: d.dueAt, subtotal_exact: d.subtotalExact, subtotal_cents: d.subtotalCents, tax_rate_e4: d.taxRateE4,
            tax_cents: d.taxCents, total_cents: d.totalCents, credited_cents: 0n, corrects_id: null, reason: null,
            issuer_json: JSON.stringify(d.issuer), customer_json: JSON.stringify(d.customer), paid_at: d.totalCents <= 0n ? now : null, paid_via: d.totalCents <= 0n ? 'nothing_due' : null,
            payment_ref: null, charge_attempts: 0n, next_charge_at: d.collection === 'charge_card' && d.totalCents > 0n ? now : null, first_failed_at: null, dunning_level: 0n, created_at: now,
          };
          await trx.insertInto('invoices').values(row).execute();
          await insertLines(trx, id, d.lines);
          await trx.updateTable('billing_periods').set({ invoice_id: id }).where('org_id', '=', orgId).where('period', '=', month).execute();
          return { org_id: orgId, period: month, status: 'issued' as const, invoice: row as unknown as InvoiceRow };
        });
      } catch (e) {
        if (attempt < 3 && (e instanceof Retry || isUniqueViolation(e))) continue;
        throw e;
      }
    }
  }

  private async invoiceCount(orgId: string, db: Kysely<DB> = this.db): Promise<number> {
    const r = await db.selectFrom('invoices').select((eb) => eb.fn.countAll().as('n')).where('org_id', '=', orgId).executeTakeFirst();
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
        await recordAudit(trx, actor, this.clock.now(), { orgId: invoice.org_id, action: 'invoice.pay', targetType: 'invoice', targetId: number, before: { status: invoice.status }, after: { status: 'paid', via: 'operator', ref } });
      });
    }
    return (await this.row(invoice.id))!;
  }

  /**
   * Issues a credit note against an invoice: `amount` (pico-USD, before tax, whole cents) taken
   * off, taxed at the invoice's rate. What is due falls by the credit note's total; an invoice
   * credited in full is settled.
   */
  async creditNote(number: string, amount: bigint, reason: string, actor: Actor = SYSTEM): Promise<InvoiceDoc> {
    const { invoice } = await this.get(number);
    if (invoice.kind !== 'invoice') throw invalidRequest(`${number} is a credit note; credit the invoice itself`);
    if (amount <= 0n || amount % PICO_PER_CENT !== 0n) throw invalidRequest('a credit note is a positive whole number of cents');
    if (!reason.trim()) throw invalidRequest('a credit note needs a reason');
    const id = await this.db.transaction().execute(async (trx) => {
      const now = this.clock.now();
      // Write first (locks), then read the invoice's credited amount inside the transaction.
      const noteNumber = await nextNumber(trx, invoice.issuer, 'credit_note');
      const cur = await trx.selectFrom('invoices').select(['credited_cents', 'total_cents', 'status']).where('id', '=', invoice.id).executeTakeFirstOrThrow();
      const t = totalsOf([-amount], invoice.tax_rate_e4);
      if (cur.credited_cents - t.totalCents > cur.total_cents) throw new GatewayError('invalid_request_error', 400, `credit notes would exceed invoice ${number}'s total`, { code: 'credit_exceeds_invoice' });
      const noteId = newId('inv');
      await trx.insertInto('invoices').values({
        id: noteId, org_id: invoice.org_id, kind: 'credit_note', number: noteNumber, issuer: invoice.issuer, period: invoice.period, collection: invoice.collection,
        status: 'issued', currency: invoice.currency, issued_at: now, due_at: now, subtotal_exact: t.subtotalExact, subtotal_cents: t.subtotalCents,
        tax_rate_e4: invoice.tax_rate_e4, tax_cents: t.taxCents, total_cents: t.totalCents, credited_cents: 0n, corrects_id: invoice.id, reason: reason.trim(),
        issuer_json: invoice.issuer_json, customer_json: invoice.customer_json, paid_at: null, paid_via: null, payment_ref: null, charge_attempts: 0n,
        next_charge_at: null, first_failed_at: null, dunning_level: 0n, created_at: now,
      }).execute();
      await insertLines(trx, noteId, [{ kind: 'credit', usageMonth: null, model: null, tokenKind: null, workspaceId: null, description: `Credit against invoice ${number}: ${reason.trim()}`, quantity: 1n, unitPrice: 0n, amount: -amount, cents: t.lineCents[0]! }]);
      const credited = cur.credited_cents - t.totalCents;
      await trx.updateTable('invoices').set({ credited_cents: credited }).where('id', '=', invoice.id).execute();
      if (cur.status === 'open' && credited >= cur.total_cents) await markInvoicePaid(trx, invoice.id, { at: now, via: 'credit_note', ref: noteNumber });
      await recordAudit(trx, actor, now, { orgId: invoice.org_id, action: 'invoice.credit_note', targetType: 'invoice', targetId: number, before: { credited_cents: cur.credited_cents, status: cur.status }, after: { credit_note: noteNumber, credited_cents: credited, reason: reason.trim() } });
      return noteNumber;
    });
    return this.get(id);
  }
}

class Retry extends Error {}

function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === '23505' || /UNIQUE constraint failed/.test(err?.message ?? '');
}

async function insertLines(trx: Kysely<DB>, invoiceId: string, lines: Array<DraftLine & { cents: bigint }>): Promise<void> {
  const rows = lines.map((l, i) => ({
    invoice_id: invoiceId, line_no: i + 1, kind: l.kind, usage_month: l.usageMonth, model: l.model, token_kind: l.tokenKind, workspace_id: l.workspaceId,
    description: l.description, quantity: l.quantity, unit_price: l.unitPrice, amount_exact: l.amount, amount_cents: l.cents,
  }));
  for (let i = 0; i < rows.length; i += 200) await trx.insertInto('invoice_lines').values(rows.slice(i, i + 200)).execute();
}

/** What is still due on an invoice, cents. */
export const amountDue = (i: InvoiceRow) => (i.status === 'open' ? i.total_cents - i.credited_cents : 0n);

export { monthKey };
