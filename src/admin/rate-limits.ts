/**
 * Admin API — rate limits (docs/accounts.md).
 *   GET orgs/{org}/rate-limits → RateLimitsView: the org's tier, its limits per rate class (the
 *   tier's named classes, every class with a custom limit, and every class the org used in the
 *   last hour), what is left in its org-level buckets right now, and what the next tier needs.
 * Bucket levels are read from the live limiter without taking anything (in-process buckets are
 * this instance's; with Redis they are shared).
 */
import type { RateClassView, RateLimitsView } from '../accounts/api-types.ts';
import type { Principal } from '../accounts/key-cache.ts';
import { AccountsService } from '../accounts/service.ts';
import { Ledger } from '../billing/ledger.ts';
import { picoToUsd } from '../core/money.ts';
import type { Governance } from '../limits/governance.ts';
import { parseRateOverride } from '../limits/policy.ts';
import { DEFAULT_RATE_CLASS, limitsFor, tierDefinition, tierForSpend } from '../limits/rate/index.ts';
import { loadTierSchedule } from '../limits/build-governance.ts';
import { modelsUsedSince } from '../usage/events.ts';
import { dbOf, sendJson } from './respond.ts';
import type { AdminContext, AdminRoute } from './types.ts';
import { fixedClock } from '../core/clock.ts';

async function rateLimits(c: AdminContext) {
  c.req.resume();
  const { rt } = c;
  const db = dbOf(rt);
  const now = rt.clock.now();
  const orgId = c.params.org!;
  const org: Principal['org'] = await new AccountsService(db, fixedClock(now)).requireOrg(orgId);
  const schedule = loadTierSchedule(rt.config);
  const spent = (await new Ledger(db, fixedClock(now)).balance(orgId)).usage;
  const tier = org.tierPinned ?? tierForSpend(schedule, spent);
  const def = tierDefinition(schedule, tier);
  const override = parseRateOverride(org.rateLimits);
  const flat = override && ('rpm' in override || 'itpm' in override || 'otpm' in override);
  const used = await modelsUsedSince(db, orgId, now - 3_600_000);
  const classes = new Set<string>([
    ...Object.keys(def.limits),
    ...(override && !flat ? Object.keys(override) : []),
    ...used.map((m) => rt.models().resolve(m)?.rateClass ?? DEFAULT_RATE_CLASS),
  ]);
  const gov = rt.admission() as Partial<Governance>;
  const rows: RateClassView[] = [];
  for (const rc of [...classes].sort()) {
    const peek = gov.peekOrg ? await gov.peekOrg(org, rc) : undefined;
    const l = peek?.limits ?? limitsFor(schedule, tier, rc);
    const snap = peek?.snapshot ?? {};
    rows.push({
      rate_class: rc,
      limits: { rpm: l.rpm ?? 0, input_tpm: l.itpm ?? 0, output_tpm: l.otpm ?? 0 },
      remaining: {
        requests: snap.requests?.remaining ?? l.rpm ?? 0,
        input_tokens: snap.input_tokens?.remaining ?? l.itpm ?? 0,
        output_tokens: snap.output_tokens?.remaining ?? l.otpm ?? 0,
      },
      custom: !!override && (flat || rc in override),
    });
  }
  const next =
    org.tierPinned == null
      ? schedule.tiers.filter((t) => t.minSpendPico > def.minSpendPico).sort((a, b) => (a.minSpendPico < b.minSpendPico ? -1 : 1))[0]
      : undefined;
  const out: RateLimitsView = {
    org_id: orgId,
    tier,
    tier_name: def.name,
    tier_pinned: org.tierPinned != null,
    total_spend_usd: picoToUsd(spent),
    monthly_spend_cap_usd: def.monthlySpendCapPico === null ? null : picoToUsd(def.monthlySpendCapPico),
    classes: rows,
    next_tier: next
      ? {
          tier: next.tier,
          name: next.name,
          min_spend_usd: picoToUsd(next.minSpendPico),
          spend_needed_usd: picoToUsd(next.minSpendPico > spent ? next.minSpendPico - spent : 0n),
          classes: Object.entries(next.limits).map(([rc, l]) => ({ rate_class: rc, rpm: l.rpm, input_tpm: l.itpm, output_tpm: l.otpm })),
        }
      : null,
  };
  sendJson(c.res, c.requestId, 200, out);
}

export const rateLimitRoutes: AdminRoute[] = [{ method: 'GET', pattern: 'orgs/:org/rate-limits', permission: 'limits:read', handler: rateLimits }];
