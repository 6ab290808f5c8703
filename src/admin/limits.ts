/**
 * Admin API — monthly spend limits (calendar month, UTC) and alert thresholds.
 *   GET orgs/{org}/limits   `limits` as `tollgate limits show` prints them, plus `scopes`: the org,
 *                           each workspace and each active key, with its cap (or null) and spend
 *                           this month — what the console draws progress bars from. Each shows
 *                           both layers: `operator_limit_usd` (the operator's ceiling) and
 *                           `org_limit_usd` (the org's own), and `monthly_usd`, the one in force.
 *   PUT orgs/{org}/limits   {scope: org|workspace|key, scope_id?, monthly_usd: "25.00" | null, notify?: [50, 80]}
 *                           the operator sets its ceiling; an admin key sets the org's own limit,
 *                           which may be lower than the ceiling but never higher (403), and
 *                           removing it leaves the ceiling in force. A workspace admin key sets
 *                           limits on its workspace and its keys only. Omitted notify keeps the
 *                           current thresholds.
 */
import { z } from 'zod';
import { AccountsService } from '../accounts/service.ts';
import { Ledger } from '../billing/ledger.ts';
import { monthKey, fixedClock } from '../core/clock.ts';
import { invalidRequest, permissionError } from '../core/errors.ts';
import { picoToUsd, usdToPico } from '../core/money.ts';
import type { LimitScope } from '../limits/policy.ts';
import { LimitsService, type LimitLayer, type LimitView } from '../limits/service.ts';
import { requireWorkspace } from './auth.ts';
import { dbOf, readJsonBody, sendJson, usdAmount } from './respond.ts';
import type { AdminContext, AdminRoute } from './types.ts';
import { monthSpendByScope } from '../usage/daily.ts';

const SetLimit = z.strictObject({
  scope: z.enum(['org', 'workspace', 'key']).default('org'),
  scope_id: z.string().min(1).max(100).optional(),
  monthly_usd: z.union([usdAmount, z.null()]),
  notify: z.array(z.number().int('whole percentages').min(1, 'percentages are 1-100').max(100, 'percentages are 1-100')).min(1).max(10).optional(),
});

const usd = (p: bigint | null | undefined) => (p == null ? null : picoToUsd(p));

/** Both layers of a limit and the one in force, as every listing shows them. */
export const layersView = (l: LimitView | undefined) => ({
  monthly_usd: usd(l?.monthly),
  operator_limit_usd: usd(l?.ceiling),
  org_limit_usd: usd(l?.tenant),
  org_limit_set_by: l?.tenant_level ?? null,
});

