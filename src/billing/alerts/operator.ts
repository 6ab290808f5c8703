/**
 * Alerts for the gateway's operator (not an org): usage an upstream reported that could not be
 * believed, usage rows the database refused, usage spooled to disk while the database was down.
 * Every case is logged (pino, warn); at most one alert per kind and org per `minIntervalMs` goes to
 * the operator's webhook (signed like org webhooks) and e-mail address (SMTP, or the `outbox`
 * table without an SMTP server). One attempt each, in the background: the request path never waits.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../store/schema.ts';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.ts';
import { newId } from '../../core/ids.ts';
import { Mailer, postWebhook } from './transport.ts';

export type OperatorAlertKind = 'usage_anomaly' | 'usage_dead_letter' | 'usage_spooled' | 'payment_foreign_currency';

export interface OperatorAlert {
  kind: OperatorAlertKind;
  orgId: string;
  requestId: string;
  /** One line: what was wrong and what was billed instead. */
  detail: string;
}

export interface OperatorAlertsOptions {
  webhookUrl?: string;
  webhookSecret?: string;
  email?: string;
  minIntervalMs: number;
  smtp?: { url?: string; from: string };
  db: Kysely<DB>;
  clock: Clock;
  log: Logger;
  fetch?: typeof fetch;
}

export class OperatorAlerts {
  private last = new Map<string, number>();
  private inflight = new Set<Promise<void>>();
  private mailer: Mailer | null;

  constructor(private o: OperatorAlertsOptions) {
    this.mailer = o.email && o.smtp?.url ? new Mailer(o.smtp.url, o.smtp.from) : null;
  }

  /** Logs the case and, unless one of the same kind for the same org went out recently, alerts. Never throws. */
  report(a: OperatorAlert): void {
    this.o.log.warn({ operatorAlert: a.kind, orgId: a.orgId, requestId: a.requestId, detail: a.detail }, `operator alert: ${a.kind}`);
    if (!this.o.webhookUrl && !this.o.email) return;
    const now = this.o.clock.now();
    const key = `${a.kind}\0${a.orgId}`;
    const prev = this.last.get(key);
    if (prev !== undefined && now - prev < this.o.minIntervalMs) return;
    this.last.set(key, now);
    if (this.last.size > 10_000) this.last.clear();
    const p = this.deliver(a, now)
      .catch((e) => this.o.log.error({ err: e, operatorAlert: a.kind }, 'operator alert not delivered'))
      .finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  /** Resolves when every alert in flight was attempted (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.all([...this.inflight]);
  }

  close(): void {
    this.mailer?.close();
  }

  private async deliver(a: OperatorAlert, now: number): Promise<void> {
    const id = newId('oalrt');
    const subject = `[Tollgate] ${a.kind.replace(/_/g, ' ')} (org ${a.orgId})`;
    const text = `${a.detail}\n\nRequest: ${a.requestId}\nOrg: ${a.orgId}\nAt: ${new Date(now).toISOString()}\n`;
    if (this.o.webhookUrl && this.o.webhookSecret) {
      const body = JSON.stringify({
        id,
        type: `operator.${a.kind}`,
        created_at: new Date(now).toISOString(),
        data: { org_id: a.orgId, request_id: a.requestId, detail: a.detail },
      });
      const r = await postWebhook(this.o.fetch ?? globalThis.fetch, {
        url: this.o.webhookUrl,
        body,
        secret: this.o.webhookSecret,
        eventId: id,
        nowSec: Math.floor(now / 1000),
        timeoutMs: 10_000,
      });
      if (!r.ok) this.o.log.error({ operatorAlert: a.kind, statusCode: r.statusCode, error: r.error }, 'operator webhook failed');
    }
    if (this.o.email) {
      if (this.mailer) {
        const r = await this.mailer.send({ to: this.o.email, subject, text });
        if (!r.ok) this.o.log.error({ operatorAlert: a.kind, error: r.error }, 'operator e-mail failed');
      } else {
        await this.o.db
          .insertInto('outbox')
          .values({ id: newId('mail'), to: this.o.email, subject, text, created_at: now, alert_id: null })
          .execute();
      }
    }
  }
}
