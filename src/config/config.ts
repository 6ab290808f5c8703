/**
 * The one typed configuration object, validated at start-up with every problem listed at
 * once. This module is the only reader of the environment (`loadConfig(env)`).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { usdToPico } from '../core/money.ts';

const num = (def: number) => z.coerce.number().int().nonnegative().default(def);
const upstreamTimeouts = z.strictObject({
  headersMs: z.number().int().min(1).optional(),
  betweenEventsMs: z.number().int().min(1).optional(),
  totalMs: z.number().int().min(1).optional(),
});
/** A model route: rules tried in order, the first that matches names the model; else `default`. */
const modelRoute = z.strictObject({
  rules: z
    .array(
      z.strictObject({
        /** Matches when the prompt is estimated at least / below this many tokens. */
        minInputTokens: z.number().int().min(0).optional(),
        maxInputTokens: z.number().int().min(0).optional(),
        /** Matches when the request does (true) or does not (false) offer tools. */
        tools: z.boolean().optional(),
        /** Matches when the client's hint (`metadata.tollgate_route` or header `x-tollgate-route`) equals this. */
        hint: z.string().min(1).optional(),
        model: z.string().min(1),
      }),
    )
    .default([]),
  default: z.string().min(1),
});
const usd = z.string().regex(/^\d+(\.\d{1,12})?$/, 'a decimal USD amount like "5" or "0.50"');

