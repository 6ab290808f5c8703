/**
 * Usage breakdowns the shared report (`usage/report.ts`) does not have: per API key and per
 * calendar month. Like the report, they read the daily rollups only (through usage/daily.ts;
 * UTC days, `since` inclusive, `until` exclusive) and return the same totals shape, so every
 * breakdown sums exactly to the report's totals.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.ts';
import { totals } from '../usage/report.ts';
import { dailyTotalsBy } from '../usage/daily.ts';

export interface Range {
  orgId: string;
  since?: string;
  until?: string;
  workspaceId?: string;
  keyId?: string;
  model?: string;
}

/** One aggregated row in the report's totals shape (same field names and rounding). */
export const rowTotals = totals;

/** Usage per API key of the org, with each key's name and hint (dearest first). */
export async function usageByKey(db: Kysely<DB>, q: Range) {
  const rows = await dailyTotalsBy(db, q, ['key_id']);
  const keys = await db.selectFrom('api_keys').select(['id', 'name', 'hint', 'workspace_id', 'revoked_at']).where('org_id', '=', q.orgId).execute();
  const byId = new Map(keys.map((k) => [k.id, k]));
  return rows
    .map((r) => {
      const keyId = r.key_id as string;
      const k = byId.get(keyId);
      return {
        key_id: keyId,
        name: k?.name ?? null,
        hint: k?.hint ?? null,
        workspace_id: k?.workspace_id ?? null,
        revoked: k ? k.revoked_at != null : null,
        ...rowTotals(r),
        _cost: BigInt((r.cost as bigint | null) ?? 0n),
      };
    })
    .sort((a, b) => (a._cost === b._cost ? a.key_id.localeCompare(b.key_id) : a._cost < b._cost ? 1 : -1))
    .map(({ _cost, ...rest }) => rest);
}

/** Usage per calendar month (`YYYY-MM`, UTC), oldest first. */
export async function usageByMonth(db: Kysely<DB>, q: Range) {
  const rows = await dailyTotalsBy(db, q, ['month']);
  return rows.map((r) => ({ month: r.month as string, ...rowTotals(r) }));
}
