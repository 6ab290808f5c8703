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
import { PICO_PER_CENT, picoToUsd } from '../core/money.ts';
import type { OperatorAlert, OperatorAlerts } from './alerts/operator.ts';
import type { Reversal } from './stripe/events.ts';
import type { DB } from '../store/schema.ts';
import type { AlertService } from './alerts/index.ts';
import type { AlertKind } from './alerts/types.ts';
import { chargeStatement, runCollections } from './collections.ts';
import { retryNoteRefunds } from './credit-notes.ts';
import { BillingModes } from './modes.ts';
import type { BillingContext } from './context.ts';
import { centsToUsd } from './invoices/rounding.ts';
import { amountDue, InvoiceService, monthStart, type CloseResult, type InvoiceRow } from './invoices/service.ts';
import { BillingMailer } from './invoices/mail.ts';
import { viewOfDoc } from './invoices/view.ts';
import { HoldCache } from './payments/holds.ts';
import { createStripeClient } from './stripe/client.ts';
import { StripePayments } from './stripe/service.ts';

export interface BillingOptions {
  config: Config;
  db: Kysely<DB>;
  clock: Clock;
  log: Logger;
  alerts?: AlertService | null;
  operatorAlerts?: OperatorAlerts | null;
  baseUrl: string;
}

export class BillingRuntime implements BillingContext {
  readonly config: Config;
  readonly db: Kysely<DB>;
  readonly clock: Clock;
  readonly log: Logger;
  readonly stripe: StripePayments | null;
  readonly invoices: InvoiceService;
  readonly mail: BillingMailer;
  readonly holds: HoldCache;
  readonly modes: BillingModes;
  private alerts: AlertService | null;
  private operatorAlerts: OperatorAlerts | null;
  private ticking = false;

  constructor(o: BillingOptions) {
    this.config = o.config;
    this.db = o.db;
    this.clock = o.clock;
    this.log = o.log;
    this.alerts = o.alerts ?? null;
    this.operatorAlerts = o.operatorAlerts ?? null;
    const client = createStripeClient(o.config.stripe);
    this.stripe = client ? new StripePayments(client, o.db, o.clock, o.config.stripe, o.config.billing.publicUrl ?? o.baseUrl) : null;
    this.invoices = new InvoiceService(o.db, o.clock, o.config.billing);
    this.mail = new BillingMailer(o.db, o.clock, o.config.smtp, o.log, (id) => this.pdfAttachment(id));
    this.holds = new HoldCache(o.db);
    this.modes = new BillingModes(o.db, o.clock);
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
    await this.alerts
      .notify({ orgId, orgName: org?.name, scope: 'org', scopeId: orgId, period: ref, kind, threshold: 1, spentPico: amount, limitPico: null, detail })
      .catch((e) => this.log.error({ err: e, orgId, kind }, 'billing alert failed'));
  }

  /** Closes `month` (every post-paid org, or one) and starts collecting what was issued. */
  async closeMonth(month: string, orgId?: string): Promise<CloseResult[]> {
    await this.modes.applyDue(orgId);
    const results = await this.invoices.close(month, orgId);
    for (const r of results) await this.modes.reconcile(r.org_id);
    for (const r of results) if (r.status === 'issued' && r.invoice) await this.afterIssue(r.invoice);
    await this.mail.flush();
    return results;
  }

  private async afterIssue(inv: InvoiceRow): Promise<void> {
    const card = inv.collection === 'charge_card';
    const lines = [
      `${card ? 'Statement' : 'Invoice'} ${inv.number} for ${inv.period} (UTC): $${centsToUsd(inv.total_cents)}.`,
      card ? 'It is charged to the card on file now.' : `Payment is due by ${new Date(Number(inv.due_at)).toISOString().slice(0, 10)}.`,
      '',
      'The PDF is attached; `tollgate invoices show` and the console (Billing → Invoices) have it too, with a CSV.',
      '',
    ];
    await this.mail.queue(
      inv.org_id,
      `invoice:${inv.id}:issued`,
      `[Tollgate] ${card ? 'Statement' : 'Invoice'} ${inv.number} — ${inv.period} — $${centsToUsd(inv.total_cents)}`,
      lines.join('\n'),
      inv.id,
    );
    if (card && inv.status === 'open') await chargeStatement(this, (await this.invoices.row(inv.id))!);
  }

  /** A card was saved: open card statements of the org are tried again at once. */
  async onCardSaved(orgId: string): Promise<void> {
    await this.db
      .updateTable('invoices')
      .set({ next_charge_at: this.clock.now() })
      .where('org_id', '=', orgId)
      .where('status', '=', 'open')
      .where('collection', '=', 'charge_card')
      .execute();
  }

  /** A refund or dispute went through: logged; an invoice it reopened is mailed about and alerted. */
  async onReversal(r: Reversal, eventType: string): Promise<void> {
    this.log.warn(
      { orgId: r.orgId, kind: r.kind, purpose: r.purpose, amountUsd: picoToUsd(r.amount), eventType, invoiceId: r.invoiceId ?? undefined },
      'payment reversed',
    );
    if (!r.reopened || !r.invoiceId) return;
    const inv = await this.invoices.row(r.invoiceId);
    if (!inv) return;
    const due = amountDue(inv);
    const why = r.kind === 'dispute' ? 'the card payment was disputed' : 'the card payment was refunded';
    await this.mail.queue(
      inv.org_id,
      `invoice:${inv.id}:reopened:${r.object}`,
      `[Tollgate] ${inv.number} is open again: $${centsToUsd(due)} due`,
      `${inv.number} (${inv.period}) is unpaid again because ${why} ($${picoToUsd(-r.amount)}). $${centsToUsd(due)} is due; pay it from the console (Billing → Invoices).\n`,
      inv.id,
    );
    await this.alert(
      inv.org_id,
      'payment_failed',
      `invoice:${inv.number}:reopened:${r.object}`,
      due * PICO_PER_CENT,
      `${inv.number} was reopened: ${why}; $${centsToUsd(due)} is due again.`,
    );
  }

  operatorAlert(a: OperatorAlert): void {
    if (this.operatorAlerts) this.operatorAlerts.report(a);
    else this.log.warn({ operatorAlert: a.kind, orgId: a.orgId, requestId: a.requestId, detail: a.detail }, `operator alert: ${a.kind}`);
  }

  /** The periodic jobs (every `TOLLGATE_BILLING_TICK_MS`; tests call it directly). */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.modes.applyDue();
      const now = this.clock.now();
      const after = this.config.billing.autoCloseAfterMin;
      const current = monthKey(now);
      if (after > 0 && now >= monthStart(current) + after * 60_000) {
        const prev = monthKey(monthStart(current) - 1);
        const orgs = await this.invoices.postpaidOrgs(prev);
        const open = await this.db.selectFrom('billing_periods').select('org_id').where('period', '=', prev).execute();
        const closed = new Set(open.map((r) => r.org_id));
        for (const id of orgs)
          if (!closed.has(id)) await this.closeMonth(prev, id).catch((e) => this.log.error({ err: e, orgId: id, month: prev }, 'month close failed'));
      }
      await runCollections(this);
      await retryNoteRefunds(this);
      await this.mail.flush();
    } finally {
      this.ticking = false;
    }
  }

  close(): void {
    this.mail.close();
  }
}
