/**
 * The admin API's response bodies, as TypeScript types shared by the server and the console
 * (`web/src/`). Where the server builds a response with a view function, the type IS that
 * function's return type, so renaming a field on the server fails `npm run typecheck` wherever the
 * console reads it; the other handlers check their literal against these interfaces with
 * `satisfies`. Type-only: nothing here exists at run time, and the console's bundle never pulls
 * server code in (every import below is `import type`).
 */
import type { UsageTotals } from '../usage/report.ts';
import type { UpstreamStatus } from '../providers/router.ts';
import type { orgStatus } from '../reports/org-status.ts';
import type { auditView } from './audit.ts';
import type { keyView } from './keys.ts';
import type { loadLimits } from './limits.ts';
import type { Permission, Role } from './permissions.ts';
import type { explainView } from '../billing/lots.ts';

export type { Permission, Role };

/** GET whoami */
export interface WhoAmI {
  kind: 'operator' | 'admin_key' | 'user';
  role: Role;
  permissions: readonly Permission[];
  /** The gateway's clock (ISO) and its billing month (YYYY-MM). */
  now: string | null;
  month: string;
  org_id?: string;
  org_name?: string | null;
  key_id?: string;
  workspace_id?: string | null;
  /** A console user (kind 'user'). */
  user_id?: string;
  email?: string;
  verified?: boolean;
}

/** GET orgs (operator) */
export interface OrgListRow {
  id: string;
  name: string;
  billing_mode: string;
  created_at: string | null;
  balance_usd: string;
  month_spend_usd: string;
}
export interface OrgList {
  month: string;
  orgs: OrgListRow[];
}

/** GET orgs/{org} */
export type OrgStatus = Awaited<ReturnType<typeof orgStatus>>;

/** GET orgs/{org}/usage: totals (upstream cost and margin for the operator only) and breakdowns. */
export type UsageRow = Omit<UsageTotals, 'upstream_cost_usd' | 'margin_usd'> & Partial<Pick<UsageTotals, 'upstream_cost_usd' | 'margin_usd'>>;
export interface UsageByKeyRow extends UsageRow {
  key_id: string;
  name: string | null;
  hint: string | null;
  workspace_id: string | null;
  revoked: boolean | null;
}
export interface UsageResponse extends UsageRow {
  org_id: string;
  workspace_id?: string;
  since: string | null;
  until: string | null;
  by_model: Array<UsageRow & { model: string }>;
  by_key?: UsageByKeyRow[];
  by_day?: Array<UsageRow & { day: string }>;
  by_month?: Array<UsageRow & { month: string }>;
}

/** GET orgs/{org}/keys, POST orgs/{org}/keys (with the secret, once) */
export type KeyView = ReturnType<typeof keyView>;
export interface KeyList {
  org_id: string;
  keys: KeyView[];
}
export type CreatedKey = KeyView & { key: string };

/** GET orgs/{org}/limits */
export type LimitsResponse = Awaited<ReturnType<typeof loadLimits>>;
export type LimitScopeRow = LimitsResponse['scopes'][number];

/** GET orgs/{org}/credits */
export interface LedgerRow {
  id: string | null;
  at: string;
  kind: string;
  amount_usd: string;
  expires_at: string | null;
  note: string | null;
}
export interface CreditsResponse {
  org_id: string;
  balance_usd: string;
  credits_usd: string;
  usage_usd: string;
  history: LedgerRow[];
  /** Which credit lot paid for which usage, and what lapsed (src/billing/lots.ts). */
  allocation: ReturnType<typeof explainView>;
}

/** GET orgs/{org}/audit, GET audit */
export type AuditEntryView = ReturnType<typeof auditView>;
export interface AuditPage {
  org_id?: string;
  entries: AuditEntryView[];
  next_before: string | null;
}

/** GET orgs/{org}/billing */
export interface BillingResponse {
  org_id: string;
  billing_mode: string;
  /** A switch waiting for the next month boundary (docs/billing.md, "Switching billing mode"). */
  billing_mode_pending: { from: string; to: string; effective_at: string; requested_at: string } | null;
  stripe: boolean;
  card: { brand: string | null; last4: string | null; exp: string | null; status: string; failure: string | null } | null;
  topup_limits: { min_usd: string; max_usd: string };
  suspended: { reason: string; since: string | null } | null;
  profile: { legal_name: string | null; address: string | null; tax_id: string | null; tax_rate_percent: string; net_days: number; per_workspace: boolean };
  contacts: Array<{ id: string; email: string; name: string | null }>;
  payments: Array<{ id: string; provider: string; purpose: string; amount_usd: string; status: string; created_at: string | null; failure: string | null }>;
}

/** GET orgs/{org}/invoices */
export interface InvoiceListRow {
  number: string;
  kind: string;
  period: string;
  status: string;
  collection: string;
  issued_at: string | null;
  due_at: string | null;
  total_usd: string;
  amount_due_usd: string;
}
export interface InvoiceList {
  org_id: string;
  invoices: InvoiceListRow[];
}

/** POST orgs/{org}/checkout: a Stripe Checkout link, or (without Stripe) a purchase waiting for approval. */
export interface CheckoutResponse {
  id?: string;
  url?: string;
  payment_id?: string;
  status?: string;
}

/** GET orgs/{org}/alerts: where alerts go, and the latest alerts sent. */
export interface AlertChannelView {
  id: string;
  kind: 'webhook' | 'email';
  target: string;
  created_at: string | null;
  disabled_at: string | null;
}
export interface AlertRecentView {
  id: string;
  scope: string;
  scope_id: string;
  period: string;
  kind: string;
  threshold: string;
  amount_usd: string;
  limit_usd: string | null;
  balance_usd: string | null;
  created_at: string | null;
}
export interface AlertsResponse {
  org_id: string;
  channels: AlertChannelView[];
  recent: AlertRecentView[];
}
/** POST orgs/{org}/alerts/channels: a webhook's signing secret is in the answer, once. */
export type CreatedAlertChannel = AlertChannelView & { secret?: string };

/** GET upstreams (operator): each upstream's breaker state, failures and latency. */
export interface UpstreamsResponse {
  now: string | null;
  upstreams: UpstreamStatus[];
}
