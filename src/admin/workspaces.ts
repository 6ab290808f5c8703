/**
 * Admin API — workspaces (docs/accounts.md).
 *   GET  orgs/{org}/workspaces               WorkspaceList
 *   POST orgs/{org}/workspaces               {name} → 201 WorkspaceView
 *   POST orgs/{org}/workspaces/{ws}          {name} → WorkspaceView (rename)
 *   POST orgs/{org}/workspaces/{ws}/archive  → WorkspaceView; its keys are revoked at once
 * Each workspace has its own keys (`POST orgs/{org}/keys` with `workspace_id`) and limits
 * (`PUT orgs/{org}/limits` with `scope: "workspace"`).
 */
import { z } from 'zod';
import { AccountsService } from '../accounts/service.ts';
import type { WorkspaceList } from '../accounts/api-types.ts';
import { Workspaces } from '../accounts/workspaces.ts';
import { dbOf, readJsonBody, sendJson } from './respond.ts';
import type { AdminContext, AdminRoute } from './types.ts';

const NameBody = z.strictObject({ name: z.string().trim().min(1, 'must not be empty').max(100, 'at most 100 characters') });
const svc = (c: AdminContext) => new Workspaces(dbOf(c.rt), c.rt.clock, c.caller.actor);

async function list(c: AdminContext) {
  const out: WorkspaceList = { org_id: c.params.org!, workspaces: await svc(c).list(c.params.org!) };
  sendJson(c.res, c.requestId, 200, out);
}

async function create(c: AdminContext) {
  const { name } = await readJsonBody(c.req, NameBody);
  const w = await new AccountsService(dbOf(c.rt), c.rt.clock, c.caller.actor).createWorkspace(c.params.org!, name);
  sendJson(c.res, c.requestId, 201, await svc(c).get(c.params.org!, w.id));
}

async function rename(c: AdminContext) {
  const { name } = await readJsonBody(c.req, NameBody);
  sendJson(c.res, c.requestId, 200, await svc(c).rename(c.params.org!, c.params.ws!, name));
}

async function archive(c: AdminContext) {
  c.req.resume();
  const { view, revoked } = await svc(c).archive(c.params.org!, c.params.ws!);
  const accounts = new AccountsService(dbOf(c.rt), c.rt.clock);
  for (const k of await accounts.authKeysByIds(revoked)) c.rt.keys.put(k);
  sendJson(c.res, c.requestId, 200, view);
}

export const workspaceRoutes: AdminRoute[] = [
  { method: 'GET', pattern: 'orgs/:org/workspaces', permission: 'org:read', handler: list },
  { method: 'POST', pattern: 'orgs/:org/workspaces', permission: 'workspaces:write', handler: create },
  { method: 'POST', pattern: 'orgs/:org/workspaces/:ws', permission: 'workspaces:write', handler: rename },
  { method: 'POST', pattern: 'orgs/:org/workspaces/:ws/archive', permission: 'workspaces:write', handler: archive },
];
