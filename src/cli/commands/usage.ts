/** `tollgate usage` — token and cost totals for an org, overall and per model. */
import type { Command } from 'commander';
import { usageByUpstream, usageReport } from '../../usage/report.ts';
import { withContext } from '../context.ts';
import { print, table } from '../output.ts';

const day = (s: string | undefined, flag: string) => {
  if (!s) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s.slice(0, 10)) || Number.isNaN(Date.parse(s))) throw new Error(`${flag}: expected a date YYYY-MM-DD, got ${s}`);
  return s.slice(0, 10);
};

export function registerUsage(program: Command): void {
  program.command('usage').description('usage and cost for an org (UTC days; --since inclusive, --until exclusive)')
    .requiredOption('--org <org>', 'org id').option('--since <date>', 'YYYY-MM-DD').option('--until <date>', 'YYYY-MM-DD')
    .option('--workspace <ws>', 'one workspace').option('--key <key_id>', 'one key').option('--margin', 'show upstream cost and margin')
    .option('--by <what>', 'break down by model (default) or upstream (the upstream that served each request, with its attempts)', 'model')
    .option('--json', 'machine-readable output')
    .action((o) => withContext(async ({ store }) => {
      if (o.by !== 'model' && o.by !== 'upstream') throw new Error(`--by: model or upstream, got ${o.by}`);
      if (o.by === 'upstream') {
        if (o.workspace || o.key) throw new Error('--by upstream reports a whole org (no --workspace / --key)');
        const rows = await usageByUpstream(store.db, { orgId: o.org, since: day(o.since, '--since'), until: day(o.until, '--until') });
        const out = { org_id: o.org, by_upstream: o.margin ? rows : rows.map(({ upstream_cost_usd, margin_usd, ...r }) => r) };
        return print(o.json, out, () => table(out.by_upstream));
      }
      const r = await usageReport(store.db, { orgId: o.org, since: day(o.since, '--since'), until: day(o.until, '--until'), workspaceId: o.workspace, keyId: o.key });
      const strip = (x: any) => { if (o.margin) return x; const { upstream_cost_usd, margin_usd, ...rest } = x; return rest; };
      const out = { ...strip(r), by_model: r.by_model.map(strip) };
      print(o.json, out, () => `requests ${r.requests}, input ${r.input_tokens}, output ${r.output_tokens}, cache writes ${r.cache_creation_input_tokens}, cache reads ${r.cache_read_input_tokens}, cost $${r.cost_usd}${o.margin ? ` (upstream $${r.upstream_cost_usd}, margin $${r.margin_usd})` : ''}\n\n${table(out.by_model)}`);
    }));
}
