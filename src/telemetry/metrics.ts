/**
 * Prometheus metrics (prom-client) on a registry of our own. Label values are bounded: surfaces,
 * catalog model ids, HTTP statuses, configured upstream names, token kinds — never an org or key
 * unless the operator turns `TOLLGATE_METRICS_ORG_LABEL` on. Children are bound once per label
 * combination and cached, so the hot path is a map lookup and an add.
 *
 * Cost here is a float of USD for dashboards only; billing uses exact pico-USD integers.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RefusalReason } from './obs.ts';

/** Seconds: 0.5 ms … 2 min (proxy overhead at the low end, long generations at the high end). */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** What the gateway adds: 50 µs … 1 s. */
const OVERHEAD_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

export const TOKEN_KINDS = ['input', 'output', 'cache_write_5m', 'cache_write_1h', 'cache_read'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

/** Breaker state numbers (the router's `snapshot()`): 0 closed, 1 half-open, 2 open. */
export const BREAKER_STATE: Record<string, number> = { closed: 0, half_open: 1, 'half-open': 1, open: 2 };

export interface RuntimeGauges {
  usagePending(): number;
  usageLagMs(): number;
  usageWritten(): number;
  /** Per upstream: breaker state and whatever else the router reports (optional). */
  upstreams?(): Array<{ name: string; state?: string; inflight?: number }>;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'surface' | 'model' | 'status'>;
  private readonly duration: Histogram<'surface' | 'stream'>;
  private readonly upstream: Histogram<'upstream'>;
  private readonly overhead: Histogram<'surface' | 'stream'>;
  private readonly ttfb: Histogram<'surface'>;
  private readonly tokens: Counter<string>;
  private readonly cost: Counter<string>;
  private readonly refusals: Counter<'surface' | 'reason'>;
  private readonly upstreamErrors: Counter<'upstream' | 'kind'>;
  readonly inflight: Gauge;
  readonly holds: Gauge;
  private readonly children = new Map<string, object>();

  constructor(readonly opts: { orgLabel?: boolean; gauges?: RuntimeGauges; defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'tollgate_requests_total',
      help: 'Inference requests answered, by surface, model (catalog id; "none" before routing) and HTTP status (499: client left first).',
      labelNames: ['surface', 'model', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'tollgate_request_duration_seconds',
      help: 'Whole request, first byte in to last byte out.',
      labelNames: ['surface', 'stream'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.upstream = new Histogram({
      name: 'tollgate_upstream_duration_seconds',
      help: 'Upstream exchange: request sent to the last body byte received.',
      labelNames: ['upstream'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.overhead = new Histogram({
      name: 'tollgate_gateway_added_seconds',
      help: 'What the gateway adds: whole request minus the upstream exchange.',
      labelNames: ['surface', 'stream'],
      buckets: OVERHEAD_BUCKETS,
      registers,
    });
    this.ttfb = new Histogram({
      name: 'tollgate_time_to_first_byte_seconds',
      help: 'Streams: request in to the first body byte sent.',
      labelNames: ['surface'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    const tenant = opts.orgLabel ? ['org'] : [];
    this.tokens = new Counter({ name: 'tollgate_tokens_total', help: 'Billed tokens by model and kind.', labelNames: ['model', 'kind', ...tenant], registers });
    this.cost = new Counter({
      name: 'tollgate_cost_usd_total',
      help: 'Billed cost in USD by model (a float for dashboards; invoices use exact integers).',
      labelNames: ['model', ...tenant],
      registers,
    });
    this.refusals = new Counter({
      name: 'tollgate_refusals_total',
      help: 'Requests refused by the gateway, by reason (rate, spend, auth, bad_request, unavailable).',
      labelNames: ['surface', 'reason'],
      registers,
    });
    this.upstreamErrors = new Counter({
      name: 'tollgate_upstream_errors_total',
      help: 'Upstream failures: HTTP status of an error reply, or "connect" when no reply came.',
      labelNames: ['upstream', 'kind'],
      registers,
    });
    this.inflight = new Gauge({ name: 'tollgate_inflight_requests', help: 'Inference requests in flight on this instance.', registers });
    this.holds = new Gauge({ name: 'tollgate_spend_holds_outstanding', help: 'Spend reservations held by requests in flight on this instance.', registers });
    const g = opts.gauges;
    if (g) {
      new Gauge({
        name: 'tollgate_usage_queue_depth',
        help: 'Usage events waiting for their group commit.',
        registers,
        collect() {
          this.set(g.usagePending());
        },
      });
      new Gauge({
        name: 'tollgate_usage_queue_lag_seconds',
        help: 'Age of the oldest usage event not yet durable.',
        registers,
        collect() {
          this.set(g.usageLagMs() / 1000);
        },
      });
      new Gauge({
        name: 'tollgate_usage_events_written',
        help: 'Usage events written by this instance since start.',
        registers,
        collect() {
          this.set(g.usageWritten());
        },
      });
      if (g.upstreams) {
        const ups = g.upstreams;
        new Gauge({
          name: 'tollgate_upstream_breaker_state',
          help: 'Circuit breaker per upstream: 0 closed, 1 half-open, 2 open.',
          labelNames: ['upstream'],
          registers,
          collect() {
            this.reset();
            for (const u of ups()) if (u.state !== undefined) this.set({ upstream: u.name }, BREAKER_STATE[u.state] ?? 0);
          },
        });
      }
    }
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  private child<T extends object>(key: string, make: () => T): T {
    let c = this.children.get(key) as T | undefined;
    if (!c) {
      c = make();
      this.children.set(key, c);
    }
    return c;
  }

  request(surface: string, model: string, status: number, stream: boolean, totalMs: number, upstreamMs: number, ttfbMs: number, upstream: string): void {
    const m = model || 'none';
    this.child(`r\0${surface}\0${m}\0${status}`, () => this.requests.labels(surface, m, String(status))).inc();
    const s = stream ? 'true' : 'false';
    this.child<Histogram.Internal<string>>(`d\0${surface}\0${s}`, () => this.duration.labels(surface, s)).observe(totalMs / 1000);
    if (upstreamMs > 0) {
      this.child<Histogram.Internal<string>>(`u\0${upstream}`, () => this.upstream.labels(upstream)).observe(upstreamMs / 1000);
      this.child<Histogram.Internal<string>>(`o\0${surface}\0${s}`, () => this.overhead.labels(surface, s)).observe(Math.max(0, totalMs - upstreamMs) / 1000);
    }
    if (ttfbMs > 0) this.child<Histogram.Internal<string>>(`t\0${surface}`, () => this.ttfb.labels(surface)).observe(ttfbMs / 1000);
  }

  usage(model: string, org: string, counts: Record<TokenKind, number>, costPico: bigint): void {
    const tenant = this.opts.orgLabel ? org : '';
    for (const kind of TOKEN_KINDS) {
      const n = counts[kind];
      if (n > 0)
        this.child(`k\0${model}\0${kind}\0${tenant}`, () => (tenant ? this.tokens.labels(model, kind, tenant) : this.tokens.labels(model, kind))).inc(n);
    }
    if (costPico > 0n)
      this.child(`c\0${model}\0${tenant}`, () => (tenant ? this.cost.labels(model, tenant) : this.cost.labels(model))).inc(Number(costPico) / 1e12);
  }

  refused(surface: string, reason: RefusalReason): void {
    this.child(`x\0${surface}\0${reason}`, () => this.refusals.labels(surface, reason)).inc();
  }

  upstreamError(upstream: string, kind: string): void {
    this.child(`e\0${upstream}\0${kind}`, () => this.upstreamErrors.labels(upstream, kind)).inc();
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