export const configSchema = z.object({
  port: num(8787).pipe(z.number().max(65535)),
  host: z.string().min(1).default('127.0.0.1'),
  databaseUrl: z.string().min(1).default('./data/tollgate.db'),
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\//, 'a redis:// URL')
    .optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `auto`: human-readable in a terminal, JSON lines otherwise. */
  logFormat: z.enum(['auto', 'json', 'pretty']).default('auto'),
  /** Largest accepted request body, bytes (Anthropic allows 32 MB). */
  maxBodyBytes: num(32 * 1024 * 1024).pipe(z.number().min(1024)),
  anthropic: z.object({
    apiKey: z.string().min(1).optional(),
    baseUrl: z.url().default('https://api.anthropic.com'),
  }),
  openai: z.object({
    apiKey: z.string().min(1).optional(),
    baseUrl: z.url().default('https://api.openai.com/v1'),
  }),
  /** `NODE_ENV`: in `production` the built-in simulator stays off unless `simulator` is `on`. */
  nodeEnv: z.string().default('development'),
  /**
   * The built-in simulated upstream, used when no provider is configured: `auto` (default) = on
   * outside production, off when NODE_ENV=production; `on` / `off` force it. Its answers are fake:
   * marked with `tollgate-upstream: simulator` and never counted as revenue.
   */
  simulator: z.enum(['auto', 'on', 'off']).default('auto'),
  /** Where the CLI finds the running gateway for live state (`tollgate upstream list`); default http://127.0.0.1:<port>. */
  gatewayUrl: z.url().optional(),
  /** Operator token for the admin API (`Authorization: Bearer …`). */
  adminToken: z.string().min(16, 'at least 16 characters').optional(),
  /** Master key (32 bytes, hex or base64) that encrypts upstream credentials at rest. */
  masterKey: z
    .string()
    .refine((k) => (/^[0-9a-fA-F]{64}$/.test(k) ? true : Buffer.from(k, 'base64').length === 32), '32 bytes: 64 hex characters or base64')
    .optional(),
  /** Free credits granted to every new org, USD, and how long they last. */
  freeCreditsUsd: usd.default('5'),
  freeCreditsDays: num(90),
  /** max_tokens used when an OpenAI-surface request to a Claude model gives none. */
  defaultMaxTokens: num(4096).pipe(z.number().min(1)),
  /** How often the server looks for CLI/admin changes (ms). */
  refreshMs: num(250).pipe(z.number().min(10)),
  /** How long change-log rows are kept (hours); running servers read them within a second. */
  changeLogRetentionHours: num(24).pipe(z.number().min(1)),
  /** Hold expiry for spend reservations of a crashed process (ms). */
  holdTtlMs: num(15 * 60 * 1000).pipe(z.number().min(1000)),
  /** Default alert thresholds (percent of a limit). */
  defaultNotify: z.array(z.number().int().min(1).max(100)).default([80]),
  smtp: z.object({
    url: z
      .string()
      .regex(/^smtps?:\/\//, 'an smtp:// URL')
      .optional(),
    from: z.string().default('Tollgate <alerts@tollgate.local>'),
  }),
  /** Upstreams from the config file (in addition to ANTHROPIC_/OPENAI_API_KEY and `tollgate upstream add`). */
  upstreams: z
    .array(
      z.object({
        name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/),
        kind: z.string().min(1),
        baseUrl: z.url(),
        apiKey: z.string().optional(),
        models: z.union([z.literal('*'), z.array(z.string())]).default('*'),
        modelMap: z.record(z.string(), z.string()).optional(),
        /** Lower is tried first (default: position in this list). */
        priority: z.number().int().min(0).max(1_000_000).optional(),
        /** Load share among upstreams of equal priority. */
        weight: z.number().int().min(1).max(1_000_000).optional(),
        timeouts: upstreamTimeouts.optional(),
      }),
    )
    .default([]),
  /** Upstream pools: fallback, circuit breakers and default timeouts (docs/routing.md). */
  pool: z
    .object({
      /** Most upstreams one request may try. */
      maxAttempts: num(4).pipe(z.number().min(1).max(32)),
      /** Cool-down after a 429 / 529 that gives no retry hint (ms). */
      coolDownMs: num(5_000),
      breaker: z
        .object({
          failures: num(5).pipe(z.number().min(1)),
          errorRate: z.number().min(0.01).max(1).default(0.5),
          window: num(20).pipe(z.number().min(1).max(10_000)),
          minRequests: num(10).pipe(z.number().min(1)),
          openMs: num(30_000).pipe(z.number().min(10)),
        })
        .prefault({}),
      /** Defaults for every upstream (an upstream's own `timeouts` win). 0 = no limit. */
      timeouts: z
        .object({
          headersMs: num(600_000),
          betweenEventsMs: num(300_000),
          totalMs: num(0),
        })
        .prefault({}),
    })
    .prefault({}),
  /** Model routes: names such as `auto` that pick a real model by rules (docs/routing.md). */
  modelRoutes: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'letters, digits, . _ : -'), modelRoute).default({}),
  /** Path of a JSON file with a custom tier schedule. */
  tiersFile: z.string().optional(),
  /** Card payments through Stripe (off without a secret key). */
  stripe: z
    .object({
      secretKey: z
        .string()
        .regex(/^(sk|rk)_(test|live)_\S+$/, 'a Stripe secret key (sk_test_… / sk_live_…)')
        .optional(),
      webhookSecret: z
        .string()
        .regex(/^whsec_\S+$/, 'a webhook signing secret (whsec_…)')
        .optional(),
      /** Where the stripe SDK sends API calls (tests point it at a local fake). */
      apiBase: z.url().default('https://api.stripe.com'),
      /** Signed webhooks older than this are refused (seconds). */
      webhookToleranceSec: num(300).pipe(z.number().min(1)),
      /** Per top-up limits (Checkout and auto-reload), USD. */
      minTopupUsd: usd.default('5'),
      maxTopupUsd: usd.default('10000'),
      /** Where Checkout sends the customer back (default: the console's Billing page). */
      successUrl: z.url().optional(),
      cancelUrl: z.url().optional(),
    })
    .prefault({})
    .refine((s) => !s.secretKey || s.webhookSecret, { message: 'required with STRIPE_SECRET_KEY', path: ['webhookSecret'] })
    .refine(
      (s) => {
        try {
          return usdToPico(s.minTopupUsd) <= usdToPico(s.maxTopupUsd);
        } catch {
          return true; /* the field's own check reports it */
        }
      },
      { message: 'must not be above the maximum top-up', path: ['minTopupUsd'] },
    ),
  /** Month close, statements and invoices. */
  billing: z
    .object({
      /** The gateway's public URL (links in mails, Checkout return URLs). */
      publicUrl: z.url().optional(),
      /** Close ended months automatically this many minutes after midnight UTC on the 1st (0 = manual only: `tollgate invoices close`). */
      autoCloseAfterMin: num(60),
      /** How often the billing jobs run (ms). */
      tickMs: num(60_000).pipe(z.number().min(100)),
      /** Payment terms of invoices, days. */
      netDays: num(30).pipe(z.number().min(0).max(365)),
      /** Card billing: hours after the first failed charge at which it is retried. */
      cardRetryHours: z.array(z.number().int().min(1)).default([24, 72, 120]),
      /** Card billing: suspend this many days after the first failed charge (if still unpaid). */
      cardGraceDays: num(7),
      /** Invoices: suspend this many days after the due date (if still unpaid); the overdue alert comes on the due date. */
      invoiceGraceDays: num(14),
      issuer: z
        .object({
          /** Invoice numbers are gapless per issuer: `<code>-000001`, credit notes `<code>-CN-000001`. */
          code: z
            .string()
            .regex(/^[A-Z0-9][A-Z0-9_-]{0,15}$/, 'upper-case letters, digits, - and _ (at most 16)')
            .default('TG'),
          name: z.string().min(1).default('Tollgate operator'),
          address: z.string().default(''),
          email: z.string().default(''),
          taxId: z.string().default(''),
        })
        .prefault({}),
    })
    .prefault({}),
  /** Console accounts (docs/accounts.md). */
  accounts: z
    .object({
      /** Who may sign up: anyone, only through an invitation, or nobody (`tollgate user create`). */
      signup: z.enum(['open', 'invite', 'closed']).default('open'),
      /** A console session's lifetime, days. */
      sessionDays: num(14).pipe(z.number().min(1).max(365)),
    })
    .prefault({}),
  /** HTTP server limits (slow or stalled clients). */
  http: z
    .object({
      /** A client must send all request headers within this (ms). */
      headersTimeoutMs: num(10_000).pipe(z.number().min(100)),
      /** A client must send the whole request (headers and body) within this (ms); responses are not limited. */
      requestTimeoutMs: num(60_000).pipe(z.number().min(100)),
      /** Idle keep-alive connections are closed after this (ms). */
      keepAliveTimeoutMs: num(65_000).pipe(z.number().min(100)),
      /** Largest accepted request header block, bytes. */
      maxHeaderBytes: num(16 * 1024).pipe(
        z
          .number()
          .min(1024)
          .max(1024 * 1024),
      ),
      /** A response write blocked this long (the client stopped reading) closes the connection (ms). */
      writeTimeoutMs: num(30_000).pipe(z.number().min(100)),
      /** Behind a reverse proxy: take the client address from the last X-Forwarded-For entry. */
      trustProxy: z
        .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
        .default(false)
        .transform((v) => v === true || v === 'true' || v === '1'),
    })
    .default({} as never),
  /** SIGTERM/SIGINT: in-flight requests and streams get this long to finish before they are cut (ms). */
  shutdownGraceMs: num(25_000),
  /** Prometheus `/metrics`: scraped with the operator token or this token (`Authorization: Bearer …`). */
  metrics: z
    .object({
      token: z.string().min(16, 'at least 16 characters').optional(),
      /** Adds an `org` label to the token and cost counters (one series per org and model: mind the cardinality). */
      orgLabel: z
        .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
        .default(false)
        .transform((v) => v === true || v === 'true' || v === '1'),
    })
    .default({} as never),
  /** OpenTelemetry traces (OTLP/HTTP); off unless an endpoint is set. */
  otel: z
    .object({
      endpoint: z.url().optional(),
      tracesEndpoint: z.url().optional(),
      /** `key=value,key2=value2`, as the OTLP exporter spec defines `OTEL_EXPORTER_OTLP_HEADERS`. */
      headers: z.string().optional(),
      serviceName: z.string().min(1).default('tollgate'),
      /** Record prompts in spans (`gen_ai.input.messages`): off by default — prompts are customer data. */
      captureContent: z
        .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
        .default(false)
        .transform((v) => v === true || v === 'true' || v === '1'),
    })
    .default({} as never),
  /**
   * Additions to the request allow-lists (surfaces/options/allow-lists.ts): body fields,
   * `anthropic-beta` values and server-tool types the operator accepts beyond the defaults.
   * Only add what the gateway prices correctly (docs/pricing.md, "Premium options and price bands").
   */
  requestOptions: z
    .object({
      anthropicFields: z.array(z.string().regex(/^[a-z0-9_]+$/, 'a body field name')).default([]),
      anthropicBetas: z.array(z.string().regex(/^[a-z0-9.-]+$/, 'an anthropic-beta value')).default([]),
      anthropicToolTypes: z.array(z.string().regex(/^[a-z0-9_]+$/, 'a tool type or family')).default([]),
      openaiFields: z.array(z.string().regex(/^[a-z0-9_]+$/, 'a body field name')).default([]),
    })
    .default({} as never),
  /** Abuse limits. */
  guards: z
    .object({
      /** Requests in flight per org on one instance, checked before the body is read (0 = no limit). */
      maxConcurrentPerOrg: num(256),
      /** Failed authentications an address may make in a burst (0 = no throttling)… */
      authFailureBurst: num(20),
      /** …and how many more it earns per minute. */
      authFailuresPerMinute: num(10),
      /** How long an unknown key is refused without asking the database again (ms). */
      keyNegativeCacheMs: num(2000),
    })
    .default({} as never),
  /** Client aborts: the upstream reply is still read (bounded) until its usage arrives, so it is billed exactly. */
  abortDrain: z
    .object({
      /** How long after the client left the upstream is still read (ms; 0 = cut at once and bill the bound). */
      timeoutMs: num(300_000),
      /** How many more bytes of the upstream reply are read after the client left. */
      maxBytes: num(64 * 1024 * 1024),
    })
    .default({} as never),
  /** Directory of the local usage spool (events kept on disk while the database is down); default next to a SQLite file, else ./data/spool. */
  spoolDir: z.string().min(1).optional(),
  /** Redis (the shared limiter) unreachable: 'closed' refuses new requests with a 503 (default); 'open' serves them on this instance's own limits. */
  redisFailMode: z.enum(['closed', 'open']).default('closed'),
  /** Where the operator hears about usage anomalies and refused usage rows. */
  operatorAlerts: z
    .object({
      webhookUrl: z.url().optional(),
      /** Signing secret of the operator webhook (same scheme as org webhooks). */
      webhookSecret: z.string().min(16, 'at least 16 characters').optional(),
      email: z
        .string()
        .regex(/^[^@\s]+@[^@\s]+$/, 'an e-mail address')
        .optional(),
      /** At most one alert per kind and org in this window (ms); every anomaly is still logged. */
      minIntervalMs: num(600_000),
    })
    .prefault({})
    .refine((o) => !o.webhookUrl || o.webhookSecret, { message: 'required with TOLLGATE_OPERATOR_ALERT_WEBHOOK', path: ['webhookSecret'] }),
});

