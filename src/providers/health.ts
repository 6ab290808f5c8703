/**
 * The health of one upstream: a circuit breaker, a cool-down after the upstream refused us
 * (429 / 529 with its retry hint), the rate-limit headroom it last reported, recent failures and
 * latency. Pure state over an injected clock; the router owns one per upstream name.
 *
 * Breaker: closed → open after `failures` consecutive failures, or when at least `minRequests`
 * of the last `window` attempts were made and the share that failed reaches `errorRate`. Open
 * upstreams get no traffic for `openMs`; then one request is let through (half-open): success
 * closes the breaker, failure opens it again for another `openMs`.
 */
import { readRateWindow, type RateWindow } from './rate-headers.ts';
import type { Clock } from '../core/clock.ts';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. */
  failures: number;
  /** Failure share over the recent window that opens it (0..1). */
  errorRate: number;
  /** Attempts remembered for the error rate. */
  window: number;
  /** Fewest attempts in the window before the error rate counts. */
  minRequests: number;
  /** How long an open breaker keeps traffic away before a probe (ms). */
  openMs: number;
}

export const DEFAULT_BREAKER: BreakerOptions = { failures: 5, errorRate: 0.5, window: 20, minRequests: 10, openMs: 30_000 };

export interface FailureRecord {
  at: string;
  reason: string;
}

export interface HealthSnapshot {
  state: BreakerState;
  consecutive_failures: number;
  /** Failure share over the recent attempts (0..1), or null before any attempt. */
  error_rate: number | null;
  attempts: number;
  failures: number;
  recent_failures: FailureRecord[];
  latency_ms: { last: number | null; avg: number | null; p50: number | null; p95: number | null };
  cooling_until: string | null;
  cooling_reason: string | null;
  open_until: string | null;
  rate_limit: { headroom: number; reset_at: string | null } | null;
}

const iso = (ms: number | null) => (ms == null ? null : new Date(ms).toISOString());
const LATENCIES = 64;

export class UpstreamHealth {
  private state: BreakerState = 'closed';
  private consecutive = 0;
  private openUntil = 0;
  private probing = false;
  private outcomes: boolean[] = []; // recent attempts, true = failure
  private recent: FailureRecord[] = [];
  private latencies: number[] = [];
  private latencyAt = 0;
  private coolUntil = 0;
  private coolReason: string | null = null;
  private rate: RateWindow | undefined;
  private rateAt = 0;
  private total = 0;
  private failed = 0;

  constructor(
    private opts: BreakerOptions,
    private clock: Clock,
  ) {}

  /** Whether a request may be sent now (an open breaker past its wait admits one probe). */
  available(): boolean {
    const t = this.clock.now();
    if (this.coolUntil > t) return false;
    // An exhausted window (remaining 0 until its reset) would be refused: leave it alone until then.
    if (this.rate && this.rate.headroom === 0 && this.rate.resetAt != null && this.rate.resetAt > t) return false;
    if (this.state === 'closed') return true;
    if (this.state === 'open') return t >= this.openUntil && !this.probing;
    return !this.probing;
  }

  /** When this upstream becomes available again (epoch ms; 0 = now). */
  availableAt(): number {
    const exhausted = this.rate && this.rate.headroom === 0 && this.rate.resetAt != null ? this.rate.resetAt : 0;
    return Math.max(this.coolUntil, exhausted, this.state === 'closed' ? 0 : this.openUntil);
  }

  /** Share of the most exhausted window the upstream reported (1 when unknown or reset). */
  headroom(): number {
    const r = this.rate;
    if (!r) return 1;
    if (r.resetAt != null && r.resetAt <= this.clock.now()) return 1;
    if (r.resetAt == null && this.clock.now() - this.rateAt > 60_000) return 1;
    return r.headroom;
  }

  /** Called when a request is sent: an open breaker past its wait becomes half-open (one probe). */
  begin(): void {
    if (this.state === 'open' && this.clock.now() >= this.openUntil) this.state = 'half_open';
    if (this.state === 'half_open') this.probing = true;
  }

  success(latencyMs: number, headers?: Record<string, string>): void {
    this.record(false);
    this.consecutive = 0;
    this.state = 'closed';
    this.probing = false;
    this.latencies[this.latencyAt++ % LATENCIES] = latencyMs;
    if (headers) this.observe(headers);
  }

  /** A failure that says something about the upstream's health (refused, reset, timeout, 5xx, 529). */
  failure(reason: string): void {
    this.record(true);
    this.consecutive++;
    this.recent.push({ at: new Date(this.clock.now()).toISOString(), reason });
    if (this.recent.length > 10) this.recent.shift();
    const n = this.outcomes.length;
    const bad = this.outcomes.reduce((s, f) => s + (f ? 1 : 0), 0);
    const tripped = this.consecutive >= this.opts.failures || (n >= this.opts.minRequests && bad / n >= this.opts.errorRate);
    if (this.state === 'half_open' || tripped) {
      this.state = 'open';
      this.openUntil = this.clock.now() + this.opts.openMs;
    }
    this.probing = false;
  }

  /** The upstream refused us for now (429, 529): no traffic until `ms` from now. */
  coolDown(ms: number, reason: string): void {
    const until = this.clock.now() + ms;
    if (until > this.coolUntil) {
      this.coolUntil = until;
      this.coolReason = reason;
    }
    this.recent.push({ at: new Date(this.clock.now()).toISOString(), reason });
    if (this.recent.length > 10) this.recent.shift();
    if (this.state === 'half_open') this.probing = false;
  }

  /** An attempt that ended without a verdict on the upstream (the client went away). */
  release(): void {
    this.probing = false;
  }

  observe(headers: Record<string, string>): void {
    const w = readRateWindow(headers, this.clock.now());
    if (w) {
      this.rate = w;
      this.rateAt = this.clock.now();
    }
  }

  snapshot(): HealthSnapshot {
    const t = this.clock.now();
    const lat = this.latencies
      .filter((x) => x !== undefined)
      .slice()
      .sort((a, b) => a - b);
    const pick = (q: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(q * lat.length))]! : null);
    const n = this.outcomes.length;
    const state = this.state === 'open' && t >= this.openUntil ? 'half_open' : this.state;
    return {
      state,
      consecutive_failures: this.consecutive,
      error_rate: n ? this.outcomes.filter(Boolean).length / n : null,
      attempts: this.total,
      failures: this.failed,
      recent_failures: [...this.recent],
      latency_ms: {
        last: this.latencyAt ? this.latencies[(this.latencyAt - 1) % LATENCIES]! : null,
        avg: lat.length ? Math.round(lat.reduce((s, x) => s + x, 0) / lat.length) : null,
        p50: pick(0.5),
        p95: pick(0.95),
      },
      cooling_until: this.coolUntil > t ? iso(this.coolUntil) : null,
      cooling_reason: this.coolUntil > t ? this.coolReason : null,
      open_until: this.state !== 'closed' && this.openUntil > t ? iso(this.openUntil) : null,
      rate_limit: this.rate ? { headroom: this.headroom(), reset_at: iso(this.rate.resetAt) } : null,
    };
  }

  private record(failed: boolean): void {
    this.total++;
    if (failed) this.failed++;
    this.outcomes.push(failed);
    if (this.outcomes.length > this.opts.window) this.outcomes.shift();
  }
}
