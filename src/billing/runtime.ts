/**
 * The billing side of a running gateway (or of one CLI command): Stripe payments, invoices,
 * collections, billing mail and holds, wired from the config. `tick()` runs the periodic jobs —
 * close the month that ended (after `TOLLGATE_AUTO_CLOSE_AFTER_MIN`), charge and retry card
 * statements, remind and suspend, send billing mail — and is safe to run on every instance.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import { monthKey, type Clock } from '../core/clock.ts';
import { picoToUsd } from '../core/money.ts';
import type { DB } from '../store/schema.ts';
import type { AlertService } from './alerts/index.ts';
import type { AlertKind } from './alerts/types.ts';
import { chargeStatement, runCollections } from './collections.ts';
import type { BillingContext } from './context.ts';
import { centsToUsd } from './invoices/rounding.ts';
import { InvoiceService, monthStart, type CloseResult, type InvoiceRow } from './invoices/service.ts';
import { BillingMailer } from './invoices/mail.ts';
import { viewOfDoc } from './invoices/view.ts';
import { HoldCache } from './payments/holds.ts';
import { createStripeClient } from './stripe/client.ts';
import { StripePayments } from './stripe/service.ts';

export interface BillingOptions { config: Config; db: Kysely<DB>; clock: Clock; log: Logger; alerts?: AlertService | null; baseUrl: string }

export class BillingRuntime implements BillingContext {
  readonly config: Config;
  readonly db: Kysely<DB>;
  readonly clock: Clock;
  readonly log: Logger;
  readonly stripe: StripePayments | null;
  readonly invoices: InvoiceService;
  readonly mail: BillingMailer;
  readonly holds: HoldCache;
  private alerts: AlertService | null;
  private ticking = false;

  constructor(o: BillingOptions) {
    this.config = o.config; this.db = o.db; this.clock = o.clock; this.log = o.log; this.alerts = o.alerts ?? null;
    const client = createStripeClient(o.config.stripe);
    this.stripe = client ? new StripePayments(client, o.db, o.clock, o.config.stripe, o.config.billing.publicUrl ?? o.baseUrl) : null;
    this.invoices = new InvoiceService(o.db, o.clock, o.config.billing);
    this.mail = new BillingMailer(o.db, o.clock, o.config.smtp, o.log, (id) => this.pdfAttachment(id));
    this.holds = new HoldCache(o.db);
  }

  private async pdfAttachment(invoiceId: string) {
    const inv = await this.invoices.row(invoiceId);
    if (!inv) return [];
    const doc = await this.invoices.get(inv.number);
    const { renderInvoicePdf } = await import('./invoices/pdf.ts'); // loaded on first use: pdfkit is large
    return [{ filename: `${inv.number}.pdf`, content: await renderInvoicePdf(viewOfDoc(doc)), contentType: 'application/pdf' }];
  }

  /** Raises a billing alert through the org's alert channels (once per kind and reference). */
  async alert(orgId: string, kind: AlertKind, ref: string, amount: bigint, detail: string): Promise<void> {
    if (!this.alerts) return;
    const org = await this.db.selectFrom('orgs').select('name').where('id', '=', orgId).executeTakeFirst();
    await this.alerts.notify({ orgId, orgName: org?.name, scope: 'org', scopeId: orgId, period: ref, kind, threshold: 1, spentPico: amount, limitPico: null, detail })
      .catch((e) => this.log.error({ err: e, orgId, kind }, 'billing alert failed'));
  }

  /** Closes `month` (every post-paid org, or one) and starts collecting what was issued. */
  async closeMonth(month: string, orgId?: string): Promise<CloseResult[]> {
    const results = await this.invoices.close(month, orgId);
    for (const r of results) if (r.status === 'issued' && r.invoice) await this.afterIssue(r.invoice);
    await this.mail.flush();
    return results;
  }

  private async afterIssue(inv: InvoiceRow): Promise<void> {
    const card = inv.collection === 'charge_card';
    const lines = [
      `${card ? 'Statement' : 'Invoice'} ${inv.number} for ${inv.period} (UTC): $${centsToUsd(inv.total_cents)}.`,
      card ? 'It is charged to the card on file now.' : `Payment is due by ${new Date(Number(inv.due_at)).toISOString().slice(0, 10)}.`,
      '', 'The PDF is attached; `tollgate invoices show` and the console (Billing → Invoices) have it too, with a CSV.', '',
    ];
    await this.mail.queue(inv.org_id, `invoice:${inv.id}:issued`, `[Tollgate] ${card ? 'Statement' : 'Invoice'} ${inv.number} — ${inv.period} — $${centsToUsd(inv.total_cents)}`, lines.join('\n'), inv.id);
    if (card && inv.status === 'open') await chargeStatement(this, (await this.invoices.row(inv.id))!);
  }

  /** A card was saved: open card statements of the org are tried again at once. */
  async onCardSaved(orgId: string): Promise<void> {
    await this.db.updateTable('invoices').set({ next_charge_at: this.clock.now() })
      .where('org_id', '=', orgId).where('status', '=', 'open').where('collection', '=', 'charge_card').execute();
  }

  async onReversal(r: { orgId: string; amount: bigint; kind: string; purpose: string }, eventType: string): Promise<void> {
    this.log.warn({ orgId: r.orgId, kind: r.kind, purpose: r.purpose, amountUsd: picoToUsd(r.amount), eventType }, 'payment reversed');
  }

  /** The periodic jobs (every `TOLLGATE_BILLING_TICK_MS`; tests call it directly). */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const now = this.clock.now();
      const after = this.config.billing.autoCloseAfterMin;
      const current = monthKey(now);
      if (after > 0 && now >= monthStart(current) + after * 60_000) {
        const prev = monthKey(monthStart(current) - 1);
        const orgs = await this.invoices.postpaidOrgs();
        const open = await this.db.selectFrom('billing_periods').select('org_id').where('period', '=', prev).execute();
        const closed = new Set(open.map((r) => r.org_id));
        for (const id of orgs) if (!closed.has(id)) await this.closeMonth(prev, id).catch((e) => this.log.error({ err: e, orgId: id, month: prev }, 'month close failed'));
      }
      await runCollections(this);
      await this.mail.flush();
    } finally {
      this.ticking = false;
    }
  }

  close(): void { this.mail.close(); }
}
