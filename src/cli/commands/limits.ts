/** `tollgate limits set|show` — monthly spend caps and alert thresholds for an org, workspace or key. */
import type { Command } from 'commander';
import { LimitsService, type LimitView } from '../../limits/service.ts';
import { Ledger } from '../../billing/ledger.ts';
import { usdToPico, picoToUsd } from '../../core/money.ts';
import { monthKey } from '../../core/clock.ts';
import { usageReport } from '../../usage/report.ts';
import { withContext } from '../context.ts';
import { print, table } from '../output.ts';

const usd = (p: bigint | null) => (p === null ? null : picoToUsd(p));
/** The cap in force and both layers, as the admin API shows them. */
const layers = (v: LimitView) => ({
  monthly_usd: usd(v.monthly),
  operator_limit_usd: usd(v.ceiling),
  org_limit_usd: usd(v.tenant),
  org_limit_set_by: v.tenant_level,
});

export function registerLimits(program: Command): void {
  const limits = program.command('limits').description('monthly spend limits (calendar month, UTC) and alert thresholds');

  limits
    .command('set')
    .description("set the operator's monthly cap (a ceiling the org can lower but not raise) on the org, or one workspace or key of it")
    .requiredOption('--org <org>', 'org id')
    .option('--workspace <ws>', 'a workspace of the org')
    .option('--key <key_id>', 'an API key of the org')
    .requiredOption('--monthly <usd>', 'the cap in USD ("none" removes it)')
    .option('--notify <percents>', 'alert thresholds, e.g. 50,80', '80')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async ({ store, clock, actor }) => {
        if (o.workspace && o.key) throw new Error('give --workspace or --key, not both');
        const scope = o.workspace ? 'workspace' : o.key ? 'key' : 'org';
        const notify = String(o.notify)
          .split(',')
          .map((s: string) => Number(s.trim()));
        if (notify.some((n: number) => !Number.isInteger(n) || n < 1 || n > 100)) throw new Error(`--notify: expected percentages 1-100, got ${o.notify}`);
        const v = await new LimitsService(store.db, clock, actor).set({
          orgId: o.org,
          scope,
          scopeId: o.workspace ?? o.key ?? o.org,
          monthly: o.monthly === 'none' ? null : usdToPico(o.monthly),
          notify,
        });
        const out = { scope: v.scope, scope_id: v.scope_id, ...layers(v), notify: v.notify };
        print(
          o.json,
          out,
          () =>
            `${out.scope} ${out.scope_id}: operator limit ${out.operator_limit_usd === null ? 'none' : '$' + out.operator_limit_usd} (the org may lower it, never raise it); in force ${out.monthly_usd === null ? 'none' : '$' + out.monthly_usd}; alerts at ${out.notify.join(', ')} %`,
        );
      }),
    );

  limits
    .command('show')
    .description("limits and this month's spend against them")
    .requiredOption('--org <org>', 'org id')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async ({ store, clock, actor }) => {
        const month = monthKey(clock.now());
        const since = `${month}-01`;
        const rows = await new LimitsService(store.db, clock, actor).list(o.org);
        const out: Array<Record<string, unknown>> = [];
        for (const r of rows) {
          const q =
            r.scope === 'org' ? { orgId: o.org } : r.scope === 'workspace' ? { orgId: o.org, workspaceId: r.scope_id } : { orgId: o.org, keyId: r.scope_id };
          const u = await usageReport(store.db, { ...q, since });
          out.push({ scope: r.scope, scope_id: r.scope_id, ...layers(r), notify: r.notify, spent_this_month_usd: u.cost_usd });
        }
        const bal = await new Ledger(store.db, clock, actor).balance(o.org);
        const res = { org_id: o.org, month, balance_usd: picoToUsd(bal.balance), limits: out };
        print(o.json, res, () => `balance $${res.balance_usd} (${month})\n${table(out)}`);
      }),
    );
}
