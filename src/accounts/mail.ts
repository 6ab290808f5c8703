/**
 * Account mail (verification, password reset, invitation): sent at once over SMTP (`SMTP_URL`),
 * or filed in the `outbox` table without it, like alert mail. One attempt: a failed send is
 * logged (never the link) and the user can ask for a new mail.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { Mailer } from '../billing/alerts/transport.ts';
import type { Config } from '../config/config.ts';
import { newId } from '../core/ids.ts';
import type { DB } from '../store/schema.ts';
import type { Clock } from '../core/clock.ts';

export interface AccountMail {
  to: string;
  subject: string;
  text: string;
}

export class AccountMailer {
  private mailer: Mailer | null;

  constructor(
    private db: Kysely<DB>,
    smtp: Config['smtp'],
    private clock: Clock,
    private log?: Logger,
  ) {
    this.mailer = smtp.url ? new Mailer(smtp.url, smtp.from) : null;
  }

  async send(m: AccountMail): Promise<boolean> {
    if (!this.mailer) {
      await this.db
        .insertInto('outbox')
        .values({ id: newId('mail'), to: m.to, subject: m.subject, text: m.text, created_at: this.clock.now(), alert_id: null })
        .execute();
      return true;
    }
    const out = await this.mailer.send(m);
    if (!out.ok) this.log?.warn({ subject: m.subject, error: out.error }, 'account mail failed');
    return out.ok;
  }

  close(): void {
    this.mailer?.close();
  }
}

export const verifyMail = (to: string, link: string): AccountMail => ({
  to,
  subject: 'Verify your email address for Tollgate',
  text: `Welcome to Tollgate.\n\nConfirm your email address by opening this link (valid for 24 hours, once):\n\n${link}\n\nIf you did not sign up, ignore this mail.\n`,
});

export const resetMail = (to: string, link: string): AccountMail => ({
  to,
  subject: 'Reset your Tollgate password',
  text: `Someone (hopefully you) asked to reset the password of this Tollgate account.\n\nSet a new password here (valid for 30 minutes, once):\n\n${link}\n\nIf it was not you, ignore this mail: the password stays as it is.\n`,
});

export const inviteMail = (to: string, orgName: string, role: string, link: string): AccountMail => ({
  to,
  subject: `You are invited to ${orgName.slice(0, 80)} on Tollgate`,
  text: `You have been invited to join the organization "${orgName.slice(0, 200)}" on Tollgate as ${role}.\n\nAccept here (valid for 7 days, once):\n\n${link}\n`,
});
