/**
 * What happens after spend lands (off the hot path): threshold alerts on every capped scope, the
 * limit-reached alert when a request is refused at a cap, the low-balance alert, and auto-reload.
 * Alerts are deduplicated by the alert engine (once per threshold per period, across instances).
 */
import type { Logger } from 'pino';
import type { KeyCache } from '../accounts/key-cache.ts';
import { usdToPico } from '../core/money.ts';
import type { SpendEvent } from '../limits/governance.ts';
import type { LimitScope, PolicyStore } from '../limits/policy.ts';
import type { SpendHolds } from '../limits/spend/index.ts';
import { decode } from '../limits/spend-account.ts';
import { crossedThresholds, type AlertService } from './alerts/index.ts';
import type { AutoReloader, BillingSettings } from './auto-reload.ts';

export interface SpendHookDeps {
  alerts: AlertService;
  policy: PolicyStore;
  holds: SpendHolds;
  keys: KeyCache;
  settings: BillingSettings;
  reloader: AutoReloader;
  log: Logger;
  /** Low-balance alert level when an org sets none. */
  defaultLowBalance: bigint;
}

export function spendHooks(d: SpendHookDeps) {
  const fail = (e: unknown) => d.log.error({ err: e }, 'spend hook failed');
  // Levels already alerted by this process (the alert engine dedupes across processes). Comparing
  // the settled total with each level — rather than "before vs after" of one request — cannot miss
  // a crossing when concurrent settlements interleave.
  let fired = new Set<string>();
  const firstTime = (k: string) => {
    if (fired.has(k)) return false;
    if (fired.size > 100_000) fired = new Set();
    fired.add(k);
    return true;
  };

  async function afterSpend(e: SpendEvent): Promise<void> {
    const orgId = e.principal.org.id;
    const orgName = d.keys.org(orgId)?.name;
    for (const a of e.accounts) {
      const acct = decode(a.key);
      if (acct.kind === 'month') {
        const { scope } = acct;
        const limit = d.policy.limit(scope, acct.id);
        if (!limit?.monthly) continue;
        const spent = (await d.holds.snapshot(a.key)).used;
        for (const t of crossedThresholds(0n, spent, limit.monthly, limit.notify)) {
          if (!firstTime(`${a.key}:${limit.monthly}:${t}`)) continue;
          await d.alerts.notify({
            orgId,
            orgName,
            scope,
            scopeId: acct.id,
            period: e.month,
            kind: t >= 100 ? 'limit_reached' : 'threshold',
            threshold: t,
            spentPico: spent,
            limitPico: limit.monthly,
          });
        }
      } else {
        const credits = d.policy.creditTotal(orgId);
        // The account is rebased (limits/policy.ts creditAccountFor): its cap minus its used is the balance.
        const balance = (a.cap ?? credits) - (await d.holds.snapshot(a.key)).used;
        const low = d.settings.get(orgId)?.lowBalance ?? d.defaultLowBalance;
        if (balance < low && firstTime(`low:${orgId}:${credits}:${low}`)) {
          // Re-armed by every top-up: the period is the credit total the dip happened at.
          await d.alerts.notify({
            orgId,
            orgName,
            scope: 'credits',
            scopeId: orgId,
            period: `credits:${credits}`,
            kind: 'credits_low',
            threshold: low,
            spentPico: credits - balance,
            limitPico: credits,
            balancePico: balance,
          });
        }
        d.reloader.maybeReload(orgId, balance, credits);
      }
    }
  }

  return {
    onSpend: (e: SpendEvent) => {
      afterSpend(e).catch(fail);
    },
    /** A request was refused at a customer-set cap: the limit is reached. */
    onLimitRefused: (orgId: string, scope: LimitScope, scopeId: string, month: string, used: bigint) => {
      const limit = d.policy.limit(scope, scopeId);
      if (!limit?.monthly) return;
      d.alerts
        .notify({
          orgId,
          orgName: d.keys.org(orgId)?.name,
          scope,
          scopeId,
          period: month,
          kind: 'limit_reached',
          threshold: 100,
          spentPico: used,
          limitPico: limit.monthly,
        })
        .catch(fail);
    },
  };
}

export const DEFAULT_LOW_BALANCE = usdToPico('1');
