/**
 * An org's standing, as `tollgate org show` prints it: tier, the rate limits in force per model
 * class, the last minute's usage against them (from the usage events), credit balance, and this
 * month's spend against each spend limit.
 */
import type { Config } from '../config/config.ts';
import { monthKey, fixedClock } from '../core/clock.ts';
import { picoToUsd } from '../core/money.ts';
import { AccountsService } from '../accounts/service.ts';
import { Ledger } from '../billing/ledger.ts';
import { loadDefaultCatalog } from '../pricing/catalog/index.ts';
import type { Store } from '../store/connect.ts';
import { usageReport } from '../usage/report.ts';
import { usageByModelSince } from '../usage/events.ts';
import { overrideFor, parseRateOverride } from '../limits/policy.ts';
import { limitsFor, tierDefinition, tierForSpend } from '../limits/rate/index.ts';
import { LimitsService } from '../limits/service.ts';
import { loadTierSchedule } from '../limits/build-governance.ts';

export async function orgStatus(config: Config, store: Store, orgId: string, now: number) {
  const accounts = new AccountsService(store.db, fixedClock(now));
  const org = await accounts.requireOrg(orgId);
  const schedule = loadTierSchedule(config);
  const ledger = new Ledger(store.db, fixedClock(now));
  const bal = await ledger.balance(orgId);
  const tier = org.tierPinned ?? tierForSpend(schedule, bal.usage);
  const def = tierDefinition(schedule, tier);
  const override = parseRateOverride(org.rateLimits);

  const catalog = loadDefaultCatalog();
  const classOf = new Map(catalog.models.map((m) => [m.id, m.rateClass]));
  const recent = await usageByModelSince(store.db, orgId, now - 60_000);
  const lastMinute = new Map<string, { requests: number; input_tokens: number; output_tokens: number }>();
  for (const r of recent) {
    const c = classOf.get(r.model) ?? 'default';
    const a = lastMinute.get(c) ?? { requests: 0, input_tokens: 0, output_tokens: 0 };
    a.requests += Number(r.requests);
    a.input_tokens += Number(r.input);
    a.output_tokens += Number(r.output);
    lastMinute.set(c, a);
  }
  const classes = [
    ...new Set([
      ...Object.keys(def.limits),
      ...lastMinute.keys(),
      ...(override && !('rpm' in override || 'itpm' in override || 'otpm' in override) ? Object.keys(override) : []),
    ]),
  ].sort();
  const rate_limits = classes.map((c) => {
    const l = { ...limitsFor(schedule, tier, c), ...(overrideFor(override, c) ?? {}) };
    return {
      rate_class: c,
      rpm: l.rpm,
      input_tpm: l.itpm,
      output_tpm: l.otpm,
      last_minute: lastMinute.get(c) ?? { requests: 0, input_tokens: 0, output_tokens: 0 },
    };
  });

  const month = monthKey(now);
  const monthSpend = await usageReport(store.db, { orgId, since: `${month}-01` });
  const limits = await new LimitsService(store.db, fixedClock(now)).list(orgId);
  return {
    id: org.id,
    name: org.name,
    billing_mode: org.billingMode,
    price_group: org.priceGroup,
    tier,
    tier_name: def.name,
    tier_pinned: org.tierPinned !== null,
    tier_monthly_spend_cap_usd: def.monthlySpendCapPico === null ? null : picoToUsd(def.monthlySpendCapPico),
    total_spend_usd: picoToUsd(bal.usage),
    balance_usd: picoToUsd(bal.balance),
    month,
    month_spend_usd: monthSpend.cost_usd,
    spend_limits: limits.map((l) => ({
      scope: l.scope,
      scope_id: l.scope_id,
      monthly_usd: l.monthly === null ? null : picoToUsd(l.monthly),
      notify: l.notify,
    })),
    rate_limits,
    custom_rate_limits: override,
  };
}
