/**
 * Admin API — usage.
 *   GET orgs/{org}/usage?since=YYYY-MM-DD&until=YYYY-MM-DD&group=model,key,day,month
 *                        &workspace_id=…&key_id=…&model=…   (optional filters, combined with AND)
 *
 * Totals and `by_model` are always present and equal `tollgate usage --org` for the same range
 * (UTC days, `since` inclusive, `until` exclusive). `group` adds `by_key`, `by_day` and/or
 * `by_month` (comma-separated; `model` is accepted and always on). The operator also sees
 * upstream cost and margin (like `--margin`); a tenant never does.
 */
import { z } from 'zod';
import { invalidRequest } from '../core/errors.ts';
import { requireWorkspace } from './auth.ts';
import type { UsageResponse } from './api-types.ts';
import { usageByDay, usageReport } from '../usage/report.ts';
import { dayString, dbOf, readQuery, sendJson } from './respond.ts';
import type { AdminContext, AdminRoute } from './types.ts';
import { usageByKey, usageByMonth } from './usage-query.ts';

const GROUPS = ['model', 'key', 'day', 'month'] as const;

const Query = z.strictObject({
  since: dayString.optional(),
  until: dayString.optional(),
  workspace_id: z.string().min(1).max(100).optional(),
  key_id: z.string().min(1).max(100).optional(),
  model: z.string().min(1).max(200).optional(),
  group: z
    .string()
    .optional()
    .transform((s, ctx) => {
      const parts = (s ?? 'model')
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
      const bad = parts.filter((p) => !(GROUPS as readonly string[]).includes(p));
      if (bad.length) {
        ctx.addIssue({ code: 'custom', message: `unknown group ${bad.join(', ')}; use ${GROUPS.join(', ')} (comma-separated)` });
        return z.NEVER;
      }
      return new Set(parts);
    }),
});

/** Drops upstream cost and margin (operator-only figures) from a totals row. */
function tenantView(row: Record<string, unknown>): Record<string, unknown> {
  const { upstream_cost_usd: _u, margin_usd: _m, revenue_usd: _r, ...rest } = row;
  return rest;
}

async function getUsage({ rt, req, res, requestId, caller, params }: AdminContext) {
  const q = readQuery(req, Query);
  if (q.since && q.until && q.since >= q.until) throw invalidRequest(`invalid query: since (${q.since}) must be before until (${q.until}); until is exclusive`);
  const db = dbOf(rt);
  const own = caller.kind === 'admin_key' ? (caller.workspaceId ?? undefined) : undefined;
  if (q.workspace_id !== undefined) requireWorkspace(caller, q.workspace_id, `workspace ${q.workspace_id}`);
  const ws = own ?? q.workspace_id;
  const range = { orgId: params.org!, since: q.since, until: q.until, workspaceId: ws, keyId: q.key_id, model: q.model };
  const view = <T extends Record<string, unknown>>(r: T) => (caller.kind === 'operator' ? r : tenantView(r)) as T;
  const report = await usageReport(db, range);
  const out: UsageResponse = {
    org_id: range.orgId,
    ...(ws ? { workspace_id: ws } : {}),
    since: q.since ?? null,
    until: q.until ?? null,
    ...view(report),
    by_model: report.by_model.map(view),
  };
  if (q.group.has('key')) out.by_key = (await usageByKey(db, range)).map(view);
  if (q.group.has('day')) out.by_day = (await usageByDay(db, range)).map(view);
  if (q.group.has('month')) out.by_month = (await usageByMonth(db, range)).map(view);
  sendJson(res, requestId, 200, out);
}

export const usageRoutes: AdminRoute[] = [{ method: 'GET', pattern: 'orgs/:org/usage', permission: 'usage:read', handler: getUsage }];