export async function loadLimits({ rt, params, caller }: Pick<AdminContext, 'rt' | 'params' | 'caller'>) {
  const db = dbOf(rt);
  const now = rt.clock.now();
  const orgId = params.org!;
  const month = monthKey(now);
  const accounts = new AccountsService(db, fixedClock(now));
  const ws = caller.kind === 'admin_key' ? caller.workspaceId : null;
  const [org, workspaces, keys, rows, spend, bal] = await Promise.all([
    accounts.requireOrg(orgId),
    accounts.listWorkspaces(orgId),
    accounts.listKeys(orgId),
    new LimitsService(db, fixedClock(now)).list(orgId),
    monthSpendByScope(db, orgId, month),
    new Ledger(db, fixedClock(now)).balance(orgId),
  ]);
  const keyWs = new Map(keys.map((k) => [k.id, k.workspaceId]));
  const visible = (scope: LimitScope, id: string) => ws === null || (scope === 'workspace' ? id === ws : scope === 'key' ? keyWs.get(id) === ws : false);
  const spentOf = (scope: LimitScope, id: string) => (scope === 'org' ? spend.org : (spend[scope].get(id) ?? 0n));
  const limitOf = new Map(rows.map((r) => [`${r.scope}:${r.scope_id}`, r]));
  const limits = rows
    .filter((r) => visible(r.scope, r.scope_id))
    .map((r) => ({ scope: r.scope, scope_id: r.scope_id, ...layersView(r), notify: r.notify, spent_this_month_usd: picoToUsd(spentOf(r.scope, r.scope_id)) }));
  const candidates: Array<{ scope: LimitScope; id: string; name: string; hint?: string }> = [
    { scope: 'org' as const, id: orgId, name: org.name },
    ...workspaces.filter((w) => w.archivedAt == null || limitOf.has(`workspace:${w.id}`)).map((w) => ({ scope: 'workspace' as const, id: w.id, name: w.name })),
    ...keys.filter((k) => k.revokedAt == null || limitOf.has(`key:${k.id}`)).map((k) => ({ scope: 'key' as const, id: k.id, name: k.name, hint: k.hint })),
  ].filter((c) => visible(c.scope, c.id));
  const scopes = candidates.map((c) => {
    const l = limitOf.get(`${c.scope}:${c.id}`);
    return {
      scope: c.scope,
      scope_id: c.id,
      name: c.name,
      ...(c.hint ? { hint: c.hint } : {}),
      ...layersView(l),
      notify: l?.notify ?? null,
      spent_this_month_usd: picoToUsd(spentOf(c.scope, c.id)),
    };
  });
  return { org_id: orgId, month, ...(ws === null ? { balance_usd: picoToUsd(bal.balance) } : { workspace_id: ws }), limits, scopes };
}

async function getLimits(c: AdminContext) {
  sendJson(c.res, c.requestId, 200, await loadLimits(c));
}

async function putLimit(c: AdminContext) {
  const { rt, req, res, requestId, params, caller } = c;
  const body = await readJsonBody(req, SetLimit);
  const orgId = params.org!;
  if (body.scope === 'org' && body.scope_id !== undefined && body.scope_id !== orgId)
    throw invalidRequest('invalid body: scope_id: an org limit names the org itself (omit scope_id)');
  if (body.scope !== 'org' && body.scope_id === undefined) throw invalidRequest(`invalid body: scope_id: required for a ${body.scope} limit`);
  const scopeId = body.scope === 'org' ? orgId : body.scope_id!;
  const db = dbOf(rt);
  let layer: LimitLayer = 'operator';
  if (caller.kind === 'user') layer = 'org';
  if (caller.kind === 'admin_key') {
    layer = caller.workspaceId === null ? 'org' : 'workspace';
    if (caller.workspaceId !== null) {
      if (body.scope === 'org') throw permissionError("a workspace admin key cannot change the organization's limit");
      if (body.scope === 'workspace') requireWorkspace(caller, scopeId, `workspace ${scopeId}`);
      if (body.scope === 'key') {
        const k = await new AccountsService(db, rt.clock).getKey(scopeId);
        if (k && k.orgId === orgId) requireWorkspace(caller, k.workspaceId, `key ${scopeId}`);
      }
    }
  }
  const svc = new LimitsService(db, rt.clock, caller.actor);
  const current = await svc.get(body.scope, scopeId);
  const notify = body.notify ?? (current && current.org_id === orgId ? current.notify : undefined) ?? rt.config.defaultNotify;
  await svc.set({ orgId, scope: body.scope, scopeId, monthly: body.monthly_usd === null ? null : usdToPico(body.monthly_usd), notify }, layer);
  const after = await loadLimits(c);
  const row = after.scopes.find((s) => s.scope === body.scope && s.scope_id === scopeId);
  sendJson(res, requestId, 200, { org_id: orgId, month: after.month, limit: row ?? null });
}

export const limitRoutes: AdminRoute[] = [
  { method: 'GET', pattern: 'orgs/:org/limits', permission: 'limits:read', handler: getLimits },
  { method: 'PUT', pattern: 'orgs/:org/limits', permission: 'limits:write', handler: putLimit },
];
