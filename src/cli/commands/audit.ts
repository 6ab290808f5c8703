/** `tollgate audit` — the append-only audit log: who changed what, before and after, when (newest first). */
import type { Command } from 'commander';
import { listAudit } from '../../audit/log.ts';
import { withContext } from '../context.ts';
import { iso, print, table } from '../output.ts';

const brief = (v: unknown) => {
  if (v == null) return '';
  const s = JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 117)}…` : s;
};

export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description('the audit log: changes to orgs, keys, limits, credits, prices, upstreams and tiers (newest first)')
    .option('--org <org>', "one org's entries (default: every entry, gateway-wide changes included)")
    .option('--limit <n>', 'how many (at most 1000)', '100')
    .option('--before <id>', 'entries older than this id (paging)')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async ({ store }) => {
        const limit = Number(o.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new Error(`--limit: expected 1-1000, got ${o.limit}`);
        if (o.before !== undefined && !/^\d{1,18}$/.test(o.before)) throw new Error(`--before: expected an entry id, got ${o.before}`);
        const entries = await listAudit(store.db, { orgId: o.org, limit, before: o.before === undefined ? undefined : BigInt(o.before) });
        const rows = entries.map((e) => ({
          id: e.id,
          at: iso(e.at),
          org_id: e.orgId,
          actor: e.actor,
          action: e.action,
          target: { type: e.targetType, id: e.targetId },
          before: e.before,
          after: e.after,
          request_id: e.requestId,
          client_ip: e.clientIp,
        }));
        print(o.json, rows, () =>
          table(
            rows.map((r) => ({
              id: r.id,
              at: r.at,
              who: `${r.actor.kind}:${r.actor.id}`,
              action: r.action,
              target: `${r.target.type} ${r.target.id}`,
              before: brief(r.before),
              after: brief(r.after),
            })),
          ),
        );
      }),
    );
}
