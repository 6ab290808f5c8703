/**
 * Admin API — API keys (never their secrets, except once at creation).
 *   GET  orgs/{org}/keys         the org's keys, as `tollgate key list` shows them (a workspace admin key: its workspace's)
 *   POST orgs/{org}/keys         {name?, kind?: inference|admin, admin_scope?: org|workspace, workspace_id?,
 *                                 expires_in_days? | expires_at?, models?, max_tokens?, max_tokens_mode?: refuse|clamp,
 *                                 timeout_ms?} → the key and its secret (`key`), once
 *   POST keys/{key}              {name?, models?, max_tokens?, max_tokens_mode?, timeout_ms?} updates a key's name
 *                                and model policy (null clears a field) → the key
 *   POST orgs/{org}/workspaces/{workspace}/policy  {models?, max_tokens?, max_tokens_mode?, timeout_ms?}
 *                                the workspace's model policy (its keys obey it and their own) → {workspace_id, policy}
 *   POST keys/{key}/revoke       revokes a key of the caller's org (operator: any key); revoking a
 *                                workspace admin key revokes the keys it created
 *
 * A key created by a workspace-scoped admin key stays in its workspace and cannot outlive it.
 * Creation and revocation update this instance's key cache at once (other instances follow the
 * change log within a second, and look up a key they do not know yet on its first use).
 */
import { z } from 'zod';
import { policyView } from '../accounts/policy.ts';
import { AccountsService, type KeyRecord, type PolicyPatch } from '../accounts/service.ts';
import { fail, invalidRequest, notFound, permissionError } from '../core/errors.ts';
import { requireWorkspace } from './auth.ts';
import { dbOf, iso, readJsonBody, sendJson } from './respond.ts';
import type { AdminContext, AdminRoute } from './types.ts';

export function keyView(k: KeyRecord, now: number) {
  return {
    id: k.id,
    name: k.name,
    kind: k.kind,
    admin_scope: k.adminScope,
    org_id: k.orgId,
    workspace_id: k.workspaceId,
    hint: k.hint,
    status: k.revokedAt != null ? 'revoked' : k.expiresAt != null && k.expiresAt <= now ? 'expired' : 'active',
    created_at: iso(k.createdAt),
    expires_at: iso(k.expiresAt),
    last_used_at: iso(k.lastUsedAt),
    created_by: k.createdBy,
    policy: policyView(k.policy),
  };
}

/** Model policy fields of the key and workspace bodies (null clears a field on update). */
const policyFields = {
  models: z.array(z.string().trim().min(1).max(128)).min(1).max(200).nullable().optional(),
  max_tokens: z.number().int().min(1).max(10_000_000).nullable().optional(),
  max_tokens_mode: z.enum(['refuse', 'clamp']).nullable().optional(),
  timeout_ms: z.number().int().min(100).max(86_400_000).nullable().optional(),
};

const toPatch = (b: {
  models?: string[] | null;
  max_tokens?: number | null;
  max_tokens_mode?: 'refuse' | 'clamp' | null;
  timeout_ms?: number | null;
}): PolicyPatch | undefined => {
  const p: PolicyPatch = { models: b.models, maxTokens: b.max_tokens, maxTokensMode: b.max_tokens_mode, timeoutMs: b.timeout_ms };
  return Object.values(p).some((v) => v !== undefined) ? p : undefined;
};

const UpdateKey = z.strictObject({ name: z.string().trim().min(1).max(100).optional(), ...policyFields });
const WorkspacePolicy = z.strictObject(policyFields);

const CreateKey = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(100, 'at most 100 characters').optional(),
  kind: z.enum(['inference', 'admin']).default('inference'),
  admin_scope: z.enum(['org', 'workspace']).optional(),
  workspace_id: z.string().min(1).max(100).optional(),
  expires_in_days: z.number().int('must be a whole number of days').min(1).max(3650).optional(),
  expires_at: z.iso.datetime({ offset: true, message: 'expected an ISO date-time like 2026-12-31T00:00:00Z' }).optional(),
  ...policyFields,
});

const accountsFor = (c: AdminContext) => new AccountsService(dbOf(c.rt), c.rt.clock, c.caller.actor);

async function listKeys(c: AdminContext) {
  const now = c.rt.clock.now();
  const ws = c.caller.kind === 'admin_key' ? (c.caller.workspaceId ?? undefined) : undefined;
  const keys = await accountsFor(c).listKeys(c.params.org!, { workspaceId: ws });
  sendJson(c.res, c.requestId, 200, { org_id: c.params.org, keys: keys.map((k) => keyView(k, now)) });
}

