/** `tollgate usage` — token and cost totals for an org, overall and per model; `--events` exports every event. */
import type { Command } from 'commander';
import { usageByUpstream, usageReport } from '../../usage/report.ts';
import { exportEvents } from '../../usage/export.ts';
import { withContext } from '../context.ts';
import { print, table } from '../output.ts';

/**
 * A bound: `YYYY-MM-DD` (00:00 UTC) or ISO 8601 with a time of day (`2026-11-30T23:30:00Z`,
 * an offset, or no zone = UTC). Returns epoch ms.
 */
export function parseBound(s: string, flag: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/.exec(s.trim());
  const t = m ? Date.parse(m[2] ? `${m[1]}T${m[2]}${m[3] ?? 'Z'}` : `${m[1]}T00:00:00Z`) : NaN;
  if (!m || Number.isNaN(t) || (!m[2] && new Date(t).toISOString().slice(0, 10) !== m[1])) {
    throw new Error(`${flag}: expected a date YYYY-MM-DD or an ISO 8601 time such as 2026-11-30T23:30:00Z, got ${s}`);
  }
  return t;
}

const isMidnight = (ms: number) => ms % 86_400_000 === 0;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function registerUsage(program: Command): void {
  program
    .command('usage')
    .description('usage and cost for an org (UTC; --since inclusive, --until exclusive; a time of day is kept); --events exports every event')
    .requiredOption('--org <org>', 'org id')
    .option('--since <time>', 'YYYY-MM-DD or ISO 8601 time')
    .option('--until <time>', 'YYYY-MM-DD or ISO 8601 time')
    .option('--workspace <ws>', 'one workspace')
    .option('--key <key_id>', 'one key')
    .option('--margin', 'show upstream cost, revenue and margin')
    .option('--by <what>', 'break down by model (default) or upstream (the upstream that served each request, with its attempts)', 'model')
    .option('--events', 'every event of the period instead of totals (streamed)')
    .option('--format <csv|jsonl>', 'with --events: csv (default) or jsonl')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async ({ store }) => {
        const since = o.since === undefined ? undefined : parseBound(o.since, '--since');
        const until = o.until === undefined ? undefined : parseBound(o.until, '--until');
        if (since !== undefined && until !== undefined && since >= until) {
          throw new Error(`--since (${new Date(since).toISOString()}) must be before --until (${new Date(until).toISOString()}); --until is exclusive`);
        }
        if (o.events) {
          const format = o.format ?? 'csv';
          if (format !== 'csv' && format !== 'jsonl') throw new Error(`--format: csv or jsonl, got ${format}`);
          await exportEvents(store.db, { orgId: o.org, sinceMs: since, untilMs: until, format }, process.stdout);
          return;
        }
        if (o.format) throw new Error('--format applies to --events');
        if (o.by !== 'model' && o.by !== 'upstream') throw new Error(`--by: model or upstream, got ${o.by}`);
        if (o.by === 'upstream') {
          if (o.workspace || o.key) throw new Error('--by upstream reports a whole org (no --workspace / --key)');
          if ((since !== undefined && !isMidnight(since)) || (until !== undefined && !isMidnight(until)))
            throw new Error('--by upstream reads whole UTC days: give --since/--until as YYYY-MM-DD');
          const rows = await usageByUpstream(store.db, {
            orgId: o.org,
            since: since === undefined ? undefined : dayOf(since),
            until: until === undefined ? undefined : dayOf(until),
          });
          // biome-ignore lint/suspicious/noExplicitAny: CLI printing of rows whose shapes differ by source; output only
          const out = { org_id: o.org, by_upstream: o.margin ? rows : rows.map(({ upstream_cost_usd, margin_usd, ...r }: any) => r) };
          return print(o.json, out, () => table(out.by_upstream));
        }
        // Whole UTC days read the daily rollups; a time of day reads the events.
        const days = (since === undefined || isMidnight(since)) && (until === undefined || isMidnight(until));
        const r = await usageReport(store.db, {
          orgId: o.org,
          workspaceId: o.workspace,
          keyId: o.key,
          ...(days
            ? { since: since === undefined ? undefined : dayOf(since), until: until === undefined ? undefined : dayOf(until) }
            : { sinceMs: since, untilMs: until }),
        });
        // biome-ignore lint/suspicious/noExplicitAny: CLI printing of rows whose shapes differ by source; output only
        const strip = (x: any) => {
          if (o.margin) return x;
          const { upstream_cost_usd, margin_usd, revenue_usd, ...rest } = x;
          return rest;
        };
        const out = { ...strip(r), by_model: r.by_model.map(strip) };
        print(o.json, out, () =>
          [
            `requests ${r.requests} (estimated ${r.estimated_requests}: $${r.estimated_cost_usd}; anomalies ${r.anomaly_requests}: $${r.anomaly_cost_usd}; simulated ${r.simulated_requests}: $${r.simulated_cost_usd})`,
            `input ${r.input_tokens}, output ${r.output_tokens}, cache writes 5m ${r.cache_write_5m_input_tokens} / 1h ${r.cache_write_1h_input_tokens}, cache reads ${r.cache_read_input_tokens}`,
            `web search ${r.web_search_requests}, web fetch ${r.web_fetch_requests}, code execution ${r.code_execution_requests}`,
            `cost $${r.cost_usd}${o.margin ? ` (revenue $${r.revenue_usd}, upstream $${r.upstream_cost_usd}, margin $${r.margin_usd})` : ''}`,
            '',
            table(out.by_model, [
              'model',
              'requests',
              'input_tokens',
              'output_tokens',
              'cache_write_5m_input_tokens',
              'cache_write_1h_input_tokens',
              'cache_read_input_tokens',
              'web_search_requests',
              'estimated_requests',
              'anomaly_requests',
              'simulated_requests',
              'cost_usd',
            ]),
          ].join('\n'),
        );
      }),
    );
}
