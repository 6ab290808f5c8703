/**
 * Admission with every guarantee on: rate limits (token buckets per org × model class, plus
 * workspace and key buckets where set) and the spend reservation (worst-case cost held against
 * the credit balance and the org / workspace / key monthly caps, settled to the exact cost).
 * One JS turn makes the in-memory check-and-hold atomic; the Redis implementations make it atomic
 * across gateway instances.
 */
import type { Principal } from '../accounts/key-cache.ts';
import { monthKey, nextMonthStart, type Clock } from '../core/clock.ts';
import type { Usage } from '../metering/usage.ts';
import type { Admission, AdmitRequest, Ticket } from './admission.ts';
import { creditAccountFor, monthAccount, overrideFor, parseRateOverride, type PolicyStore } from './policy.ts';
import { decode } from './spend-account.ts';
import {
  bucketRefs,
  buildRateCheck,
  limitsFor,
  rateLimitError,
  tierDefinition,
  tierForSpend,
  type ClassLimits,
  type RateCheck,
  type RateLimiter,
  type RateSnapshot,
  type ScopeLimits,
  type TierSchedule,
} from './rate/index.ts';
import { reserveWithLoad, type HoldAccount, type SpendHolds } from './spend/index.ts';
import { creditBalanceTooLow, tierSpendCapReached, usageLimitReached } from './spend-errors.ts';
import { premiumWorstCase } from './worst-case.ts';
import { invalidRequest } from '../core/errors.ts';
import { formatUsd } from '../core/money.ts';
import { profileOf, type Surface } from '../wire/surface.ts';

const MAX_HOLD = 2n ** 63n - 1n;

export interface SpendEvent {
  principal: Principal;
  cost: bigint;
  month: string;
  /** Capped accounts the request touched, with their cap. */
  accounts: HoldAccount[];
}

export interface GovernanceDeps {
  clock: Clock;
  policy: PolicyStore;
  limiter: RateLimiter;
  holds: SpendHolds;
  schedule: TierSchedule;
  holdTtlMs: number;
  /** Loads an account's settled spend (flushes pending usage first). */
  loadUsed(account: string): Promise<bigint>;
  /** Called after every settlement (alerts, auto-reload); must not throw or block. */
  onSpend?(e: SpendEvent): void;
  /** A request was refused at a customer-set monthly cap (for the limit-reached alert). */
  onLimitRefused?(orgId: string, scope: 'org' | 'workspace' | 'key', scopeId: string, month: string, used: bigint): void;
  /** Background failures (a Redis settle that did not go through…). */
  onError?(e: unknown): void;
  /**
   * Billing hold hook: the refusal for an org suspended for non-payment, or undefined. Read from
   * memory (billing/payments/holds.ts); checked before anything is taken.
   */
  billingHold?(orgId: string): import('../core/errors.ts').GatewayError | undefined;
}

const merge = (base: ClassLimits, o: Partial<ClassLimits> | undefined): Partial<ClassLimits> => (o ? { ...base, ...o } : base);

export class Governance implements Admission {
  constructor(private d: GovernanceDeps) {}

  /** The org's usage tier: pinned, or from all-time spend. */
  tierOf(org: Principal['org']): number {
    return org.tierPinned ?? tierForSpend(this.d.schedule, this.d.policy.totalSpend(org.id));
  }

  rateScopes(p: Principal, rateClass: string, tier = this.tierOf(p.org)): ScopeLimits[] {
    const scopes: ScopeLimits[] = [
      {
        scope: 'organization',
        id: p.org.id,
        limits: merge(limitsFor(this.d.schedule, tier, rateClass), overrideFor(parseRateOverride(p.org.rateLimits), rateClass)),
      },
    ];
    const ws = overrideFor(this.d.policy.workspaceRates(p.key.workspaceId), rateClass);
    if (ws) scopes.push({ scope: 'workspace', id: p.key.workspaceId, limits: ws });
    const k = overrideFor(parseRateOverride(p.key.rateLimits), rateClass);
    if (k) scopes.push({ scope: 'api_key', id: p.key.id, limits: k });
    return scopes;
  }

  /** The org's limits for a rate class and what is left in its org-level buckets now (nothing is taken). */
  async peekOrg(org: Principal['org'], rateClass: string): Promise<{ limits: Partial<ClassLimits>; snapshot: RateSnapshot }> {
    const limits = merge(limitsFor(this.d.schedule, this.tierOf(org), rateClass), overrideFor(parseRateOverride(org.rateLimits), rateClass));
    const check = buildRateCheck(rateClass, [{ scope: 'organization', id: org.id, limits }], 0);
    for (const b of check.buckets) b.cost = 0;
    const d = await this.d.limiter.check(check);
    return { limits, snapshot: d.snapshot };
  }

  async peekHeaders(p: Principal, surface: Surface, rateClass = 'default'): Promise<Record<string, string>> {
    const now = this.d.clock.now();
    const check = buildRateCheck(rateClass, this.rateScopes(p, rateClass), 0);
    for (const b of check.buckets) b.cost = 0;
    const d = await this.d.limiter.check(check);
    return profileOf(surface).rateHeaders(d.snapshot, now);
  }

