/**
 * Admin API — monthly spend limits (calendar month, UTC) and alert thresholds.
 *   GET orgs/{org}/limits   `limits` as `tollgate limits show` prints them, plus `scopes`: the org,
 *                           each workspace and each active key, with its cap (or null) and spend
 *                           this month — what the console draws progress bars from
 *   PUT orgs/{org}/limits   {scope: org|workspace|key, scope_id?, monthly_usd: "25.00" | null, notify?: [50, 80]}
 *                           sets (or, with null, removes) one cap; omitted notify keeps the current thresholds
 */
import { z } from 'zod';
import { AccountsService } from '../accounts/service.ts';
import { Ledger } from '../billing/ledger.ts';
import { monthKey } from '../core/clock.ts';
import { invalidRequest } from '../core/errors.ts';
import { picoToUsd, usdToPico } from '../core/money.ts';
import type { LimitScope } from '../limits/policy.ts';
import { LimitsService } from '../limits/service.ts';
import { dbOf, readJsonBody, sendJson, usdAmount } from './respond.ts';
import type { AdminContext, AdminRoute } from './types.ts';
import { monthSpendByScope } from './usage-query.ts';

const SetLimit = z.strictObject({
  scope: z.enum(['org', 'workspace', 'key']).default('org'),
  scope_id: z.string().min(1).max(100).optional(),
  monthly_usd: z.union([usdAmount, z.null()]),
  notify: z.array(z.number().int('whole percentages').min(1, 'percentages are 1-100').max(100, 'percentages are 1-100')).min(1).max(10).optional(),
});

const usd = (p: bigint | null | undefined) => (p == null ? null : picoToUsd(p));

async function loadLimits({ rt, params }: Pick<AdminContext, 'rt' | 'params'>) {
  const db = dbOf(rt);
  const now = rt.clock.now();
  const orgId = params.org!;
  const month = monthKey(now);
  const accounts = new AccountsService(db, () => now);
  const [org, workspaces, keys, rows, spend, bal] = await Promise.all([
    accounts.requireOrg(orgId), accounts.listWorkspaces(orgId), accounts.listKeys(orgId),
    new LimitsService(db, () => now).list(orgId), monthSpendByScope(db, orgId, month), new Ledger(db, () => now).balance(orgId),
  ]);
  const spentOf = (scope: LimitScope, id: string) => (scope === 'org' ? spend.org : spend[scope].get(id) ?? 0n);
  const limitOf = new Map(rows.map((r) => [`${r.scope}:${r.scope_id}`, r]));
  const limits = rows.map((r) => ({ scope: r.scope, scope_id: r.scope_id, monthly_usd: usd(r.monthly), notify: r.notify, spent_this_month_usd: picoToUsd(spentOf(r.scope, r.scope_id)) }));
  const candidates: Array<{ scope: LimitScope; id: string; name: string; hint?: string }> = [
    { scope: 'org', id: orgId, name: org.name },
    ...workspaces.filter((w) => w.archivedAt == null || limitOf.has(`workspace:${w.id}`)).map((w) => ({ scope: 'workspace' as const, id: w.id, name: w.name })),
    ...keys.filter((k) => k.revokedAt == null || limitOf.has(`key:${k.id}`)).map((k) => ({ scope: 'key' as const, id: k.id, name: k.name, hint: k.hint })),
  ];
  const scopes = candidates.map((c) => {
    const l = limitOf.get(`${c.scope}:${c.id}`);
    return {
      scope: c.scope, scope_id: c.id, name: c.name, ...(c.hint ? { hint: c.hint } : {}),
      monthly_usd: usd(l?.monthly), notify: l?.notify ?? null, spent_this_month_usd: picoToUsd(spentOf(c.scope, c.id)),
    };
  });
  return { org_id: orgId, month, balance_usd: picoToUsd(bal.balance), limits, scopes };
}

async function getLimits(c: AdminContext) {
  sendJson(c.res, c.requestId, 200, await loadLimits(c));
}

async function putLimit(c: AdminContext) {
  const { rt, req, res, requestId, params } = c;
  const body = await readJsonBody(req, SetLimit);
  const orgId = params.org!;
  if (body.scope === 'org' && body.scope_id !== undefined && body.scope_id !== orgId) throw invalidRequest('invalid body: scope_id: an org limit names the org itself (omit scope_id)');
  if (body.scope !== 'org' && body.scope_id === undefined) throw invalidRequest(`invalid body: scope_id: required for a ${body.scope} limit`);
  const scopeId = body.scope === 'org' ? orgId : body.scope_id!;
  const svc = new LimitsService(dbOf(rt), () => rt.clock.now());
  const current = (await svc.list(orgId)).find((l) => l.scope === body.scope && l.scope_id === scopeId);
  const notify = body.notify ?? current?.notify ?? rt.config.defaultNotify;
  await svc.set({ orgId, scope: body.scope, scopeId, monthly: body.monthly_usd === null ? null : usdToPico(body.monthly_usd), notify });
  const after = await loadLimits(c);
  const row = after.scopes.find((s) => s.scope === body.scope && s.scope_id === scopeId);
  sendJson(res, requestId, 200, { org_id: orgId, month: after.month, limit: row ?? null });
}

export const limitRoutes: AdminRoute[] = [
  { method: 'GET', pattern: 'orgs/:org/limits', handler: getLimits },
  { method: 'PUT', pattern: 'orgs/:org/limits', handler: putLimit },
];
