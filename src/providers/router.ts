/**
 * Routes a model to its pool of upstreams and owns one keep-alive undici Pool per origin.
 *
 * A model's pool is every upstream that serves it (by id or alias), grouped by priority (lower
 * first). A request walks the pool with `attempts(model)`: within the first priority that has an
 * available upstream, one is drawn at random by weight, scaled by the rate-limit headroom the
 * upstream last reported; upstreams whose breaker is open or that are cooling down after a 429 /
 * 529 are skipped. Each upstream's health (breaker, cool-down, latency) lives in `health`, by
 * upstream name, and survives reloads of the upstream list.
 */
import { Pool } from 'undici';
import { DEFAULT_BREAKER, UpstreamHealth, type BreakerOptions, type HealthSnapshot } from './health.ts';
import { anthropicAdapter } from './anthropic/adapter.ts';
import { openaiAdapter } from './openai/adapter.ts';
import type { RoutableModel, UpstreamAdapter, UpstreamConfig, UpstreamTimeouts } from './types.ts';
import { type Clock, systemClock } from '../core/clock.ts';

export function adapterFor(cfg: UpstreamConfig, index = 0): UpstreamAdapter {
  return cfg.kind === 'anthropic' ? anthropicAdapter(cfg, index) : openaiAdapter(cfg, index);
}

export interface RouterOptions {
  clock?: Clock;
  breaker?: Partial<BreakerOptions>;
  /** Uniform [0, 1) (tests inject a sequence). */
  random?: () => number;
}

/** One upstream as `tollgate upstream list --json`, the admin API and the metrics show it. */
export interface UpstreamStatus extends HealthSnapshot {
  name: string;
  kind: string;
  priority: number;
  weight: number;
  timeouts: UpstreamTimeouts;
}

/**
 * A request's walk through its model's pool: each call to `next()` gives an upstream not tried yet.
 * Picking does not touch the upstream's health; the attempt calls `health(name).begin()` when it sends.
 */
export class PoolWalk {
  private tried: UpstreamAdapter[] = [];
  constructor(
    private groups: readonly UpstreamAdapter[][],
    private router: UpstreamRouter,
  ) {}

  get attempts(): number {
    return this.tried.length;
  }

  /** The next upstream to try, or undefined when none is left (or every one left is unavailable). */
  next(): UpstreamAdapter | undefined {
    for (const g of this.groups) {
      if (g.length === 1) {
        const a = g[0]!;
        if (!this.tried.includes(a) && this.router.health(a.name).available()) return this.take(a);
        continue;
      }
      let total = 0;
      const open: Array<[UpstreamAdapter, number]> = [];
      for (const a of g) {
        if (this.tried.includes(a)) continue;
        const h = this.router.health(a.name);
        if (!h.available()) continue;
        const w = a.weight * Math.max(0.05, h.headroom());
        open.push([a, w]);
        total += w;
      }
      if (!open.length) continue;
      let r = this.router.random() * total;
      for (const [a, w] of open) {
        r -= w;
        if (r < 0) return this.take(a);
      }
      return this.take(open[open.length - 1]![0]);
    }
    return undefined;
  }

  /**
   * The first pick: an available upstream, else — every upstream of the pool resting — the one
   * that will be available soonest, so a pool never refuses a request the gateway could forward
   * (a one-upstream model behaves as it would without a pool; the client gets the upstream's own
   * answer). Fallbacks after a failure (`next()`) only go to available upstreams.
   */
  first(): UpstreamAdapter | undefined {
    const a = this.next();
    if (a) return a;
    let best: UpstreamAdapter | undefined;
    let at = Infinity;
    for (const g of this.groups)
      for (const u of g) {
        const t = this.router.health(u.name).availableAt();
        if (t < at) {
          at = t;
          best = u;
        }
      }
    return best && this.take(best);
  }

  /** When the soonest unavailable, untried upstream of the pool can take traffic again (epoch ms). */
  retryAt(): number | undefined {
    let at: number | undefined;
    for (const g of this.groups)
      for (const a of g) {
        if (this.tried.includes(a)) continue;
        const t = this.router.health(a.name).availableAt();
        if (at === undefined || t < at) at = t;
      }
    return at;
  }

  private take(a: UpstreamAdapter): UpstreamAdapter {
    this.tried.push(a);
    return a;
  }
}

export class UpstreamRouter {
  private pools = new Map<string, Pool>();
  private adapters: UpstreamAdapter[];
  private groupsByModel = new Map<string, UpstreamAdapter[][]>();
  private healths = new Map<string, UpstreamHealth>();
  private breaker: BreakerOptions;
  private clock: Clock;
  readonly random: () => number;

  constructor(configs: UpstreamConfig[], opts: RouterOptions = {}) {
    this.adapters = configs.map(adapterFor);
    this.clock = opts.clock ?? systemClock;
    this.breaker = { ...DEFAULT_BREAKER, ...opts.breaker };
    this.random = opts.random ?? Math.random;
  }

  get upstreams(): readonly UpstreamAdapter[] {
    return this.adapters;
  }

  setUpstreams(configs: UpstreamConfig[]): void {
    this.adapters = configs.map(adapterFor);
    this.groupsByModel = new Map();
  }

  /** The upstreams serving a model, grouped by priority (ascending; configuration order within a group). */
  groups(model: RoutableModel): readonly UpstreamAdapter[][] {
    let g = this.groupsByModel.get(model.id);
    if (!g) {
      const serving = this.adapters.filter((a) => a.serves(model)).sort((a, b) => a.priority - b.priority);
      g = [];
      for (const a of serving) {
        const last = g[g.length - 1];
        if (last && last[0]!.priority === a.priority) last.push(a);
        else g.push([a]);
      }
      this.groupsByModel.set(model.id, g);
    }
    return g;
  }

  /** Whether any upstream serves the model. */
  serves(model: RoutableModel): boolean {
    return this.groups(model).length > 0;
  }

  /** The first upstream that serves the model, by priority (health not considered). */
  route(model: RoutableModel): UpstreamAdapter | undefined {
    return this.groups(model)[0]?.[0];
  }

  /** One upstream of each wire format other than `wire` in the model's pool (none in a one-format pool). */
  otherWires(model: RoutableModel, wire: string): UpstreamAdapter[] {
    const out: UpstreamAdapter[] = [];
    for (const g of this.groups(model)) for (const a of g) if (a.wire !== wire && !out.some((o) => o.wire === a.wire)) out.push(a);
    return out;
  }

  /** A fresh walk through the model's pool for one request. */
  attempts(model: RoutableModel): PoolWalk {
    return new PoolWalk(this.groups(model), this);
  }

  health(name: string): UpstreamHealth {
    let h = this.healths.get(name);
    if (!h) {
      h = new UpstreamHealth(this.breaker, this.clock);
      this.healths.set(name, h);
    }
    return h;
  }

  /** Every configured upstream with its breaker state, recent failures and latency. */
  snapshot(): UpstreamStatus[] {
    return this.adapters.map((a) => ({
      name: a.name,
      kind: a.kind,
      priority: a.priority,
      weight: a.weight,
      timeouts: a.timeouts,
      ...this.health(a.name).snapshot(),
    }));
  }

  pool(origin: string): Pool {
    let p = this.pools.get(origin);
    if (!p) {
      p = new Pool(origin, { connections: 256, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 0, bodyTimeout: 0 });
      this.pools.set(origin, p);
    }
    return p;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.close().catch(() => {})));
    this.pools.clear();
  }
}