  async admit(req: AdmitRequest): Promise<Ticket> {
    const { clock, policy, limiter, holds } = this.d;
    const now = clock.now();
    const p = req.principal;

    // 0. An org suspended for non-payment is refused before anything is taken.
    const hold = this.d.billingHold?.(p.org.id);
    if (hold) throw hold;

    // 1. Rate limits.
    const tier = this.tierOf(p.org);
    const check: RateCheck = buildRateCheck(req.model.rateClass, this.rateScopes(p, req.model.rateClass, tier), req.estimatedInputTokens);
    const decision = await limiter.check(check);
    if (!decision.ok) throw rateLimitError(decision, { orgId: p.org.id, model: req.model.id, now, surface: req.surface });
    const headers = profileOf(req.surface).rateHeaders(decision.snapshot, now);
    const bg = (p: Promise<unknown> | unknown) => {
      if (p instanceof Promise) p.catch((e) => this.d.onError?.(e));
    };
    const undoRate = () => {
      bg(limiter.adjust(bucketRefs(check, 'requests'), -1));
      bg(limiter.adjust(bucketRefs(check, 'input_tokens'), -req.estimatedInputTokens));
    };

    // 2. Spend reservation.
    const month = monthKey(now);
    const accounts: HoldAccount[] = [];
    // Post-paid orgs (card: charged monthly; invoice) spend without a credit balance.
    if (p.org.billingMode !== 'invoice' && p.org.billingMode !== 'card') await policy.ensureLapses(p.org.id, now);
    if (p.org.billingMode !== 'invoice' && p.org.billingMode !== 'card') accounts.push(creditAccountFor(p.org.id, policy.creditTotal(p.org.id)));
    const tierCap = p.org.billingMode === 'invoice' ? null : tierDefinition(this.d.schedule, tier).monthlySpendCapPico;
    const orgLimit = policy.limit('org', p.org.id)?.monthly ?? null;
    const orgCap = orgLimit === null ? tierCap : tierCap === null ? orgLimit : orgLimit < tierCap ? orgLimit : tierCap;
    if (orgCap !== null) accounts.push({ key: monthAccount(month, 'org', p.org.id), cap: orgCap });
    const wsCap = policy.limit('workspace', p.key.workspaceId)?.monthly ?? null;
    if (wsCap !== null) accounts.push({ key: monthAccount(month, 'workspace', p.key.workspaceId), cap: wsCap });
    const keyCap = policy.limit('key', p.key.id)?.monthly ?? null;
    if (keyCap !== null) accounts.push({ key: monthAccount(month, 'key', p.key.id), cap: keyCap });

    const maxInput = req.model.contextWindow ? Math.min(req.maxInputTokens, req.model.contextWindow) : req.maxInputTokens;
    // A free call proves good standing by fitting the smallest amount there is (1 pico-USD).
    const worst = req.free ? 1n : premiumWorstCase(req.price, req.model, maxInput, req.maxOutputTokens, req.cacheTtl, req.premium);
    const holdId = req.requestId;
    // No account can hold more than a 64-bit amount (≈ $9.2M): a worst case beyond that (an absurd
    // max_tokens) fits under no cap and no balance.
    if (accounts.length && worst > MAX_HOLD) {
      undoRate();
      throw invalidRequest(`max_tokens: this request's maximum cost is more than ${formatUsd(MAX_HOLD)}, beyond any balance or spend limit; lower max_tokens`, {
        param: 'max_tokens',
        shouldRetry: false,
      });
    }
    if (accounts.length) {
      let r: Awaited<ReturnType<typeof reserveWithLoad>>;
      try {
        r = await reserveWithLoad(holds, { holdId, amount: worst, accounts, ttlMs: this.d.holdTtlMs }, this.d.loadUsed);
      } catch (e) {
        undoRate();
        throw e;
      }
      if (!r.ok) {
        undoRate();
        const headroom = r.cap - r.used - r.held;
        const resume = nextMonthStart(now);
        const refused = decode(r.refusedKey);
        if (refused.kind === 'credit') throw creditBalanceTooLow(headroom, worst);
        if (refused.scope === 'org') {
          if (orgLimit === null || (tierCap !== null && tierCap < orgLimit)) throw tierSpendCapReached(resume);
          this.d.onLimitRefused?.(p.org.id, 'org', p.org.id, month, r.used);
          throw usageLimitReached('org', resume, headroom, worst);
        }
        const scope = refused.scope;
        this.d.onLimitRefused?.(p.org.id, scope, refused.id, month, r.used);
        throw usageLimitReached(scope, resume, headroom, worst);
      }
    }

    let done = false;
    const d = this.d;
    return {
      headers,
      admittedAt: now,
      settle(usage: Usage, cost: bigint) {
        if (done) return;
        done = true;
        // Alerts read the settled totals: they run once the settlement has landed (Redis is async).
        const settled = accounts.length ? holds.settle(holdId, cost) : Promise.resolve();
        bg(settled.then(() => d.onSpend?.({ principal: p, cost, month, accounts })));
        policy.addSpend(p.org.id, cost);
        const actualInput = usage.inputTokens + usage.cacheWrite5mTokens + usage.cacheWrite1hTokens;
        if (actualInput !== req.estimatedInputTokens) bg(limiter.adjust(bucketRefs(check, 'input_tokens'), actualInput - req.estimatedInputTokens));
        if (usage.outputTokens) bg(limiter.record(bucketRefs(check, 'output_tokens'), usage.outputTokens));
      },
      release() {
        if (done) return;
        done = true;
        if (accounts.length) bg(holds.release(holdId));
      },
    };
  }
}