async function createKey(c: AdminContext) {
  const { rt, req, res, requestId, params, caller } = c;
  const body = await readJsonBody(req, CreateKey);
  if (caller.kind === 'user' && !caller.verified)
    throw fail.email_not_verified(
      'Verify your email address first: open the link we mailed you (or ask for a new one). Keys can be created once it is verified.',
    );
  const now = rt.clock.now();
  if (body.expires_in_days !== undefined && body.expires_at !== undefined) throw invalidRequest('invalid body: give expires_in_days or expires_at, not both');
  if (body.admin_scope !== undefined && body.kind !== 'admin') throw invalidRequest('invalid body: admin_scope applies to admin keys (kind: "admin")');
  let expiresAt: number | null = null;
  if (body.expires_in_days !== undefined) expiresAt = now + body.expires_in_days * 86_400_000;
  if (body.expires_at !== undefined) {
    expiresAt = Date.parse(body.expires_at);
    if (expiresAt <= now) throw invalidRequest('invalid body: expires_at: must be in the future');
  }
  if (body.workspace_id !== undefined) requireWorkspace(caller, body.workspace_id, `workspace ${body.workspace_id}`);
  const accounts = accountsFor(c);
  const creator = caller.kind === 'admin_key' ? await accounts.getKey(caller.keyId) : undefined;
  const k = await accounts.createKey({
    orgId: params.org!,
    workspaceId: body.workspace_id,
    name: body.name ?? 'default',
    expiresAt,
    kind: body.kind,
    adminScope: body.admin_scope,
    creator,
    policy: toPatch(body),
  });
  const cached = await accounts.authKeyById(k.id);
  if (cached) rt.keys.put(cached);
  sendJson(res, requestId, 201, { ...keyView(k, now), key: k.key });
}

async function revokeKey(c: AdminContext) {
  const { rt, res, requestId, caller, params } = c;
  const now = rt.clock.now();
  const accounts = accountsFor(c);
  const k = await accounts.getKey(params.key!);
  if (!k) throw notFound(`key ${params.key} not found`);
  if (caller.kind !== 'operator' && k.orgId !== caller.orgId) throw permissionError('this key belongs to another organization');
  requireWorkspace(caller, k.workspaceId, 'this key');
  const revoked = await accounts.revokeKey(k.id);
  for (const id of [k.id, ...revoked.cascaded]) {
    const cached = await accounts.authKeyById(id);
    if (cached) rt.keys.put(cached);
  }
  sendJson(res, requestId, 200, { ...keyView(revoked, now), revoked_with_it: revoked.cascaded });
}

/** The key of the caller's reach (operator: any), or 404/403. */
async function reachableKey(c: AdminContext, accounts: AccountsService): Promise<KeyRecord> {
  const k = await accounts.getKey(c.params.key!);
  if (!k) throw notFound(`key ${c.params.key} not found`);
  if (c.caller.kind !== 'operator' && k.orgId !== c.caller.orgId) throw permissionError('this key belongs to another organization');
  requireWorkspace(c.caller, k.workspaceId, 'this key');
  return k;
}

async function updateKey(c: AdminContext) {
  const body = await readJsonBody(c.req, UpdateKey);
  const accounts = accountsFor(c);
  const k = await reachableKey(c, accounts);
  const u = await accounts.updateKey(k.id, { name: body.name, policy: toPatch(body) });
  const cached = await accounts.authKeyById(k.id);
  if (cached) c.rt.keys.put(cached);
  sendJson(c.res, c.requestId, 200, keyView(u, c.rt.clock.now()));
}

async function setWorkspacePolicy(c: AdminContext) {
  const body = await readJsonBody(c.req, WorkspacePolicy);
  requireWorkspace(c.caller, c.params.workspace!, `workspace ${c.params.workspace}`);
  const w = await accountsFor(c).setWorkspacePolicy(c.params.org!, c.params.workspace!, toPatch(body) ?? {});
  sendJson(c.res, c.requestId, 200, { org_id: w.orgId, workspace_id: w.id, policy: policyView(w.policy) });
}

export const keyRoutes: AdminRoute[] = [
  { method: 'GET', pattern: 'orgs/:org/keys', permission: 'keys:read', handler: listKeys },
  { method: 'POST', pattern: 'orgs/:org/keys', permission: 'keys:write', handler: createKey },
  { method: 'POST', pattern: 'keys/:key/revoke', permission: 'keys:write', handler: revokeKey },
  { method: 'POST', pattern: 'keys/:key', permission: 'keys:write', handler: updateKey },
  { method: 'POST', pattern: 'orgs/:org/workspaces/:workspace/policy', permission: 'limits:write', handler: setWorkspacePolicy },
];
