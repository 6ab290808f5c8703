/**
 * Admin API — API keys (never their secrets, except once at creation).
 *   GET  orgs/{org}/keys         the org's keys, as `tollgate key list` shows them
 *   POST orgs/{org}/keys         {name?, workspace_id?, expires_in_days? | expires_at?} → the key and its secret (`key`), once
 *   POST keys/{key}/revoke       revokes a key of the caller's org (operator: any key)
 *
 * Creation and revocation reload this instance's key cache at once (other instances follow
 * the change log within a second).
 */
import { z } from 'zod';
import { AccountsService, type KeyRecord } from '../accounts/service.ts';
import { invalidRequest, notFound, permissionError } from '../core/errors.ts';
import { dbOf, iso, readJsonBody, sendJson } from './respond.ts';
import type { AdminContext, AdminRoute } from './types.ts';

export function keyView(k: KeyRecord, now: number) {
  return {
    id: k.id, name: k.name, org_id: k.orgId, workspace_id: k.workspaceId, hint: k.hint,
    status: k.revokedAt != null ? 'revoked' : k.expiresAt != null && k.expiresAt <= now ? 'expired' : 'active',
    created_at: iso(k.createdAt), expires_at: iso(k.expiresAt), last_used_at: iso(k.lastUsedAt),
  };
}

const CreateKey = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(100, 'at most 100 characters').optional(),
  workspace_id: z.string().min(1).max(100).optional(),
  expires_in_days: z.number().int('must be a whole number of days').min(1).max(3650).optional(),
  expires_at: z.iso.datetime({ offset: true, message: 'expected an ISO date-time like 2026-12-31T00:00:00Z' }).optional(),
});

async function listKeys({ rt, res, requestId, params }: AdminContext) {
  const now = rt.clock.now();
  const keys = await new AccountsService(dbOf(rt), () => now).listKeys(params.org!);
  sendJson(res, requestId, 200, { org_id: params.org, keys: keys.map((k) => keyView(k, now)) });
}

async function createKey({ rt, req, res, requestId, params }: AdminContext) {
  const body = await readJsonBody(req, CreateKey);
  const now = rt.clock.now();
  if (body.expires_in_days !== undefined && body.expires_at !== undefined) throw invalidRequest('invalid body: give expires_in_days or expires_at, not both');
  let expiresAt: number | null = null;
  if (body.expires_in_days !== undefined) expiresAt = now + body.expires_in_days * 86_400_000;
  if (body.expires_at !== undefined) {
    expiresAt = Date.parse(body.expires_at);
    if (expiresAt <= now) throw invalidRequest('invalid body: expires_at: must be in the future');
  }
  const k = await new AccountsService(dbOf(rt), () => now).createKey({ orgId: params.org!, workspaceId: body.workspace_id, name: body.name ?? 'default', expiresAt });
  await rt.keys.reload();
  sendJson(res, requestId, 201, { ...keyView(k, now), key: k.key });
}

async function revokeKey({ rt, res, requestId, caller, params }: AdminContext) {
  const now = rt.clock.now();
  const accounts = new AccountsService(dbOf(rt), () => now);
  const k = await accounts.getKey(params.key!);
  if (!k) throw notFound(`key ${params.key} not found`);
  if (caller.kind === 'org' && k.orgId !== caller.orgId) throw permissionError('this key belongs to another organization');
  const revoked = await accounts.revokeKey(k.id);
  await rt.keys.reload();
  sendJson(res, requestId, 200, keyView(revoked, now));
}

export const keyRoutes: AdminRoute[] = [
  { method: 'GET', pattern: 'orgs/:org/keys', handler: listKeys },
  { method: 'POST', pattern: 'orgs/:org/keys', handler: createKey },
  { method: 'POST', pattern: 'keys/:key/revoke', handler: revokeKey },
];
