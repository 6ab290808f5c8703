/**
 * Wires the gateway together: store, catalog, caches, upstreams, admission, usage writer and the
 * HTTP server. `main()` calls this; so do the tests (with an injected clock and logger).
 */
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { AccountsService } from './accounts/service.ts';
import { KeyCache } from './accounts/key-cache.ts';
import { ConfigError, isSimulatedUpstream, simulatorAllowed, type Config } from './config/config.ts';
import { systemClock, type Clock } from './core/clock.ts';
import { createLogger } from './core/logger.ts';
import { PolicyStore } from './limits/policy.ts';
import { buildGovernance } from './limits/build-governance.ts';
import { loadDefaultCatalog } from './pricing/catalog/index.ts';
import { ModelRegistry } from './pricing/models.ts';
import { PriceBook } from './pricing/price-book.ts';
import { PricingService } from './pricing/service.ts';
import { UpstreamRouter } from './providers/router.ts';
import { startSimulator } from './providers/simulator/index.ts';
import type { UpstreamConfig } from './providers/types.ts';
import { UpstreamService } from './providers/service.ts';
import { SecretBox, SecretBoxError } from './core/secret-box.ts';
import { AuthThrottle } from './limits/guards/auth-throttle.ts';
import { ConcurrencyLimiter } from './limits/guards/concurrency.ts';
import { createHttpServer } from './http/server.ts';
import { IdempotencyCache, IDEMPOTENCY_TTL_MS } from './exchange/idempotency.ts';
import { gatewayRoutes } from './routes.ts';
import type { Runtime } from './exchange/runtime.ts';
import { ChangeFeed, lastChangeId } from './store/change-log.ts';
import { housekeeping } from './store/housekeeping.ts';
import { openStore, type Store } from './store/connect.ts';
import { migrate, missingMigrations } from './store/migrate.ts';
import { sql } from 'kysely';
import { Lifecycle } from './http/lifecycle.ts';
import { Metrics } from './telemetry/metrics.ts';
import { Telemetry } from './telemetry/telemetry.ts';
import { startTracing } from './telemetry/tracing.ts';
import { UsageWriter } from './usage/writer.ts';
import { deadLetterSink, probeStore } from './usage/dead-letters.ts';
import { UsageSpool, spoolDirFor } from './usage/spool.ts';
import { AlertService } from './billing/alerts/index.ts';
import { OperatorAlerts } from './billing/alerts/operator.ts';
import { AutoReloader, BillingSettings } from './billing/auto-reload.ts';
import { expireCredits } from './billing/expiry.ts';
import { attachBilling } from './billing/context.ts';
import { BillingRuntime } from './billing/runtime.ts';
import { StripeProvider } from './billing/stripe/provider.ts';
import { DEFAULT_LOW_BALANCE, spendHooks } from './billing/spend-hooks.ts';
import { attachAccounts, createAccounts } from './accounts/context.ts';

export interface GatewayOptions {
  clock?: Clock;
  logger?: Logger;
}

export interface Gateway {
  url: string;
  port: number;
  rt: Runtime;
  store: Store;
  simulatorUrl?: string;
  /** Card payments, invoices and collections (tests call `billing.tick()`). */
  billing: BillingRuntime;
  /** Reloads every cache now (tests; the server also polls the change log). */
  refresh(): Promise<void>;
  /** Graceful stop: refuse new connections, let requests and streams finish (up to `graceMs`, default the config's), then close. */
  shutdown(graceMs?: number): Promise<{ cut: boolean }>;
  close(): Promise<void>;
}

function upstreamsFromConfig(config: Config): UpstreamConfig[] {
  const ups: UpstreamConfig[] = [...config.upstreams];
  if (config.anthropic.apiKey)
    ups.push({ name: 'anthropic', kind: 'anthropic', baseUrl: config.anthropic.baseUrl, apiKey: config.anthropic.apiKey, models: '*' });
  if (config.openai.apiKey) ups.push({ name: 'openai', kind: 'openai', baseUrl: config.openai.baseUrl, apiKey: config.openai.apiKey, models: '*' });
  return ups;
}

