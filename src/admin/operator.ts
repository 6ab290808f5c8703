/**
 * Admin API — the operator's view of every org (docs/accounts.md).
 *   GET  operator/orgs?q&limit&cursor   OperatorOrgSearch: orgs whose id or name — or a member's email — contains q
 *   GET  operator/signups?limit         SignupList, newest first
 *   POST orgs/{org}/tier                {tier: n | null} pins the usage tier (null: automatic from spend)
 *   POST orgs/{org}/suspend             {reason?} refuses the org's requests (402 org_suspended)
 *   POST orgs/{org}/resume              lifts the suspension (any hold, a billing hold too)
 * Credits (`POST orgs/{org}/credits`) and ceilings (`PUT orgs/{org}/limits`) are their own routes.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import type { OperatorOrgSearch, OperatorOrgView, SignupList, SuspendView } from '../accounts/api-types.ts';
import { AccountsService } from '../accounts/service.ts';
import { recordAudit } from '../audit/log.ts';
import { billingOf } from '../billing/context.ts';
import { liftHold, placeHold } from '../billing/payments/holds.ts';
import { invalidRequest } from '../core/errors.ts';
import { loadTierSchedule } from '../limits/build-governance.ts';
import { dbOf, iso, readJsonBody, readQuery, sendJson } from './respond.ts';
import type { AdminContext, AdminRoute } from './types.ts';

const SearchQuery = z.strictObject({
  q: z.string().trim().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(100).optional(),
});

async function searchOrgs(c: AdminContext) {
  c.req.resume();
  const q = readQuery(c.req, SearchQuery);
  const db = dbOf(c.rt);
  let s = db
    .selectFrom('orgs')
    .selectAll()
    .orderBy('id')
    .limit(q.limit + 1);
  if (q.cursor) s = s.where('id', '>', q.cursor);
  if (q.q) {
    const like = `%${q.q.toLowerCase().replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    const byEmail = db
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select('memberships.org_id')
      .where(sql<boolean>`lower(users.email) like ${like} escape '\\'`);
    s = s.where((eb) =>
      eb.or([
        eb(sql`lower(orgs.id)`, 'like', sql`${like} escape '\\'`),
        eb(sql`lower(orgs.name)`, 'like', sql`${like} escape '\\'`),
        eb('orgs.id', 'in', byEmail),
      ]),
    );
  }
  const rows = await s.execute();
  const page = rows.slice(0, q.limit);
  const ids = page.map((o) => o.id);
  const holds = ids.length ? await db.selectFrom('billing_holds').selectAll().where('org_id', 'in', ids).execute() : [];
  const mem = ids.length
    ? await db
        .selectFrom('memberships')
        .innerJoin('users', 'users.id', 'memberships.user_id')
        .select(['memberships.org_id', 'memberships.role', 'users.email', 'memberships.created_at'])
        .where('memberships.org_id', 'in', ids)
        .orderBy('memberships.created_at')
        .execute()
    : [];
  const orgs: OperatorOrgView[] = page.map((o) => {
    const h = holds.find((x) => x.org_id === o.id);
    const m = mem.filter((x) => x.org_id === o.id);
    return {
      id: o.id,
      name: o.name,
      created_at: iso(Number(o.created_at))!,
      billing_mode: o.billing_mode,
      tier: o.tier_pinned == null ? null : Number(o.tier_pinned),
      tier_pinned: o.tier_pinned != null,
      suspended: h ? { reason: h.reason, since: iso(Number(h.since))! } : null,
      members: m.length,
      owner_email: m.find((x) => x.role === 'owner')?.email ?? null,
    };
  });
  const out: OperatorOrgSearch = { orgs, next_cursor: rows.length > q.limit ? page.at(-1)!.id : null };
  sendJson(c.res, c.requestId, 200, out);
}

async function signups(c: AdminContext) {
  c.req.resume();
  const q = readQuery(c.req, z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(50) }));
  const db = dbOf(c.rt);
  const users = await db.selectFrom('users').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
  const ids = users.map((u) => u.id);
  const owned = ids.length
    ? await db
        .selectFrom('memberships')
        .innerJoin('orgs', 'orgs.id', 'memberships.org_id')
        .select(['memberships.user_id', 'orgs.id', 'orgs.name', 'memberships.created_at'])
        .where('memberships.user_id', 'in', ids)
        .orderBy('memberships.created_at')
        .execute()
    : [];
  const out: SignupList = {
    signups: users.map((u) => {
      const o = owned.find((x) => x.user_id === u.id);
      return {
        user_id: u.id,
        email: u.email,
        created_at: iso(Number(u.created_at))!,
        verified_at: iso(u.verified_at == null ? null : Number(u.verified_at)),
        org_id: o?.id ?? null,
        org_name: o?.name ?? null,
      };
    }),
  };
  sendJson(c.res, c.requestId, 200, out);
}

async function setTier(c: AdminContext) {
  const { tier } = await readJsonBody(c.req, z.strictObject({ tier: z.number().int().min(0).max(1000).nullable() }));
  if (tier !== null && !loadTierSchedule(c.rt.config).tiers.some((t) => t.tier === tier))
    throw invalidRequest(`invalid body: tier: no tier ${tier} in the schedule`);
  const o = await new AccountsService(dbOf(c.rt), c.rt.clock, c.caller.actor).updateOrg(c.params.org!, { tierPinned: tier });
  await c.rt.keys.reloadOrg(o.id);
  sendJson(c.res, c.requestId, 200, { org_id: o.id, tier: o.tierPinned, tier_pinned: o.tierPinned !== null });
}

async function suspendView(c: AdminContext): Promise<SuspendView> {
  const h = await dbOf(c.rt).selectFrom('billing_holds').selectAll().where('org_id', '=', c.params.org!).executeTakeFirst();
  return { org_id: c.params.org!, suspended: h ? { reason: h.reason, since: iso(Number(h.since))! } : null };
}

async function suspend(c: AdminContext) {
  const body = await readJsonBody(c.req, z.strictObject({ reason: z.string().trim().max(500).optional() }));
  const db = dbOf(c.rt);
  const t = c.rt.clock.now();
  await db.transaction().execute(async (trx) => {
    const placed = await placeHold(trx, { orgId: c.params.org!, reason: 'operator', ref: body.reason ?? null, since: t });
    if (placed)
      await recordAudit(trx, c.caller.actor, t, {
        orgId: c.params.org!,
        action: 'org.suspend',
        targetType: 'org',
        targetId: c.params.org!,
        after: { reason: body.reason ?? null },
      });
  });
  await billingOf(c.rt).holds.reload();
  sendJson(c.res, c.requestId, 200, await suspendView(c));
}

async function resume(c: AdminContext) {
  c.req.resume();
  const db = dbOf(c.rt);
  const t = c.rt.clock.now();
  await db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('billing_holds').selectAll().where('org_id', '=', c.params.org!).executeTakeFirst();
    if (await liftHold(trx, c.params.org!, t))
      await recordAudit(trx, c.caller.actor, t, {
        orgId: c.params.org!,
        action: 'org.resume',
        targetType: 'org',
        targetId: c.params.org!,
        before: { reason: before?.reason ?? null },
      });
  });
  await billingOf(c.rt).holds.reload();
  sendJson(c.res, c.requestId, 200, await suspendView(c));
}

export const operatorRoutes: AdminRoute[] = [
  { method: 'GET', pattern: 'operator/orgs', permission: 'orgs:list', handler: searchOrgs },
  { method: 'GET', pattern: 'operator/signups', permission: 'orgs:list', handler: signups },
  { method: 'POST', pattern: 'orgs/:org/tier', permission: 'orgs:manage', handler: setTier },
  { method: 'POST', pattern: 'orgs/:org/suspend', permission: 'orgs:manage', handler: suspend },
  { method: 'POST', pattern: 'orgs/:org/resume', permission: 'orgs:manage', handler: resume },
];
