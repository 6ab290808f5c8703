/**
 * Kysely table types of the alert tables (migration 002-alerts). Intersect them with the
 * store's `DB` (`Kysely<DB & AlertTables>`); every integer column is a bigint, times are
 * epoch milliseconds, money is pico-USD.
 */
import type { ColumnType } from 'kysely';

type Int = ColumnType<bigint, bigint | number, bigint | number>;
type IntNull = ColumnType<bigint | null, bigint | number | null, bigint | number | null>;

export interface AlertChannelsTable {
  id: string;
  org_id: string;
  /** 'webhook' | 'email' */
  kind: string;
  /** The webhook URL or the e-mail address. */
  target: string;
  /** Webhook signing secret (shown once at creation, never listed); null for e-mail. */
  secret: string | null;
  created_at: Int;
  disabled_at: IntNull;
}

export interface AlertsTable {
  id: string;
  org_id: string;
  /** 'org' | 'workspace' | 'key' | 'credits' */
  scope: string;
  scope_id: string;
  /** 'YYYY-MM' (UTC) for spend alerts; '' (or a re-arm key) for credits. */
  period: string;
  /** 'threshold' | 'limit_reached' | 'credits_low' */
  kind: string;
  /** Percent of the limit, or the low-balance mark in pico-USD for credits_low. */
  threshold: Int;
  /** Spend at the time of the alert, pico-USD. */
  amount: Int;
  /** The limit at the time of the alert, pico-USD (null = none). */
  limit_amount: IntNull;
  /** Credit balance at the time of the alert, pico-USD (credits_low). */
  balance: IntNull;
  /** JSON snapshot of the webhook payload's `data` (so retries send the same body). */
  data: string;
  created_at: Int;
}

export interface AlertDeliveriesTable {
  id: string;
  alert_id: string;
  channel_id: string;
  /** 1-based attempt number; one row per attempt. */
  attempt: Int;
  /** HTTP status (webhook) or SMTP reply code (e-mail); null when none was received. */
  status_code: IntNull;
  error: string | null;
  /**
   * Non-null while the attempt is not finished: when it is due (a scheduled retry) or, while
   * one process runs it, when that process's lease expires. Null once finished.
   */
  next_attempt_at: IntNull;
  delivered_at: IntNull;
  created_at: Int;
}

export interface OutboxTable {
  id: string;
  to: string;
  subject: string;
  text: string;
  created_at: Int;
  alert_id: string | null;
}

/** The alert tables, to intersect with the store's `DB`. */
export interface AlertTables {
  alert_channels: AlertChannelsTable;
  alerts: AlertsTable;
  alert_deliveries: AlertDeliveriesTable;
  outbox: OutboxTable;
}
