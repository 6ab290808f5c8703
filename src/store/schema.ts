/**
 * Table types for Kysely. Every integer column is a bigint in TypeScript on both backends
 * (better-sqlite3 runs with safe integers; pg parses int8 as BigInt), so money stays exact.
 * Times are epoch milliseconds.
 */
import type { ColumnType, Selectable } from 'kysely';
import type { AlertTables } from './tables/alerts.ts';
import type { InvoiceTables } from './tables/invoices.ts';
import type { PaymentTables } from './tables/payments.ts';
import type { AccountTables } from './tables/accounts.ts';

type Int = ColumnType<bigint, bigint | number, bigint | number>;
type GeneratedInt = ColumnType<bigint, bigint | number | undefined, bigint | number>;
type IntNull = ColumnType<bigint | null, bigint | number | null, bigint | number | null>;

type WrittenOrRead<V> = V extends bigint ? bigint | number : V;
/**
 * A row as a row mapper meets it: read back (integers are bigints) or just written (integers are
 * numbers); `K` narrows it to the selected columns.
 */
export type RowOf<T, K extends keyof Selectable<T> = keyof Selectable<T>> = { [P in K]: WrittenOrRead<Selectable<T>[P]> };

export interface OrgsTable {
  id: string;
  name: string;
  created_at: Int;
  /** 'prepaid' | 'card' (post-paid, charged monthly) | 'invoice' */
  billing_mode: string;
  /** Pinned usage tier (null = automatic from spend). */
  tier_pinned: IntNull;
  /** JSON: custom rate limits override. */
  rate_limits: string | null;
  /** Customer group for reseller pricing (null = list price). */
  price_group: string | null;
  external_id: string | null;
}