export type Config = z.infer<typeof configSchema>;

/** Whether the simulated upstream may serve when no provider is configured. */
export const simulatorAllowed = (c: Pick<Config, 'simulator' | 'nodeEnv'>): boolean =>
  c.simulator === 'on' || (c.simulator === 'auto' && c.nodeEnv !== 'production');

/** Upstream names the built-in simulator serves under (its answers are fake; reports mark them). */
export const SIMULATOR_UPSTREAMS = ['simulator', 'simulator-openai'];
export const isSimulatedUpstream = (name: string): boolean => SIMULATOR_UPSTREAMS.includes(name);

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Environment variable → config path. */
const ENV_MAP: Record<string, string> = {
  PORT: 'port',
  HOST: 'host',
  DATABASE_URL: 'databaseUrl',
  REDIS_URL: 'redisUrl',
  LOG_LEVEL: 'logLevel',
  LOG_FORMAT: 'logFormat',
  MAX_BODY_BYTES: 'maxBodyBytes',
  ANTHROPIC_API_KEY: 'anthropic.apiKey',
  ANTHROPIC_BASE_URL: 'anthropic.baseUrl',
  OPENAI_API_KEY: 'openai.apiKey',
  OPENAI_BASE_URL: 'openai.baseUrl',
  TOLLGATE_ADMIN_TOKEN: 'adminToken',
  NODE_ENV: 'nodeEnv',
  TOLLGATE_SIMULATOR: 'simulator',
  TOLLGATE_URL: 'gatewayUrl',
  TOLLGATE_MASTER_KEY: 'masterKey',
  TOLLGATE_FREE_CREDITS_USD: 'freeCreditsUsd',
  TOLLGATE_FREE_CREDITS_DAYS: 'freeCreditsDays',
  TOLLGATE_DEFAULT_MAX_TOKENS: 'defaultMaxTokens',
  TOLLGATE_REFRESH_MS: 'refreshMs',
  TOLLGATE_CHANGE_LOG_RETENTION_HOURS: 'changeLogRetentionHours',
  TOLLGATE_HOLD_TTL_MS: 'holdTtlMs',
  TOLLGATE_NOTIFY: 'defaultNotify',
  SMTP_URL: 'smtp.url',
  SMTP_FROM: 'smtp.from',
  TOLLGATE_TIERS_FILE: 'tiersFile',
  STRIPE_SECRET_KEY: 'stripe.secretKey',
  STRIPE_WEBHOOK_SECRET: 'stripe.webhookSecret',
  STRIPE_API_BASE: 'stripe.apiBase',
  STRIPE_WEBHOOK_TOLERANCE_SEC: 'stripe.webhookToleranceSec',
  TOLLGATE_TOPUP_MIN_USD: 'stripe.minTopupUsd',
  TOLLGATE_TOPUP_MAX_USD: 'stripe.maxTopupUsd',
  TOLLGATE_CHECKOUT_SUCCESS_URL: 'stripe.successUrl',
  TOLLGATE_CHECKOUT_CANCEL_URL: 'stripe.cancelUrl',
  TOLLGATE_PUBLIC_URL: 'billing.publicUrl',
  TOLLGATE_AUTO_CLOSE_AFTER_MIN: 'billing.autoCloseAfterMin',
  TOLLGATE_BILLING_TICK_MS: 'billing.tickMs',
  TOLLGATE_INVOICE_NET_DAYS: 'billing.netDays',
  TOLLGATE_CARD_RETRY_HOURS: 'billing.cardRetryHours',
  TOLLGATE_CARD_GRACE_DAYS: 'billing.cardGraceDays',
  TOLLGATE_INVOICE_GRACE_DAYS: 'billing.invoiceGraceDays',
  TOLLGATE_ISSUER_CODE: 'billing.issuer.code',
  TOLLGATE_ISSUER_NAME: 'billing.issuer.name',
  TOLLGATE_ISSUER_ADDRESS: 'billing.issuer.address',
  TOLLGATE_ISSUER_EMAIL: 'billing.issuer.email',
  TOLLGATE_ISSUER_TAX_ID: 'billing.issuer.taxId',
  TOLLGATE_SIGNUP: 'accounts.signup',
  TOLLGATE_SESSION_DAYS: 'accounts.sessionDays',
  TOLLGATE_HEADERS_TIMEOUT_MS: 'http.headersTimeoutMs',
  TOLLGATE_REQUEST_TIMEOUT_MS: 'http.requestTimeoutMs',
  TOLLGATE_KEEP_ALIVE_TIMEOUT_MS: 'http.keepAliveTimeoutMs',
  TOLLGATE_MAX_HEADER_BYTES: 'http.maxHeaderBytes',
  TOLLGATE_WRITE_TIMEOUT_MS: 'http.writeTimeoutMs',
  TOLLGATE_TRUST_PROXY: 'http.trustProxy',
  TOLLGATE_SHUTDOWN_GRACE_MS: 'shutdownGraceMs',
  TOLLGATE_METRICS_TOKEN: 'metrics.token',
  TOLLGATE_METRICS_ORG_LABEL: 'metrics.orgLabel',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'otel.endpoint',
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'otel.tracesEndpoint',
  OTEL_EXPORTER_OTLP_HEADERS: 'otel.headers',
  OTEL_SERVICE_NAME: 'otel.serviceName',
  TOLLGATE_OTEL_CAPTURE_CONTENT: 'otel.captureContent',
  TOLLGATE_MAX_CONCURRENT_PER_ORG: 'guards.maxConcurrentPerOrg',
  TOLLGATE_AUTH_FAILURE_BURST: 'guards.authFailureBurst',
  TOLLGATE_AUTH_FAILURES_PER_MINUTE: 'guards.authFailuresPerMinute',
  TOLLGATE_KEY_NEGATIVE_CACHE_MS: 'guards.keyNegativeCacheMs',
  TOLLGATE_ABORT_DRAIN_MS: 'abortDrain.timeoutMs',
  TOLLGATE_ABORT_DRAIN_BYTES: 'abortDrain.maxBytes',
  TOLLGATE_SPOOL_DIR: 'spoolDir',
  TOLLGATE_REDIS_FAIL_MODE: 'redisFailMode',
  TOLLGATE_OPERATOR_ALERT_WEBHOOK: 'operatorAlerts.webhookUrl',
  TOLLGATE_OPERATOR_ALERT_WEBHOOK_SECRET: 'operatorAlerts.webhookSecret',
  TOLLGATE_OPERATOR_ALERT_EMAIL: 'operatorAlerts.email',
  TOLLGATE_OPERATOR_ALERT_INTERVAL_MS: 'operatorAlerts.minIntervalMs',
  TOLLGATE_POOL_MAX_ATTEMPTS: 'pool.maxAttempts',
  TOLLGATE_UPSTREAM_HEADERS_TIMEOUT_MS: 'pool.timeouts.headersMs',
  TOLLGATE_UPSTREAM_IDLE_TIMEOUT_MS: 'pool.timeouts.betweenEventsMs',
  TOLLGATE_UPSTREAM_TOTAL_TIMEOUT_MS: 'pool.timeouts.totalMs',
  TOLLGATE_BREAKER_FAILURES: 'pool.breaker.failures',
  TOLLGATE_BREAKER_OPEN_MS: 'pool.breaker.openMs',
  TOLLGATE_ALLOW_ANTHROPIC_FIELDS: 'requestOptions.anthropicFields',
  TOLLGATE_ALLOW_ANTHROPIC_BETAS: 'requestOptions.anthropicBetas',
  TOLLGATE_ALLOW_ANTHROPIC_TOOL_TYPES: 'requestOptions.anthropicToolTypes',
  TOLLGATE_ALLOW_OPENAI_FIELDS: 'requestOptions.openaiFields',
};

