/**
 * Admin API — the audit log (append-only; newest first).
 *   GET orgs/{org}/audit?limit=100&before=<id>   one org's changes: who (operator, admin key id,
 *                                                CLI user, the gateway), what, before, after, when
 *   GET audit?limit&before                       every entry, gateway-wide changes (prices,
 *                                                upstreams) included (operator only)
 *
 * Page with `before` = the `next_before` of the previous page. Client addresses are shown to the
 * operator only.
 */
import { z } from 'zod';
import { listAudit, type AuditEntry } from '../audit/log.ts';
import { dbOf, iso, readQuery, sendJson } from './respond.ts';
import type { AdminContext, AdminRoute } from './types.ts';

const Query = z.strictObject({
  limit: z.coerce.number().int('a whole number').min(1).max(1000).default(100),
  before: z
    .string()
    .regex(/^\d{1,18}$/, 'an entry id')
    .optional(),
});

export function auditView(e: AuditEntry, operator: boolean) {
  return {
    id: e.id,
    at: iso(e.at),
    org_id: e.orgId,
    actor: e.actor,
    action: e.action,
    target: { type: e.targetType, id: e.targetId },
    before: e.before,
    after: e.after,
    request_id: e.requestId,
    ...(operator ? { client_ip: e.clientIp } : {}),
  };
}

async function page(c: AdminContext, orgId: string | undefined) {
  const q = readQuery(c.req, Query);
  const entries = await listAudit(dbOf(c.rt), { orgId, limit: q.limit, before: q.before === undefined ? undefined : BigInt(q.before) });
  const operator = c.caller.kind === 'operator';
  sendJson(c.res, c.requestId, 200, {
    ...(orgId ? { org_id: orgId } : {}),
    entries: entries.map((e) => auditView(e, operator)),
    next_before: entries.length === q.limit ? entries.at(-1)!.id : null,
  });
}

export const auditRoutes: AdminRoute[] = [
  { method: 'GET', pattern: 'orgs/:org/audit', permission: 'audit:read', handler: (c) => page(c, c.params.org!) },
  { method: 'GET', pattern: 'audit', permission: 'audit:all', handler: (c) => page(c, undefined) },
];
