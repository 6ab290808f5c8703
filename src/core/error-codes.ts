/**
 * Every error code the gateway emits, as data: its HTTP status, Anthropic `type`, the OpenAI
 * envelope's `type` (derived from the Anthropic one), whether the SDKs are told to retry
 * (`x-should-retry`), a one-line meaning and when it happens. `core/errors.ts` builds one named
 * factory per row; docs/errors.md is generated from this table (`npm run docs:errors`), and a
 * test fails when it is stale. Codes are stable: clients and tests match on them.
 *
 * Error types: https://docs.anthropic.com/en/api/errors and
 * https://platform.openai.com/docs/guides/error-codes.
 */

/** Anthropic's error types (the richer union); the Anthropic envelope carries it as `error.type`. */
export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'billing_error'
  | 'permission_error'
  | 'not_found_error'
  | 'conflict_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'timeout_error'
  | 'overloaded_error';

/** The OpenAI envelope's `error.type` for each Anthropic type (OpenAI's set is smaller). */
export const OPENAI_ERROR_TYPE: Record<ErrorType, string> = {
  invalid_request_error: 'invalid_request_error',
  authentication_error: 'authentication_error',
  billing_error: 'insufficient_quota',
  permission_error: 'permission_error',
  not_found_error: 'invalid_request_error',
  conflict_error: 'invalid_request_error',
  request_too_large: 'invalid_request_error',
  rate_limit_error: 'rate_limit_error',
  api_error: 'server_error',
  timeout_error: 'server_error',
  overloaded_error: 'server_error',
};

export interface ErrorSpec {
  /**
   * The HTTP status; `upstream`: the upstream's own status; `stream`: sent as an error event
   * inside a stream that already started with 200.
   */
  status: number | 'upstream' | 'stream';
  type: ErrorType;
  /** `x-should-retry` on the reply; absent: the SDKs decide by the status. */
  retry?: boolean;
  /** What the code means, in one line. */
  meaning: string;
  /** When the gateway sends it. */
  when: string;
}

const row = <S extends ErrorSpec>(s: S) => s;

