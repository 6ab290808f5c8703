/**
 * What an alert says: the webhook payload (built once, stored with the alert so every retry
 * sends the same bytes) and the e-mail subject and text derived from it.
 *
 * @example
 * emailMessage(data).subject // "[Tollgate] Acme reached 80 % of its monthly limit ($40.00 of $50.00)"
 */
import { formatCents, picoToUsd, usdToPico } from '../../core/money.ts';
import type { AlertEvent, AlertKind, AlertScope, WebhookEventType } from './types.ts';

/** The `data` object of a webhook payload. Amounts are exact decimal USD strings. */
export interface AlertData {
  org_id: string;
  org_name: string;
  scope: AlertScope;
  scope_id: string;
  period: string;
  /** Percent of the limit; for credits.low the low-balance mark as a decimal USD string. */
  threshold: number | string;
  spent_usd: string;
  limit_usd: string | null;
  balance_usd: string | null;
  /** limit_reached: when requests are accepted again (ISO 8601). */
  resumes_at: string | null;
  /** Billing alerts only: what happened. */
  detail?: string;
}

const TYPES: Record<AlertKind, WebhookEventType> = {
  threshold: 'spend.threshold',
  limit_reached: 'spend.limit_reached',
  credits_low: 'credits.low',
  payment_failed: 'billing.payment_failed',
  invoice_overdue: 'billing.invoice_overdue',
  billing_suspended: 'billing.suspended',
};
const BILLING_KINDS = new Set<AlertKind>(['payment_failed', 'invoice_overdue', 'billing_suspended']);

export const eventType = (kind: AlertKind): WebhookEventType => TYPES[kind];

/** The payload data of an event (with its period and resume time already resolved). */
export function buildData(ev: AlertEvent, period: string, resumesAt: number | null): AlertData {
  return {
    org_id: ev.orgId,
    org_name: ev.orgName ?? ev.orgId,
    scope: ev.scope,
    scope_id: ev.scopeId,
    period,
    threshold: ev.kind === 'credits_low' ? picoToUsd(BigInt(ev.threshold)) : Number(ev.threshold),
    spent_usd: picoToUsd(ev.spentPico),
    limit_usd: ev.limitPico == null ? null : picoToUsd(ev.limitPico),
    balance_usd: ev.balancePico == null ? null : picoToUsd(ev.balancePico),
    resumes_at: resumesAt == null ? null : new Date(resumesAt).toISOString(),
    ...(ev.detail !== undefined ? { detail: ev.detail } : {}),
  };
}

/** The exact JSON body POSTed to webhooks for a stored alert. */
export function webhookBody(alert: { id: string; kind: string; created_at: bigint | number; data: string }): string {
  return JSON.stringify({
    id: alert.id,
    type: eventType(alert.kind as AlertKind),
    created_at: new Date(Number(alert.created_at)).toISOString(),
    data: JSON.parse(alert.data) as AlertData,
  });
}

const usd = (s: string | null) => (s == null ? 'none' : formatCents(usdToPico(s)));

function who(d: AlertData): string {
  if (d.scope === 'workspace') return `${d.org_name} workspace ${d.scope_id}`;
  if (d.scope === 'key') return `${d.org_name} key ${d.scope_id}`;
  return d.org_name;
}

/** Subject and plain-text body of the alert e-mail. */
export function emailMessage(alertId: string, kind: AlertKind, d: AlertData): { subject: string; text: string } {
  const spent = usd(d.spent_usd);
  const limit = usd(d.limit_usd);
  const resumes = d.resumes_at ? d.resumes_at.replace('T', ' ').replace(/:00\.000Z$/, ' UTC') : null;
  let subject: string;
  let lead: string;
  if (BILLING_KINDS.has(kind)) {
    const what =
      kind === 'payment_failed'
        ? 'a card payment failed'
        : kind === 'invoice_overdue'
          ? 'an invoice is overdue'
          : 'the organisation is suspended for non-payment';
    subject = `[Tollgate] ${d.org_name}: ${what} (${spent})`;
    const lines = [
      `${d.detail ?? what}`,
      '',
      `Organisation: ${d.org_name} (${d.org_id})`,
      `Amount:       ${spent}`,
      `Reference:    ${d.period}`,
      `Alert id:     ${alertId}`,
      '',
      'You receive this because this address is an alert recipient of the organisation in Tollgate.',
    ];
    return { subject, text: lines.join('\n') + '\n' };
  }
  if (kind === 'threshold') {
    subject = `[Tollgate] ${who(d)} reached ${d.threshold} % of its monthly limit (${spent} of ${limit})`;
    lead = `${who(d)} has spent ${spent} of its ${limit} monthly limit in ${d.period} (UTC): the ${d.threshold} % alert threshold was reached.`;
  } else if (kind === 'limit_reached') {
    subject = `[Tollgate] ${who(d)} reached its monthly limit (${spent} of ${limit})`;
    lead =
      `${who(d)} has reached its ${limit} monthly limit for ${d.period} (UTC). Requests that would spend more are refused` +
      (resumes ? ` until ${resumes}.` : '.');
  } else {
    const left = usd(d.balance_usd);
    subject = `[Tollgate] ${d.org_name}'s prepaid credits are low (${left} left)`;
    lead = `${d.org_name}'s prepaid credit balance is ${left}, at or below the alert mark of ${usd(String(d.threshold))}. Requests are refused once it reaches $0.00; add credits to keep serving.`;
  }
  const lines = [
    lead,
    '',
    `Organisation: ${d.org_name} (${d.org_id})`,
    `Scope:        ${d.scope} ${d.scope_id}`,
    ...(kind === 'credits_low' ? [] : [`Period:       ${d.period} (calendar month, UTC)`, `Spent:        ${spent}`, `Limit:        ${limit}`]),
    ...(d.balance_usd != null ? [`Balance:      ${usd(d.balance_usd)}`] : []),
    ...(resumes && kind === 'limit_reached' ? [`Resumes:      ${resumes}`] : []),
    `Alert id:     ${alertId}`,
    '',
    'You receive this because this address is an alert recipient of the organisation in Tollgate.',
  ];
  return { subject, text: lines.join('\n') + '\n' };
}
