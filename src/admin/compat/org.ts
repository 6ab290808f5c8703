/**
 * Anthropic's organization endpoints, same paths and shapes
 * (https://docs.claude.com/en/api/admin/api_keys, …/workspaces, …/users, …/me):
 *   GET  /v1/organizations/me
 *   GET  /v1/organizations/api_keys            limit (1–1000, default 20), after_id, before_id, status, workspace_id
 *   GET  /v1/organizations/api_keys/{id}
 *   POST /v1/organizations/api_keys/{id}       {name?, status?: active | archived}
 *   GET  /v1/organizations/workspaces          limit, after_id, before_id, include_archived
 *   GET  /v1/organizations/workspaces/{id}
 *   GET  /v1/organizations/users               the org's console members (limit, after_id, before_id, email)
 * API keys are the org's inference keys (admin keys are not listed, as at Anthropic). Archiving
 * a key revokes it for good; Tollgate has no reversible `inactive` state, so that status is refused.
 */
import { z } from 'zod';
import { Members } from '../../accounts/members.ts';
import { AccountsService, type KeyRecord } from '../../accounts/service.ts';
import { invalidRequest, notFound, permissionError } from '../../core/errors.ts';
import { requireWorkspace } from '../auth.ts';
import { dbOf, readJsonBody, sendJson } from '../respond.ts';
import type { AdminContext } from '../types.ts';
import { Query, rfc3339Of } from './query.ts';

const orgOf = (c: AdminContext) => (c.caller.kind === 'operator' ? '' : c.caller.orgId);
const accountsFor = (c: AdminContext) => new AccountsService(dbOf(c.rt), c.rt.clock, c.caller.actor);

function keyStatus(k: KeyRecord, now: number): 'active' | 'archived' | 'expired' {
  return k.revokedAt != null ? 'archived' : k.expiresAt != null && k.expiresAt <= now ? 'expired' : 'active';
}

export function apiKeyObject(k: KeyRecord, now: number) {
  return {
    id: k.id,
    type: 'api_key',
    name: k.name,
    workspace_id: k.workspaceId,
    scope: { type: 'workspace', workspace_id: k.workspaceId },
    created_at: rfc3339Of(k.createdAt),
    // Made by an admin key (the nearest thing to Anthropic's service accounts), or by the operator (null).
    created_by: k.createdBy ? { id: k.createdBy, type: 'service_account' } : null,
    principal: null,
    expires_at: k.expiresAt == null ? null : rfc3339Of(k.expiresAt),
    partial_key_hint: k.hint,
    status: keyStatus(k, now),
  };
}

/** `{data, first_id, last_id, has_more}` over items sorted by id, with `after_id` / `before_id` cursors. */
function listPage<T extends { id: string }>(items: T[], q: Query, maxLimit: number, defLimit: number) {
  const limit = q.int('limit', 1, maxLimit) ?? defLimit;
  const after = q.str('after_id');
  const before = q.str('before_id');
  if (after && before) throw invalidRequest('give after_id or before_id, not both');
  let list = items;
  let has_more: boolean;
  if (before) {
    list = list.filter((x) => x.id < before);
    has_more = list.length > limit;
    list = list.slice(-limit);
  } else {
    if (after) list = list.filter((x) => x.id > after);
    has_more = list.length > limit;
    list = list.slice(0, limit);
  }
  return { list, has_more, first_id: list[0]?.id ?? null, last_id: list.at(-1)?.id ?? null };
}

async function orgKeys(c: AdminContext): Promise<KeyRecord[]> {
  const ws = c.caller.kind === 'admin_key' ? (c.caller.workspaceId ?? undefined) : undefined;
  return (await accountsFor(c).listKeys(orgOf(c), { workspaceId: ws }))
    .filter((k) => k.kind === 'inference')
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export async function listApiKeys(c: AdminContext): Promise<void> {
  const q = new Query(c.req);
  const now = c.rt.clock.now();
  const status = q.str('status');
  if (status !== undefined && !['active', 'inactive', 'archived', 'expired'].includes(status))
    throw invalidRequest('status: one of active, inactive, archived, expired');
  const ws = q.str('workspace_id');
  if (q.str('created_by_user_id') !== undefined) {
    /* no console users yet: nothing is filtered out by it */
  }
  let keys = await orgKeys(c);
  if (status) keys = keys.filter((k) => keyStatus(k, now) === status);
  if (ws) keys = keys.filter((k) => k.workspaceId === ws);
  const p = listPage(keys, q, 1000, 20);
  q.done();
  sendJson(c.res, c.requestId, 200, { data: p.list.map((k) => apiKeyObject(k, now)), has_more: p.has_more, first_id: p.first_id, last_id: p.last_id });
}

async function ownKey(c: AdminContext): Promise<KeyRecord> {
  const k = await accountsFor(c).getKey(c.params.id!);
  // Another org's key, or an admin key, is "not found" here (no existence oracle).
  if (!k || k.orgId !== orgOf(c) || k.kind !== 'inference') throw notFound(`API key ${c.params.id} not found`);
  requireWorkspace(c.caller, k.workspaceId, 'this API key');
  return k;
}

export async function getApiKey(c: AdminContext): Promise<void> {
  const k = await ownKey(c);
  sendJson(c.res, c.requestId, 200, apiKeyObject(k, c.rt.clock.now()));
}

const UpdateKey = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(500, 'at most 500 characters').optional(),
  status: z.enum(['active', 'inactive', 'archived']).optional(),
});