/** The table, grouped by domain (the order docs/errors.md lists them in). */
export const ERROR_CODES = {
  // Requests
  invalid_request: row({
    status: 400,
    type: 'invalid_request_error',
    meaning: 'The request is malformed or a field is invalid; the message names it.',
    when: 'Any validation failure without a more specific code (model APIs, admin API, console, CLI); `x-should-retry: false` when max_tokens makes the worst-case cost exceed any balance or limit.',
  }),
  missing_required_parameter: row({
    status: 400,
    type: 'invalid_request_error',
    meaning: 'A required parameter is missing.',
    when: 'An OpenAI-surface request without `model`.',
  }),
  duplicate_key: row({
    status: 400,
    type: 'invalid_request_error',
    meaning: 'The JSON body has the same key twice.',
    when: 'Any JSON body with a repeated key (ambiguous: parsers disagree on which wins).',
  }),
  unsupported_option: row({
    status: 400,
    type: 'invalid_request_error',
    retry: false,
    meaning: 'The request asks for an option the gateway cannot price or does not allow.',
    when: 'A field, beta or tool type outside the allow-lists (docs/pricing.md).',
  }),
  max_tokens_above_key_ceiling: row({
    status: 400,
    type: 'invalid_request_error',
    retry: false,
    meaning: "The requested output ceiling is above the API key's.",
    when: 'A key with `--max-tokens N` in `refuse` mode gets a larger max_tokens.',
  }),
  request_too_large: row({
    status: 413,
    type: 'request_too_large',
    meaning: 'The request body is larger than `MAX_BODY_BYTES`.',
    when: 'Declared or streamed body size over the limit.',
  }),
  method_not_allowed: row({
    status: 405,
    type: 'invalid_request_error',
    meaning: 'The path exists but not for this HTTP method; `allow` lists the methods.',
    when: 'Admin API and console routes.',
  }),
  not_found: row({
    status: 404,
    type: 'not_found_error',
    meaning: 'The path or the named resource does not exist (or is not visible to the caller).',
    when: 'Unknown routes, ids of orgs, keys, invoices, users… that do not exist.',
  }),
  internal_error: row({
    status: 500,
    type: 'api_error',
    meaning: 'An unexpected failure inside the gateway; the cause is logged, never shown.',
    when: 'Anything thrown that is not a gateway error.',
  }),
  service_unavailable: row({
    status: 503,
    type: 'api_error',
    retry: true,
    meaning: 'A store the request needs is unreachable.',
    when: 'The key store cannot be read while authenticating.',
  }),
  // Models
  model_not_found: row({
    status: 404,
    type: 'not_found_error',
    meaning: 'No model by this name in the catalog.',
    when: 'Model APIs and `GET /v1/models/{id}`.',
  }),
  model_not_priced: row({
    status: 400,
    type: 'invalid_request_error',
    retry: false,
    meaning: 'The model has no price, so it cannot be billed or served.',
    when: 'A catalog model without a price (`tollgate prices import` adds one).',
  }),
  model_not_served: row({
    status: 404,
    type: 'not_found_error',
    meaning: 'No configured upstream serves the model.',
    when: 'A priced model with no upstream in any pool (docs/routing.md).',
  }),
  model_retired: row({
    status: 404,
    type: 'not_found_error',
    retry: false,
    meaning: 'The model was retired by its provider and is no longer served.',
    when: 'A model past its retirement date.',
  }),
  model_not_allowed: row({
    status: 403,
    type: 'permission_error',
    retry: false,
    meaning: 'The API key (or its workspace) may not use this model.',
    when: 'A key or workspace with a model allow-list.',
  }),
  // Authentication and permissions
  invalid_api_key: row({
    status: 401,
    type: 'authentication_error',
    meaning: 'Credentials are missing, unknown, revoked or expired.',
    when: 'Model APIs, admin API and `/metrics` without valid credentials.',
  }),
  too_many_auth_failures: row({
    status: 429,
    type: 'rate_limit_error',
    meaning: 'Too many failed authentications from this client address; `retry-after` says when to try again.',
    when: 'Past `TOLLGATE_AUTH_FAILURE_BURST` failures (the connection is closed).',
  }),
  permission_denied: row({
    status: 403,
    type: 'permission_error',
    meaning: 'The caller is authenticated but its role or key may not do this.',
    when: "Admin API and organization API routes outside the caller's permissions (docs/security.md).",
  }),
  admin_key_not_allowed: row({
    status: 403,
    type: 'permission_error',
    meaning: 'An admin key called a model API.',
    when: 'An `sk-tg-admin-…` key on `/v1/messages`, `/v1/chat/completions`, ….',
  }),
  inference_key_not_allowed: row({
    status: 403,
    type: 'permission_error',
    meaning: 'An inference key called the admin API or the console.',
    when: 'An `sk-tg-…` key on `/admin/v1` or the organization API.',
  }),
  owner_required: row({
    status: 403,
    type: 'permission_error',
    meaning: 'Only an owner may grant or take away the owner role.',
    when: 'Member role changes by a non-owner.',
  }),
  email_not_verified: row({
    status: 403,
    type: 'permission_error',
    meaning: 'The console user must verify the email address first.',
    when: 'Creating keys from an unverified console account.',
  }),
  // Console accounts (docs/accounts.md)
  not_authenticated: row({
    status: 401,
    type: 'authentication_error',
    meaning: 'No valid console session.',
    when: 'Console and session-authenticated admin calls without a live session.',
  }),
  invalid_credentials: row({
    status: 401,
    type: 'authentication_error',
    meaning: 'Wrong email address and password, or wrong admin token.',
    when: 'Console log-in.',
  }),
  csrf_failed: row({
    status: 403,
    type: 'permission_error',
    meaning: 'The CSRF check of a cookie-authenticated write failed.',
    when: 'Console writes without the matching `tg_csrf` token or from another origin.',
  }),
  account_disabled: row({ status: 403, type: 'permission_error', meaning: 'The console account is disabled.', when: 'Log-in to a disabled account.' }),
  no_organization: row({
    status: 403,
    type: 'permission_error',
    meaning: 'The console user belongs to no organization.',
    when: 'Admin calls from a session with no current organization.',
  }),
  email_taken: row({
    status: 409,
    type: 'conflict_error',
    meaning: 'An account with this email address already exists.',
    when: 'Sign-up or email change to a taken address.',
  }),
  invalid_token: row({
    status: 400,
    type: 'invalid_request_error',
    meaning: 'A mailed link (verification, password reset, invitation) is invalid or expired.',
    when: 'Following an old or tampered link.',
  }),
  signup_closed: row({
    status: 403,
    type: 'permission_error',
    meaning: 'Sign-up (or creating organizations) is closed on this gateway.',
    when: '`TOLLGATE_SIGNUP=closed`.',
  }),
  invitation_required: row({
    status: 403,
    type: 'permission_error',
    meaning: 'Sign-up is by invitation only.',
    when: '`TOLLGATE_SIGNUP=invite` and no invitation token.',
  }),
  invitation_email_mismatch: row({
    status: 403,
    type: 'permission_error',
    meaning: 'The invitation was sent to another email address.',
    when: 'Signing up or accepting with a different address.',
  }),
  already_member: row({ status: 409, type: 'conflict_error', meaning: 'The invited address is already a member.', when: 'Inviting an existing member.' }),
  last_owner: row({
    status: 409,
    type: 'conflict_error',
    meaning: 'The organization would be left without an owner.',
    when: 'Removing or demoting the last owner.',
  }),
  last_workspace: row({
    status: 409,
    type: 'conflict_error',
    meaning: 'The organization would be left without an active workspace.',
    when: 'Archiving the last active workspace.',
  }),
  rate_limited: row({
    status: 429,
    type: 'rate_limit_error',
    meaning: 'Too many attempts; `retry-after` says when to try again.',
    when: 'Failed console log-ins for one address, verification mails within a minute.',
  }),
  // Rate limits and overload
  rate_limit_exceeded: row({
    status: 429,
    type: 'rate_limit_error',
    meaning: 'A requests or tokens per minute limit would be exceeded; rate-limit headers and `retry-after` are attached.',
    when: 'Org, workspace or key rate limits (`x-should-retry: false` when the request alone exceeds the limit).',
  }),
  concurrency_limit_exceeded: row({
    status: 429,
    type: 'rate_limit_error',
    meaning: 'Too many requests of this organization in flight on this instance.',
    when: 'Past `TOLLGATE_MAX_CONCURRENT_PER_ORG`.',
  }),
  usage_store_unavailable: row({
    status: 503,
    type: 'overloaded_error',
    retry: true,
    meaning: 'The gateway cannot record usage durably right now, so it serves nothing.',
    when: 'While the database is down (usage already served waits in the spool) until a write succeeds again (`retry-after: 5`).',
  }),
  limiter_unavailable: row({
    status: 503,
    type: 'overloaded_error',
    retry: true,
    meaning: 'Rate and spend limits cannot be checked right now.',
    when: 'Redis unreachable with `TOLLGATE_REDIS_FAIL_MODE=closed` (`retry-after: 5`).',
  }),
  // Spend and billing
  credit_balance_too_low: row({
    status: 400,
    type: 'invalid_request_error',
    retry: false,
    meaning: "The prepaid credit balance cannot cover this request's maximum cost.",
    when: 'Prepaid orgs, at admission (`details.error_code` carries the code).',
  }),
  usage_limit_reached: row({
    status: 400,
    type: 'invalid_request_error',
    retry: false,
    meaning: "The organization's monthly spend limit is reached (or would be by this request).",
    when: 'At admission; `details.resets_at` says when it resets.',
  }),
  workspace_usage_limit_reached: row({
    status: 400,
    type: 'invalid_request_error',
    retry: false,
    meaning: "The workspace's monthly spend limit is reached (or would be by this request).",
    when: 'At admission; `details.resets_at` says when it resets.',
  }),
  key_usage_limit_reached: row({
    status: 400,
    type: 'invalid_request_error',
    retry: false,
    meaning: "The API key's monthly spend limit is reached (or would be by this request).",
    when: 'At admission; `details.resets_at` says when it resets.',
  }),
  enforced_spend_limit_reached: row({
    status: 429,
    type: 'rate_limit_error',
    retry: false,
    meaning: "The usage tier's monthly spend ceiling is reached.",
    when: 'At admission, until the next month (no `retry-after`).',
  }),
  org_suspended: row({
    status: 402,
    type: 'billing_error',
    retry: false,
    meaning: 'The organization is suspended (unpaid statement or invoice, or by the operator).',
    when: 'Every model API request of a suspended org (`details.reason`).',
  }),
  above_operator_ceiling: row({
    status: 403,
    type: 'permission_error',
    meaning: "A customer-set spend limit may not exceed the operator's.",
    when: "Raising a limit above the operator's ceiling.",
  }),
  above_org_limit: row({
    status: 403,
    type: 'permission_error',
    meaning: 'A workspace admin key may lower, not raise or remove, a limit an org admin set.',
    when: 'Workspace-scoped limit changes.',
  }),
  ref_conflict: row({
    status: 409,
    type: 'conflict_error',
    meaning: "The idempotency `ref` of a credit grant belongs to another organization's entry.",
    when: 'Credit grants that reuse a ref.',
  }),
  month_not_ended: row({
    status: 400,
    type: 'invalid_request_error',
    meaning: 'The month has not ended, so it cannot be closed.',
    when: 'Closing invoices for the current month.',
  }),
  credit_exceeds_invoice: row({
    status: 400,
    type: 'invalid_request_error',
    meaning: "Credit notes would exceed the invoice's total.",
    when: 'Issuing a credit note.',
  }),
  stripe_not_configured: row({
    status: 400,
    type: 'invalid_request_error',
    meaning: 'Card payments are not configured on this gateway.',
    when: 'Card routes without `STRIPE_SECRET_KEY`.',
  }),
  topup_out_of_range: row({
    status: 400,
    type: 'invalid_request_error',
    meaning: 'A card top-up is outside the configured minimum and maximum.',
    when: '`TOLLGATE_TOPUP_MIN_USD` / `_MAX_USD`.',
  }),
  not_card_paid: row({
    status: 400,
    type: 'invalid_request_error',
    meaning: 'A credit note cannot be refunded to a card: the invoice was not paid by card through Stripe.',
    when: 'Credit notes with `--settle refund` on invoices paid otherwise (settle as account credit).',
  }),
  refund_exceeds_payment: row({
    status: 400,
    type: 'invalid_request_error',
    meaning: 'The card payment of the invoice has less left to refund than the credit note.',
    when: 'Credit notes with `--settle refund` (settle as account credit).',
  }),
  invalid_billing_mode: row({
    status: 400,
    type: 'invalid_request_error',
    meaning: 'The billing mode is not prepaid, card or invoice.',
    when: 'Billing-mode switches.',
  }),
  invalid_signature: row({
    status: 400,
    type: 'invalid_request_error',
    meaning: 'A Stripe webhook has an invalid or stale signature.',
    when: '`POST /stripe/webhook`.',
  }),
  // Idempotency
  idempotency_conflict: row({
    status: 409,
    type: 'conflict_error',
    meaning: 'A request with this Idempotency-Key is still in flight, or failed before it could be replayed.',
    when: 'Concurrent retries with one key.',
  }),
  idempotency_key_reused: row({
    status: 422,
    type: 'invalid_request_error',
    retry: false,
    meaning: 'The Idempotency-Key was used with a different request.',
    when: 'Same key, other endpoint or body.',
  }),
  // Upstreams
  upstream_unavailable: row({
    status: 502,
    type: 'api_error',
    retry: true,
    meaning: 'The upstream could not be reached or ended its reply early or malformed.',
    when: 'Connection failures, cut replies, unparseable bodies, after fallbacks are exhausted.',
  }),
  upstreams_unavailable: row({
    status: 529,
    type: 'overloaded_error',
    retry: true,
    meaning: 'Every upstream serving the model is unavailable (breakers open).',
    when: "All of a model's pool members are open; `retry-after` when one re-opens.",
  }),
  upstream_timeout: row({
    status: 504,
    type: 'timeout_error',
    retry: true,
    meaning: 'The upstream did not answer in time.',
    when: 'Header, idle or total upstream timeouts (docs/routing.md).',
  }),
  key_timeout: row({
    status: 504,
    type: 'timeout_error',
    retry: false,
    meaning: 'The request took longer than the API key allows.',
    when: 'Keys with `--timeout-ms`.',
  }),
  upstream_auth_failed: row({
    status: 502,
    type: 'api_error',
    meaning: "The upstream rejected the gateway's own credentials (an operator problem).",
    when: 'An upstream 401/403.',
  }),
  upstream_account_error: row({
    status: 502,
    type: 'api_error',
    retry: false,
    meaning: "The upstream refused because of the operator's account with it (billing, quota).",
    when: 'An upstream 402 or an account-related refusal.',
  }),
  upstream_429: row({
    status: 429,
    type: 'rate_limit_error',
    meaning: 'The upstream is rate limiting the gateway; its retry headers are passed on.',
    when: 'An upstream 429 after fallbacks are exhausted.',
  }),
  'upstream_<status>': row({
    status: 'upstream',
    type: 'api_error',
    meaning: 'The upstream refused the request or failed; a request error keeps its (scrubbed) message and type.',
    when: 'Any other upstream error status, e.g. `upstream_400`, `upstream_500`, `upstream_529` (overloaded).',
  }),
  upstream_stream_incomplete: row({
    status: 'stream',
    type: 'api_error',
    meaning: 'The upstream stream ended before the response was complete.',
    when: 'OpenAI-surface streams translated from a Claude stream that was cut.',
  }),
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
