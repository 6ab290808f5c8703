/**
 * Admin API — organisations.
 *   GET whoami        the caller: operator, or the org, key and workspace behind an admin key, with its role and permissions (plus the gateway's clock)
 *   GET orgs          every org with its balance and this month's spend (operator only)
 *   GET orgs/{org}    the org's standing, exactly as `tollgate org show` prints it (`orgStatus`)
 */
import { AccountsService } from '../accounts/service.ts';
import { Ledger } from '../billing/ledger.ts';
import { monthKey, fixedClock } from '../core/clock.ts';
import { picoToUsd } from '../core/money.ts';
import { orgStatus } from '../reports/org-status.ts';
import type { Store } from '../store/connect.ts';
import { dbOf, iso, sendJson } from './respond.ts';
import { ROLE_PERMISSIONS } from './permissions.ts';
import type { AdminContext, AdminRoute } from './types.ts';
import type { OrgList, WhoAmI } from './api-types.ts';
import { spendByOrg } from '../usage/daily.ts';

async function whoami({ rt, res, requestId, caller }: AdminContext) {
  const now = rt.clock.now();
  const base = { now: iso(now), month: monthKey(now) };
  if (caller.kind === 'operator')
    return sendJson(res, requestId, 200, { kind: 'operator', role: caller.role, permissions: ROLE_PERMISSIONS[caller.role], ...base } satisfies WhoAmI);
  const org = rt.keys.org(caller.orgId);
  if (caller.kind === 'user') {
    return sendJson(res, requestId, 200, {
      kind: 'user',
      role: caller.role,
      permissions: ROLE_PERMISSIONS[caller.role],
      org_id: caller.orgId,
      org_name: org?.name ?? null,
      user_id: caller.userId,
      email: caller.email,
      verified: caller.verified,
      workspace_id: null,
      ...base,
    } satisfies WhoAmI);
  }
  sendJson(res, requestId, 200, {
    kind: 'admin_key',
    role: caller.role,
    permissions: ROLE_PERMISSIONS[caller.role],
    org_id: caller.orgId,
    org_name: org?.name ?? null,
    key_id: caller.keyId,
    workspace_id: caller.workspaceId,
    ...base,
  } satisfies WhoAmI);
}

async function listOrgs({ rt, res, requestId }: AdminContext) {
  const db = dbOf(rt);
  const now = rt.clock.now();
  const month = monthKey(now);
  const orgs = await new AccountsService(db, fixedClock(now)).listOrgs();
  const credits = await new Ledger(db, fixedClock(now)).creditTotals();
  const [total, thisMonth] = await Promise.all([spendByOrg(db), spendByOrg(db, { month })]);
  const rows = orgs.map((o) => ({
    id: o.id,
    name: o.name,
    billing_mode: o.billingMode,
    created_at: iso(o.createdAt),
    balance_usd: picoToUsd((credits.get(o.id) ?? 0n) - (total.get(o.id) ?? 0n)),
    month_spend_usd: picoToUsd(thisMonth.get(o.id) ?? 0n),
  }));
  sendJson(res, requestId, 200, { month, orgs: rows } satisfies OrgList);
}

async function showOrg({ rt, res, requestId, params }: AdminContext) {
  const db = dbOf(rt);
  // orgStatus only reads `store.db`; the admin API has the Kysely handle, not the Store.
  const store = { db, dialect: 'sqlite', url: '', close: async () => {} } satisfies Store;
  sendJson(res, requestId, 200, await orgStatus(rt.config, store, params.org!, rt.clock.now()));
}

export const orgRoutes: AdminRoute[] = [
  { method: 'GET', pattern: 'whoami', permission: 'self:read', handler: whoami },
  { method: 'GET', pattern: 'orgs', permission: 'orgs:list', handler: listOrgs },
  { method: 'GET', pattern: 'orgs/:org', permission: 'org:read', handler: showOrg },
];
