/**
 * Usage breakdowns the shared report (`usage/report.ts`) does not have: per API key and per
 * calendar month. Like the report, they read the daily rollups only (UTC days, `since`
 * inclusive, `until` exclusive) and return the same totals shape, so every breakdown sums
 * exactly to the report's totals.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.ts';
import { big, TOTAL_COLUMNS, totals } from '../usage/report.ts';

export interface Range { orgId: string; since?: string; until?: string; workspaceId?: string; keyId?: string; model?: string }

const COLS = TOTAL_COLUMNS();

/** One aggregated row in the report's totals shape (same field names and rounding). */
export const rowTotals = totals;

function base(db: Kysely<DB>, q: Range) {
  let b = db.selectFrom('usage_daily').where('org_id', '=', q.orgId);
  if (q.workspaceId) b = b.where('workspace_id', '=', q.workspaceId);
  if (q.keyId) b = b.where('key_id', '=', q.keyId);
  if (q.model) b = b.where('model', '=', q.model);
  if (q.since) b = b.where('day', '>=', q.since);
  if (q.until) b = b.where('day', '<', q.until);
  return b;
}

/** Usage per API key of the org, with each key's name and hint (dearest first). */
export async function usageByKey(db: Kysely<DB>, q: Range) {
  // biome-ignore lint/suspicious/noExplicitAny: select list built at run time (TOTAL_COLUMNS), which Kysely cannot type; rows are read through totals()
  const rows = await base(db, q).select(['key_id', ...COLS] as any).groupBy('key_id').execute();
  const keys = await db.selectFrom('api_keys').select(['id', 'name', 'hint', 'workspace_id', 'revoked_at']).where('org_id', '=', q.orgId).execute();
  const byId = new Map(keys.map((k) => [k.id, k]));
  return rows
    // biome-ignore lint/suspicious/noExplicitAny: select list built at run time (TOTAL_COLUMNS), which Kysely cannot type; rows are read through totals()
    .map((r: any) => {
      const k = byId.get(r.key_id);
      return { key_id: r.key_id as string, name: k?.name ?? null, hint: k?.hint ?? null, workspace_id: k?.workspace_id ?? null, revoked: k ? k.revoked_at != null : null, ...rowTotals(r), _cost: BigInt(r.cost ?? 0n) };
    })
    .sort((a, b) => (a._cost === b._cost ? a.key_id.localeCompare(b.key_id) : a._cost < b._cost ? 1 : -1))
    .map(({ _cost, ...rest }) => rest);
}

/** Usage per calendar month (`YYYY-MM`, UTC), oldest first. */
export async function usageByMonth(db: Kysely<DB>, q: Range) {
  // biome-ignore lint/suspicious/noExplicitAny: select list built at run time (TOTAL_COLUMNS), which Kysely cannot type; rows are read through totals()
  const rows = await base(db, q).select(['month', ...COLS] as any).groupBy('month').orderBy('month').execute();
  // biome-ignore lint/suspicious/noExplicitAny: select list built at run time (TOTAL_COLUMNS), which Kysely cannot type; rows are read through totals()
  return rows.map((r: any) => ({ month: r.month as string, ...rowTotals(r) }));
}

/** This month's spend per workspace and per key (pico-USD), for limits against them. */
export async function monthSpendByScope(db: Kysely<DB>, orgId: string, month: string) {
  const b = () => db.selectFrom('usage_daily').where('org_id', '=', orgId).where('month', '=', month);
  const [org, ws, keys] = await Promise.all([
    b().select(big('cost').as('cost')).executeTakeFirst(),
    b().select(['workspace_id', big('cost').as('cost')]).groupBy('workspace_id').execute(),
    b().select(['key_id', big('cost').as('cost')]).groupBy('key_id').execute(),
  ]);
  return {
    // biome-ignore lint/suspicious/noExplicitAny: select list built at run time (TOTAL_COLUMNS), which Kysely cannot type; rows are read through totals()
    org: BigInt((org as any)?.cost ?? 0n),
    // biome-ignore lint/suspicious/noExplicitAny: select list built at run time (TOTAL_COLUMNS), which Kysely cannot type; rows are read through totals()
    workspace: new Map<string, bigint>(ws.map((r: any) => [r.workspace_id as string, BigInt(r.cost)])),
    // biome-ignore lint/suspicious/noExplicitAny: select list built at run time (TOTAL_COLUMNS), which Kysely cannot type; rows are read through totals()
    key: new Map<string, bigint>(keys.map((r: any) => [r.key_id as string, BigInt(r.cost)])),
  };
}