export async function startGateway(config: Config, opts: GatewayOptions = {}): Promise<Gateway> {
  const clock = opts.clock ?? systemClock;
  const log = opts.logger ?? createLogger(config.logLevel, undefined, config.logFormat);
  const store = await openStore(config.databaseUrl, { backgroundCheckpoints: true });
  await migrate(store);

  const catalog = loadDefaultCatalog();
  const pricing = new PricingService(store.db, clock);
  await pricing.seedCatalog(catalog.prices, catalog.takenAt, catalog.extraRows);
  const accounts = new AccountsService(store.db, clock);
  const keys = new KeyCache(accounts, { negativeTtlMs: config.guards.keyNegativeCacheMs, clock });

  let models = new ModelRegistry(catalog.models);
  let prices = new PriceBook();
  const reloadPrices = async () => {
    const [rows, aliases, adjustments] = await Promise.all([pricing.loadRows(), pricing.loadAliases(), pricing.loadAdjustments()]);
    prices = new PriceBook(rows, adjustments);
    models = new ModelRegistry(catalog.models, aliases, prices.models());
  };
  await reloadPrices();
  // Keys load in the background, a page at a time (a million keys take seconds): until a key is
  // loaded, its first use looks it up in the database, so the gateway can serve from the start.
  const keysWarm = keys.warm().then(
    (n) => log.debug({ keys: n }, 'key cache warm'),
    (e) => log.error({ err: e }, 'key cache warm-up failed (keys are looked up on first use)'),
  );

  const box = config.masterKey ? new SecretBox(config.masterKey) : undefined;
  const upstreamSvc = new UpstreamService(store.db, box, clock);
  const alerts = new AlertService(store.db, { clock, log, smtp: config.smtp, box });
  // Sealed secrets that cannot be opened stop the start: never call an upstream without its key.
  try {
    const { resealed } = await upstreamSvc.prepare();
    if (resealed) log.info({ resealed }, 'upstream keys re-sealed, bound to their rows');
    const w = await alerts.prepareSecrets();
    if (w.sealed) log.info({ sealed: w.sealed }, 'webhook signing secrets sealed');
    if (w.plain) log.warn({ plain: w.plain }, 'webhook signing secrets are stored in the clear: set TOLLGATE_MASTER_KEY to seal them');
  } catch (e) {
    await store.close();
    if (e instanceof SecretBoxError) throw new ConfigError([`TOLLGATE_MASTER_KEY: ${e.message}`]);
    throw e;
  }
  let simulator: Awaited<ReturnType<typeof startSimulator>> | undefined;
  let upstreams: UpstreamConfig[] = [];
  const loadUpstreams = async () => {
    const configured = [...upstreamsFromConfig(config), ...(await upstreamSvc.loadConfigs())];
    if (configured.length) return configured;
    if (!simulatorAllowed(config)) return [];
    if (!simulator) {
      simulator = await startSimulator({ port: 0, clock });
      log.warn(
        { simulator: simulator.url },
        'no provider key configured: serving every model from the built-in SIMULATED upstream (set ANTHROPIC_API_KEY / OPENAI_API_KEY for real models)',
      );
    }
    return [
      { name: 'simulator', kind: 'anthropic', baseUrl: simulator.url, models: '*' as const },
      { name: 'simulator-openai', kind: 'simulator', baseUrl: `${simulator.url}/v1`, models: '*' as const },
    ];
  };
  upstreams = await loadUpstreams();
  const router = new UpstreamRouter(upstreams, { clock, breaker: config.pool.breaker });
  let wsPolicies = await accounts.workspacePolicies();
  const reloadWsPolicies = async () => {
    wsPolicies = await accounts.workspacePolicies();
  };
  const reloadUpstreams = async () => {
    try {
      upstreams = await loadUpstreams();
      router.setUpstreams(upstreams);
    } catch (e) {
      // A row changed under us that does not open (tampered, or sealed with another key): keep the old set.
      if (e instanceof SecretBoxError) log.error({ err: e.message }, 'upstreams not reloaded: a sealed key does not open');
      else throw e;
    }
  };
  const operatorAlerts = new OperatorAlerts({ ...config.operatorAlerts, smtp: config.smtp, db: store.db, clock, log });
  const usage = new UsageWriter(store, log, {
    probe: probeStore(store),
    deadLetter: deadLetterSink(store, clock),
    spool: new UsageSpool(spoolDirFor(config.spoolDir, config.databaseUrl, store.dialect === 'sqlite'), config.databaseUrl),
    onDeadLetter: (row, err) =>
      operatorAlerts.report({
        kind: 'usage_dead_letter',
        orgId: String(row.org_id),
        requestId: String(row.id),
        detail: `The database refused a usage event (${String((err as Error)?.message ?? err).slice(0, 200)}); it is kept in usage_dead_letters: inspect and replay with \`tollgate usage dead-letters --replay\`.`,
      }),
    onSpooled: (rows) =>
      operatorAlerts.report({
        kind: 'usage_spooled',
        orgId: String(rows[0]!.org_id),
        requestId: String(rows[0]!.id),
        detail: `The database is unreachable: ${rows.length} usage event(s) were written to the local spool; new requests get 503 until it is back.`,
      }),
  });
  // Events a crashed or killed predecessor left in the spool reach the database before anything is served.
  const replayed = await usage.replaySpool();
  if (replayed) log.warn({ events: replayed }, 'usage events replayed from the spool');
  const policy = new PolicyStore(store.db);
  await policy.reloadAll();
  alerts.start();
  const settings = new BillingSettings(store.db, clock);
  await settings.reload();
  const billing = new BillingRuntime({ config, db: store.db, clock, log, alerts, operatorAlerts, baseUrl: `http://${config.host}:${config.port}` });
  await billing.holds.reload();
  // Auto-reload charges a card (Stripe) or does nothing: the manual provider collects no money.
  const reloader = new AutoReloader(settings, billing.stripe ? new StripeProvider(billing) : null, log);
  const gov = await buildGovernance({
    config,
    clock,
    log,
    policy,
    usage,
    billingHold: billing.holds.refusal,
    hooks: (holds) => spendHooks({ alerts, policy, holds, keys, settings, reloader, log, defaultLowBalance: DEFAULT_LOW_BALANCE }),
  });
  const admission = gov.governance;
  const limiterDown = {
    admit: () => {
      throw new Error('Redis unreachable');
    },
  };
  const runExpiry = () => expireCredits(store.db, clock.now()).catch((e) => log.error({ err: e }, 'credit expiry failed'));
  await runExpiry();
  const expiryTimer = setInterval(runExpiry, 60_000);
  expiryTimer.unref();

  const prune = () =>
    housekeeping(store.db, clock.now(), { changeLogRetentionMs: config.changeLogRetentionHours * 3_600_000, idempotencyTtlMs: IDEMPOTENCY_TTL_MS }).catch((e) =>
      log.error({ err: e }, 'pruning the change log failed'),
    );
  await prune();
  const pruneTimer = setInterval(prune, 3_600_000);
  pruneTimer.unref();

  const rt: Runtime = {
    config,
    clock,
    log,
    keys,
    router,
    usage,
    db: store.db,
    idempotency: new IdempotencyCache(store.db, clock),
    guards: {
      authFailures: new AuthThrottle({ burst: config.guards.authFailureBurst, perMinute: config.guards.authFailuresPerMinute, clock }),
      concurrency: new ConcurrencyLimiter(config.guards.maxConcurrentPerOrg),
    },
    models: () => models,
    prices: () => prices,
    workspacePolicy: (id) => wsPolicies.get(id),
    // While Redis is known to be unreachable, no request waits for its reconnection attempts:
    // the per-instance fallback admits at once (fail open), or admission fails at once (503).
    admission: () => (gov.redisDown() ? (gov.fallback ?? limiterDown) : admission),
    admissionFallback: () => gov.fallback,
  };
  rt.operatorAlerts = operatorAlerts;
  attachBilling(rt, billing);
  const accountsCtx = await createAccounts({ config, db: store.db, clock, log, listenUrl: `http://${config.host}:${config.port}` });
  attachAccounts(rt, accountsCtx);
  const metrics =
    config.adminToken || config.metrics.token
      ? new Metrics({
          orgLabel: config.metrics.orgLabel,
          gauges: {
            usagePending: () => usage.pending,
            usageLagMs: () => usage.lagMs,
            usageWritten: () => usage.written,
            // Circuit breakers (src/providers/health.ts), one gauge per upstream.
            upstreams: () => router.snapshot(),
          },
        })
      : null;
  const tracing = await startTracing({
    endpoint: config.otel.endpoint,
    tracesEndpoint: config.otel.tracesEndpoint,
    serviceName: config.otel.serviceName,
    captureContent: config.otel.captureContent,
    headers: config.otel.headers
      ? Object.fromEntries(
          config.otel.headers
            .split(',')
            .map((kv) => kv.split('=').map((s) => decodeURIComponent(s.trim())))
            .filter((kv) => kv.length === 2 && kv[0]),
        )
      : undefined,
  });
  const telemetry = new Telemetry(metrics, tracing);
  if (telemetry.enabled) rt.telemetry = telemetry;
  const billingTimer = setInterval(() => {
    void billing.tick().catch((e) => log.error({ err: e }, 'billing jobs failed'));
  }, config.billing.tickMs);
  billingTimer.unref();

  const feed = new ChangeFeed(store.db, await lastChangeId(store.db), clock);
  const refresh = async () => {
    await runExpiry();
    await Promise.all([
      keys.reload(),
      reloadPrices(),
      policy.reloadAll(),
      reloadWsPolicies(),
      settings.reload(),
      reloadUpstreams(),
      usage.flush(),
      accounts.touchKeys(keys.takeLastUsed()),
      billing.holds.reload(),
    ]);
  };
  let polling = false;
  const poll = setInterval(async () => {
    if (polling) return;
    polling = true;
    try {
      // Incremental: each change names its row, and only that row is re-read.
      for (let more = true; more; ) {
        const batch = await feed.poll();
        more = batch.more;
        if (!batch.changes.length) break;
        const domains = new Set(batch.changes.map((c) => c.what));
        const jobs: Promise<unknown>[] = [];
        if (domains.has('keys') || domains.has('orgs')) jobs.push(keys.applyChanges(batch.changes));
        if (domains.has('prices')) jobs.push(reloadPrices());
        if (domains.has('limits')) jobs.push(policy.applyLimitChanges(batch.changes.filter((c) => c.what === 'limits').map((c) => c.ref)));
        if (domains.has('orgs')) jobs.push(policy.reloadWorkspaceRates(), reloadWsPolicies());
        if (domains.has('credits')) jobs.push(policy.reloadCredits(), settings.reload());
        if (domains.has('upstreams')) jobs.push(reloadUpstreams());
        if (domains.has('billing')) jobs.push(billing.holds.reload());
        await Promise.all(jobs);
        log.debug({ domains: [...domains], changes: batch.changes.length }, 'reloaded after change');
      }
    } catch (e) {
      log.error({ err: e }, 'change poll failed');
    } finally {
      polling = false;
    }
  }, config.refreshMs);
  poll.unref();
  // All-time spend drives usage tiers; other instances' spend arrives through the database.
  const spendPoll = setInterval(() => {
    void policy.reloadSpend().catch((e) => log.error({ err: e }, 'spend reload failed'));
  }, 30_000);
  spendPoll.unref();
  const touch = setInterval(() => {
    void accounts.touchKeys(keys.takeLastUsed()).catch((e) => log.error({ err: e }, 'last-used update failed'));
  }, 5_000);
  touch.unref();

  const life = new Lifecycle();
  const probe = {
    draining: () => life.draining,
    database: async () => {
      await sql`select 1`.execute(store.db);
    },
    redis: gov.redis
      ? async () => {
          await gov.redis!.ping();
        }
      : undefined,
    missingMigrations: () => missingMigrations(store),
    upstreams: () => ({ count: router.upstreams.length, simulated: simulator !== undefined && router.upstreams.every((u) => u.name.startsWith('simulator')) }),
    usage: () => ({ pending: usage.pending, failing: usage.failing }),
  };
  const server = createHttpServer(rt, gatewayRoutes({ probe, metrics }), life);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  if (!config.billing.publicUrl) accountsCtx.publicUrl = url;
  const simulated = upstreams.some((u) => isSimulatedUpstream(u.name));
  const simulatorState = simulated
    ? 'on'
    : simulatorAllowed(config)
      ? 'standby (a provider is configured)'
      : `off (${config.simulator === 'off' ? 'TOLLGATE_SIMULATOR=off' : 'NODE_ENV=production; TOLLGATE_SIMULATOR=on enables it'})`;
  log.info(
    { url, database: store.dialect, upstreams: upstreams.map((u) => u.name), models: models.all.length, simulator: simulatorState },
    simulated
      ? 'tollgate listening — SIMULATOR ON: answers are fake, marked tollgate-upstream: simulator, never counted as revenue'
      : `tollgate listening (simulator ${simulatorState})`,
  );
  if (!upstreams.length)
    log.warn(
      'no provider configured and the simulator is off: every model request fails until an upstream is added (ANTHROPIC_API_KEY, OPENAI_API_KEY or `tollgate upstream add`)',
    );

  let closed: Promise<void> | undefined;
  const gw: Gateway = {
    url,
    port,
    rt,
    store,
    simulatorUrl: simulator?.url,
    refresh,
    billing,
    async shutdown(graceMs = config.shutdownGraceMs) {
      const r = await life.drain(server, graceMs);
      if (r.cut) log.warn({ graceMs, unfinished: r.left }, 'shutdown deadline passed: open requests and streams were cut (and billed for what they produced)');
      await gw.close();
      return { cut: r.cut };
    },
    close() {
      return (closed ??= doClose());
    },
  };
  return gw;

  async function doClose() {
    await keysWarm;
    clearInterval(poll);
    clearInterval(billingTimer);
    clearInterval(touch);
    clearInterval(spendPoll);
    clearInterval(expiryTimer);
    clearInterval(pruneTimer);
    await new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
    await usage.close();
    await accounts.touchKeys(keys.takeLastUsed()).catch(() => {});
    await router.close();
    await gov.close();
    await alerts.stop();
    await operatorAlerts.idle();
    operatorAlerts.close();
    billing.close();
    accountsCtx.close();
    await simulator?.close();
    await telemetry.shutdown();
    await store.close();
  }
}