export async function updateApiKey(c: AdminContext): Promise<void> {
  const body = await readJsonBody(c.req, UpdateKey);
  let k = await ownKey(c);
  const now = c.rt.clock.now();
  const accounts = accountsFor(c);
  if (body.status === 'inactive') throw invalidRequest('status: Tollgate keys cannot be paused; "archived" revokes the key for good');
  if (body.status === 'active' && keyStatus(k, now) !== 'active')
    throw invalidRequest(`status: this key is ${keyStatus(k, now)} and cannot be made active again; create a new key`);
  if (body.name !== undefined && body.name !== k.name) {
    if (k.revokedAt != null) throw invalidRequest('an archived key cannot be renamed');
    k = await accounts.updateKey(k.id, { name: body.name });
  }
  if (body.status === 'archived' && k.revokedAt == null) {
    k = await accounts.revokeKey(k.id);
    const cached = await accounts.authKeyById(k.id);
    if (cached) c.rt.keys.put(cached);
  }
  sendJson(c.res, c.requestId, 200, apiKeyObject(k, now));
}

type Ws = Awaited<ReturnType<AccountsService['listWorkspaces']>>[number];
const workspaceObject = (w: Ws) => ({
  id: w.id,
  type: 'workspace',
  name: w.name,
  created_at: rfc3339Of(w.createdAt),
  archived_at: w.archivedAt == null ? null : rfc3339Of(w.archivedAt),
  display_color: null,
});

export async function listWorkspaces(c: AdminContext): Promise<void> {
  const q = new Query(c.req);
  const inc = q.str('include_archived');
  if (inc !== undefined && inc !== 'true' && inc !== 'false') throw invalidRequest('include_archived: true or false');
  let list = (await accountsFor(c).listWorkspaces(orgOf(c))).sort((a, b) => (a.id < b.id ? -1 : 1));
  if (inc !== 'true') list = list.filter((w) => w.archivedAt == null);
  const p = listPage(list, q, 1000, 20);
  q.done();
  sendJson(c.res, c.requestId, 200, { data: p.list.map(workspaceObject), has_more: p.has_more, first_id: p.first_id, last_id: p.last_id });
}

export async function getWorkspace(c: AdminContext): Promise<void> {
  const w = (await accountsFor(c).listWorkspaces(orgOf(c))).find((x) => x.id === c.params.id);
  if (!w) throw notFound(`workspace ${c.params.id} not found`);
  sendJson(c.res, c.requestId, 200, workspaceObject(w));
}

/** Console roles as Anthropic names them (it has no owner or viewer: the nearest role). */
const ANTHROPIC_ROLE: Record<string, string> = { owner: 'admin', admin: 'admin', developer: 'developer', billing: 'billing', viewer: 'user' };

export async function listUsers(c: AdminContext): Promise<void> {
  const q = new Query(c.req);
  const email = q.str('email');
  let members = (await new Members(dbOf(c.rt), c.rt.clock).list(orgOf(c))).sort((a, b) => (a.user_id < b.user_id ? -1 : 1));
  if (email !== undefined) members = members.filter((m) => m.email.toLowerCase() === email.toLowerCase());
  const p = listPage(
    members.map((m) => ({ ...m, id: m.user_id })),
    q,
    1000,
    20,
  );
  q.done();
  const data = p.list.map((m) => ({
    id: m.user_id,
    type: 'user',
    email: m.email,
    name: m.email.split('@')[0],
    role: ANTHROPIC_ROLE[m.role] ?? 'user',
    added_at: m.joined_at,
  }));
  sendJson(c.res, c.requestId, 200, { data, has_more: p.has_more, first_id: p.first_id, last_id: p.last_id });
}

export async function me(c: AdminContext): Promise<void> {
  if (c.caller.kind === 'operator') throw permissionError('an admin key of the organization is required');
  const org = await accountsFor(c).getOrg(c.caller.orgId);
  if (!org) throw notFound('organization not found');
  sendJson(c.res, c.requestId, 200, { id: org.id, type: 'organization', name: org.name });
}