export interface WorkspacesTable {
  id: string;
  org_id: string;
  name: string;
  created_at: Int;
  archived_at: IntNull;
  /** JSON: per-workspace rate limits (lower than the org's). */
  rate_limits: string | null;
  /** JSON: model policy (allowed models, max_tokens ceiling, total timeout) for the workspace's keys. */
  policy?: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ApiKeysTable {
  id: string;
  org_id: string;
  workspace_id: string;
  name: string;
  /** sha256 of the secret, hex. The secret itself is never stored. */
  hash: string;
  /** First characters + last four, for display (`tg-ab12…wxyz`). */
  hint: string;
  created_at: Int;
  expires_at: IntNull;
  revoked_at: IntNull;
  last_used_at: IntNull;
  /** JSON: per-key rate limits. */
  rate_limits: string | null;
  /** 'inference' (calls the model APIs) | 'admin' (manages its org through /admin/v1). */
  kind: ColumnType<string, string | undefined, string>;
  /** Admin keys: 'org' or 'workspace' (confined to workspace_id); null for inference keys. */
  admin_scope: ColumnType<string | null, string | null | undefined, string | null>;
  /** The admin key that created this key; null when the operator or the CLI did. */
  created_by: ColumnType<string | null, string | null | undefined, string | null>;
  /** JSON: model policy (allowed models, max_tokens ceiling and mode, total timeout). */
  policy?: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface PricesTable {
  id: GeneratedInt;
  model: string;
  /** Customer group the row applies to ('' = list price for everyone). */
  price_group: string;
  input: Int;
  output: Int;
  cache_write_5m: Int;
  cache_write_1h: Int;
  cache_read: Int;
  effective_from: Int;
  source: string;
  created_at: Int;
  /** '' = standard; 'fast' | 'long-context' | 'priority' | 'flex' (migration 011). */
  variant: ColumnType<string, string | undefined, string>;
  /** long-context rows: the band starts above this many input tokens. */
  above_input_tokens: IntNull;
}

export interface PriceGroupsTable {
  name: string;
  /** Basis points on list price (-2000 = 20 % off). */
  bps: Int;
  effective_from: Int;
  created_at: Int;
}

export interface ModelAliasesTable {
  alias: string;
  model: string;
  created_at: Int;
}

export interface UsageEventsTable {
  /** The gateway's request id: the idempotency key of the event. */
  id: string;
  org_id: string;
  workspace_id: string;
  key_id: string;
  model: string;
  upstream: string;
  surface: string;
  status: Int;
  /** 'ok' | 'client_aborted' | 'upstream_error' | 'incomplete' */
  outcome: string;
  stream: Int;
  input_tokens: Int;
  output_tokens: Int;
  cache_write_5m_tokens: Int;
  cache_write_1h_tokens: Int;
  cache_read_tokens: Int;
  web_search_requests: Int;
  /** Customer cost, pico-USD. */
  cost: Int;
  /** What the upstream charges the operator, pico-USD (list price). */
  upstream_cost: Int;
  price_id: IntNull;
  /** 1 when output tokens were estimated (stream cut before the final usage). */
  estimated: Int;
  created_at: Int;
  month: string;
  day: string;
  latency_ms: Int;
  ttft_ms: IntNull;
  idempotency_key: string | null;
  /** Upstream attempts the request took (1 = served by the first upstream tried). */
  attempts: GeneratedInt;
  /** As the upstream reported them (migration 010); null when it did not say. */
  speed: ColumnType<string | null, string | null | undefined, string | null>;
  service_tier: ColumnType<string | null, string | null | undefined, string | null>;
  inference_geo: ColumnType<string | null, string | null | undefined, string | null>;
  web_fetch_requests: ColumnType<bigint, bigint | number | undefined, bigint | number>;
  code_execution_requests: ColumnType<bigint, bigint | number | undefined, bigint | number>;
  /** The price variant applied ('' = standard; e.g. 'fast+geo-us', 'priority', 'long-context'). */
  price_variant: ColumnType<string, string | undefined, string>;
  /** Why the reported usage was not believed and a bound was billed instead (migration 015); null when sound. */
  anomaly?: string | null;
}

/** Usage events the database refused (migration 016). */
export interface UsageDeadLettersTable {
  id: string;
  org_id: string;
  event: string;
  error: string;
  created_at: Int;
  replayed_at: IntNull;
}

export interface UsageDailyTable {
  day: string;
  month: string;
  org_id: string;
  workspace_id: string;
  key_id: string;
  model: string;
  requests: Int;
  input_tokens: Int;
  output_tokens: Int;
  cache_write_5m_tokens: Int;
  cache_write_1h_tokens: Int;
  cache_read_tokens: Int;
  cost: Int;
  upstream_cost: Int;
  /** Requests billed on estimated usage, and their cost (migration 024). */
  estimated_requests: GeneratedInt;
  estimated_cost: GeneratedInt;
  web_search_requests: GeneratedInt;
  web_fetch_requests: GeneratedInt;
  code_execution_requests: GeneratedInt;
  /** Requests the built-in simulator answered, and their cost (never revenue). */
  simulated_requests: GeneratedInt;
  simulated_cost: GeneratedInt;
  /** Requests billed at a bound because the upstream's usage could not be believed, and their cost (migration 017). */
  anomaly_requests: GeneratedInt;
  anomaly_cost: GeneratedInt;
}

export interface LedgerEntriesTable {
  id: string;
  org_id: string;
  /** 'purchase' | 'grant' | 'refund' | 'adjustment' | 'expiry' */
  kind: string;
  /** Signed pico-USD: credits positive, debits negative. */
  amount: Int;
  created_at: Int;
  expires_at: IntNull;
  /** Idempotency reference (unique when set). */
  ref: string | null;
  note: string | null;
}

export interface SpendLimitsTable {
  /** 'org' | 'workspace' | 'key' */
  scope: string;
  scope_id: string;
  org_id: string;
  /** The operator's monthly ceiling, pico-USD (null = none). */
  monthly: IntNull;
  /** The org's own monthly limit, pico-USD (null = none); the cap in force is the lower of the two. */
  tenant_monthly: ColumnType<bigint | null, bigint | number | null | undefined, bigint | number | null>;
  /** Who set tenant_monthly: 'org' (org-wide admin key) or 'workspace' (workspace-scoped admin key). */
  tenant_level: ColumnType<string | null, string | null | undefined, string | null>;
  /** Comma-separated percentages, e.g. "80" or "50,80". */
  notify: string;
  updated_at: Int;
}

export interface ChangeLogTable {
  id: GeneratedInt;
  at: Int;
  what: string;
  /** The changed row ('org_…', 'apikey_…', 'key:apikey_…'), or null: reload the whole domain. */
  ref: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface AuditLogTable {
  id: GeneratedInt;
  at: Int;
  org_id: string | null;
  actor_kind: string;
  actor_id: string;
  action: string;
  target_type: string;
  target_id: string;
  before: string | null;
  after: string | null;
  request_id: string | null;
  client_ip: string | null;
}

export interface BillingSettingsTable {
  org_id: string;
  reload_below: IntNull;
  reload_amount: IntNull;
  low_balance: IntNull;
  updated_at: Int;
}

export interface UpstreamsTable {
  name: string;
  kind: string;
  base_url: string;
  api_key_sealed: string | null;
  models: string;
  model_map: string | null;
  /** Lower is tried first. */
  priority: Int;
  created_at: Int;
  /** Load share among upstreams of equal priority. */
  weight: GeneratedInt;
  /** JSON: {headersMs?, betweenEventsMs?, totalMs?}. */
  timeouts: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface IdempotencyKeysTable {
  key_id: string;
  idem_key: string;
  fingerprint: string;
  state: string;
  request_id: string;
  created_at: Int;
  updated_at: Int;
}

export interface UsageUpstreamDailyTable {
  day: string;
  month: string;
  org_id: string;
  upstream: string;
  requests: Int;
  attempts: Int;
  input_tokens: Int;
  output_tokens: Int;
  cost: Int;
  upstream_cost: Int;
}

export interface DB extends AlertTables, PaymentTables, InvoiceTables, AccountTables {
  orgs: OrgsTable;
  workspaces: WorkspacesTable;
  api_keys: ApiKeysTable;
  prices: PricesTable;
  model_aliases: ModelAliasesTable;
  price_groups: PriceGroupsTable;
  usage_events: UsageEventsTable;
  usage_daily: UsageDailyTable;
  usage_dead_letters: UsageDeadLettersTable;
  ledger_entries: LedgerEntriesTable;
  spend_limits: SpendLimitsTable;
  change_log: ChangeLogTable;
  billing_settings: BillingSettingsTable;
  upstreams: UpstreamsTable;
  usage_upstream_daily: UsageUpstreamDailyTable;
  audit_log: AuditLogTable;
  idempotency_keys: IdempotencyKeysTable;
}
