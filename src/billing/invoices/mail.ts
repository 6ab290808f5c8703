/**
 * Billing mail: invoices issued (with the PDF attached), card statements charged or declined,
 * reminders, suspension and restored access — to the org's billing contacts (or, with none, its
 * alert e-mail recipients). One row per topic per recipient (UNIQUE), so a step is mailed once
 * however often a job runs; unsent rows are retried on every billing tick (at most 10 attempts).
 * Without SMTP_URL the mail lands in `tollgate outbox` like alert mail.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../../config/config.ts';
import type { Clock } from '../../core/clock.ts';
import { newId } from '../../core/ids.ts';
import type { DB } from '../../store/schema.ts';
import { Mailer } from '../alerts/transport.ts';

export interface Attachment {
  filename: string;
  content: Buffer;
  contentType: string;
}

export class BillingMailer {
  private mailer: Mailer | null;

  constructor(
    private db: Kysely<DB>,
    private clock: Clock,
    smtp: Config['smtp'],
    private log?: Logger,
    private attachmentsFor?: (invoiceId: string) => Promise<Attachment[]>,
  ) {
    this.mailer = smtp.url ? new Mailer(smtp.url, smtp.from) : null;
  }

  async recipients(orgId: string): Promise<string[]> {
    const contacts = await this.db.selectFrom('billing_contacts').select('email').where('org_id', '=', orgId).orderBy('created_at').execute();
    if (contacts.length) return contacts.map((c) => c.email);
    const alerts = await this.db
      .selectFrom('alert_channels')
      .select('target')
      .where('org_id', '=', orgId)
      .where('kind', '=', 'email')
      .where('disabled_at', 'is', null)
      .execute();
    return alerts.map((a) => a.target);
  }

  /** Queues one mail per recipient for `topic` (a repeat of the topic queues nothing). Returns how many were new. */
  async queue(orgId: string, topic: string, subject: string, text: string, invoiceId: string | null = null): Promise<number> {
    const to = await this.recipients(orgId);
    let n = 0;
    for (const addr of to) {
      const r = await this.db
        .insertInto('billing_mail')
        .values({
          id: newId('bml'),
          org_id: orgId,
          topic,
          to: addr,
          subject,
          text,
          invoice_id: invoiceId,
          attempts: 0,
          sent_at: null,
          error: null,
          created_at: this.clock.now(),
        })
        .onConflict((oc) => oc.columns(['org_id', 'topic', 'to']).doNothing())
        .executeTakeFirst();
      n += Number(r.numInsertedOrUpdatedRows ?? 0n);
    }
    if (!to.length) this.log?.warn({ orgId, topic }, 'billing mail has no recipient: add a billing contact');
    return n;
  }

  /** Sends (or files in the outbox) every unsent mail; claims each row before sending so two processes never send one twice. */
  async flush(): Promise<void> {
    const due = await this.db
      .selectFrom('billing_mail')
      .selectAll()
      .where('sent_at', 'is', null)
      .where('attempts', '<', 10n)
      .orderBy('created_at')
      .limit(200)
      .execute();
    for (const m of due) {
      const claim = await this.db
        .updateTable('billing_mail')
        .set({ attempts: m.attempts + 1n })
        .where('id', '=', m.id)
        .where('attempts', '=', m.attempts)
        .where('sent_at', 'is', null)
        .executeTakeFirst();
      if (claim.numUpdatedRows !== 1n) continue;
      const now = this.clock.now();
      if (!this.mailer) {
        await this.db.transaction().execute(async (trx) => {
          // The outbox row takes the billing mail's id, so `tollgate outbox --org` finds it.
          await trx.insertInto('outbox').values({ id: m.id, to: m.to, subject: m.subject, text: m.text, created_at: now, alert_id: null }).execute();
          await trx.updateTable('billing_mail').set({ sent_at: now, error: null }).where('id', '=', m.id).execute();
        });
        continue;
      }
      const attachments = m.invoice_id && this.attachmentsFor ? await this.attachmentsFor(m.invoice_id).catch(() => []) : [];
      const out = await this.mailer.send({ to: m.to, subject: m.subject, text: m.text, headers: { 'X-Tollgate-Billing-Id': m.id }, attachments });
      await this.db
        .updateTable('billing_mail')
        .set(out.ok ? { sent_at: now, error: null } : { error: out.error })
        .where('id', '=', m.id)
        .execute();
      if (!out.ok) this.log?.warn({ mail: m.id, error: out.error }, 'billing mail failed; will retry');
    }
  }

  close(): void {
    this.mailer?.close();
  }
}