/** Config paths whose environment value is a comma-separated list of strings. */
const STRING_LIST_PATHS = new Set([
  'requestOptions.anthropicFields',
  'requestOptions.anthropicBetas',
  'requestOptions.anthropicToolTypes',
  'requestOptions.openaiFields',
]);

/** Config paths whose environment value is a comma-separated list of integers. */
const LIST_PATHS = new Set(['defaultNotify', 'billing.cardRetryHours']);

// biome-ignore lint/suspicious/noExplicitAny: the env/file overlay is untyped until configSchema parses it
function setPath(obj: any, path: string, value: unknown) {
  const parts = path.split('.');
  let o = obj;
  for (const p of parts.slice(0, -1)) o = o[p] ??= {};
  o[parts.at(-1)!] = value;
}

/**
 * Builds the config from an optional JSON file (`TOLLGATE_CONFIG`) overlaid by environment
 * variables. Throws ConfigError listing every problem.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // biome-ignore lint/suspicious/noExplicitAny: the env/file overlay is untyped until configSchema parses it
  const raw: any = {
    anthropic: {},
    openai: {},
    smtp: {},
    stripe: {},
    billing: { issuer: {} },
    accounts: {},
    http: {},
    guards: {},
    metrics: {},
    otel: {},
    requestOptions: {},
    pool: {},
    abortDrain: {},
    operatorAlerts: {},
  };
  const problems: string[] = [];
  if (env.TOLLGATE_CONFIG) {
    try {
      Object.assign(raw, JSON.parse(readFileSync(env.TOLLGATE_CONFIG, 'utf8')));
    } catch (e) {
      problems.push(`TOLLGATE_CONFIG: cannot read ${env.TOLLGATE_CONFIG}: ${(e as Error).message}`);
    }
  }
  for (const [name, path] of Object.entries(ENV_MAP)) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    setPath(
      raw,
      path,
      LIST_PATHS.has(path)
        ? v.split(',').map((s) => Number(s.trim()))
        : STRING_LIST_PATHS.has(path)
          ? v
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : v,
    );
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const back = Object.fromEntries(Object.entries(ENV_MAP).map(([k, v]) => [v, k]));
    for (const issue of parsed.error.issues) {
      const path = issue.path.join('.');
      const envName = back[path] ?? back[issue.path.slice(0, -1).join('.')] ?? back[String(issue.path[0])];
      problems.push(`${envName ?? path}${envName ? ` (${path})` : ''}: ${issue.message}`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return Object.freeze(parsed.data!) as Config;
}
