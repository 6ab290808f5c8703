/** Public types of the alert engine: the event the spend path emits, options and the views it returns. */
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.ts';
import type { SecretBox } from '../../core/secret-box.ts';
import type { Actor } from '../../audit/actor.ts';

export type AlertScope = 'org' | 'workspace' | 'key' | 'credits';
/** Spend alerts, plus billing alerts (issue 12): a declined charge, an overdue invoice, a suspension. */
export type AlertKind = 'threshold' | 'limit_reached' | 'credits_low' | 'payment_failed' | 'invoice_overdue' | 'billing_suspended';
export type ChannelKind = 'webhook' | 'email';
export type WebhookEventType =
  | 'spend.threshold'
  | 'spend.limit_reached'
  | 'credits.low'
  | 'billing.payment_failed'
  | 'billing.invoice_overdue'
  | 'billing.suspended';

/** What the spend path reports. Delivered at most once per (org, scope, scope id, period, kind, threshold). */
export interface AlertEvent {
  orgId: string;
  /** Display name for subjects and payloads (defaults to the org id). */
  orgName?: string;
  scope: AlertScope;
  /** The org, workspace or key id (for 'credits', the org id). */
  scopeId: string;
  /**
   * The dedupe period: 'YYYY-MM' (UTC) for spend alerts, default the clock's current month;
   * for credits_low default '' (once ever) — pass a re-arm key (e.g. the id of the latest
   * top-up) to let a refilled balance alert again.
   */
  period?: string;
  kind: AlertKind;
  /** Percent of the limit (integer; 100 for limit_reached), or for credits_low the low-balance mark in pico-USD. */
  threshold: number | bigint;
  /** Spend so far in the period, pico-USD. */
  spentPico: bigint;
  /** The limit, pico-USD (null = none). */
  limitPico: bigint | null;
  /** Credit balance, pico-USD (credits_low). */
  balancePico?: bigint;
  /** When spend resumes (limit_reached), epoch ms; default: 00:00 UTC on the 1st after the period. */
  resumesAt?: number;
  /** Billing alerts: what happened, in one sentence (decline reason, invoice number…). */
  detail?: string;
}

export interface AlertServiceOptions {
  clock: Clock;
  log?: Logger;
  /** SMTP delivery; without `url`, mail is written to the outbox table instead. */
  smtp?: { url?: string; from: string };
  /** Injectable fetch for webhook POSTs (default: global fetch). */
  fetch?: typeof fetch;
  /** Attempts per delivery before giving up (default 6). */
  maxAttempts?: number;
  /** Delay before the attempt after attempt `n` failed, ms (default 1 s, 2 s, 4 s … capped at 1 h). */
  backoffMs?: (attempt: number) => number;
  /** Per-request timeout of a webhook POST, ms (default 10 s). */
  timeoutMs?: number;
  /** How long a claimed attempt stays owned by one process before others may retry it, ms (default 60 s). */
  leaseMs?: number;
  /** Poll interval for due retries once `start()` was called, ms (default 1 s). */
  pollMs?: number;
  /** Seals webhook signing secrets at rest (TOLLGATE_MASTER_KEY); without it, webhooks cannot be added. */
  box?: SecretBox;
  /** Who changes channels (the audit log); default the gateway itself. */
  actor?: Actor;
}

export interface ChannelView {
  id: string;
  orgId: string;
  kind: ChannelKind;
  target: string;
  createdAt: number;
  disabledAt: number | null;
}

export interface AlertView {
  id: string;
  orgId: string;
  scope: AlertScope;
  scopeId: string;
  period: string;
  kind: AlertKind;
  threshold: bigint;
  amountPico: bigint;
  limitPico: bigint | null;
  balancePico: bigint | null;
  createdAt: number;
}

export type DeliveryStatus = 'delivered' | 'pending' | 'failed';

export interface DeliveryView {
  id: string;
  alertId: string;
  channelId: string;
  attempt: number;
  statusCode: number | null;
  error: string | null;
  nextAttemptAt: number | null;
  deliveredAt: number | null;
  createdAt: number;
  status: DeliveryStatus;
}

export interface OutboxMail {
  id: string;
  to: string;
  subject: string;
  text: string;
  createdAt: number;
  alertId: string | null;
}
