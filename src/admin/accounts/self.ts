/**
 * The signed-in user's own things.
 *   GET  session                 SessionView
 *   GET  sessions                SessionList (live sessions of the user)
 *   POST sessions/{id}/revoke    revoke one of them
 *   POST switch-org              {org_id} → SessionView (a membership is required)
 *   POST orgs                    {name} → CreateOrgResponse (the user owns it)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { readJsonBody, sendJson } from '../respond.ts';
import { fail, invalidRequest, notFound, permissionError } from '../../core/errors.ts';
import type { CreateOrgResponse, SessionList } from '../../accounts/api-types.ts';
import type { AccountsContext } from '../../accounts/context.ts';
import { AccountsService } from '../../accounts/service.ts';
import { requireSession } from './session-auth.ts';
import { sessionView } from './view.ts';

const iso = (ms: number) => new Date(ms).toISOString();

export async function getSession(a: AccountsContext, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  req.resume();
  const { token, session } = await requireSession(a, req);
  sendJson(res, requestId, 200, await sessionView(a, token, session));
}

export async function listSessions(a: AccountsContext, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  req.resume();
  const { session } = await requireSession(a, req);
  const rows = session.userId ? await a.sessions.list(session.userId) : [session];
  const out: SessionList = {
    sessions: rows.map((s) => ({
      id: s.publicId,
      current: s.id === session.id,
      created_at: iso(s.createdAt),
      last_seen_at: iso(s.lastSeenAt),
      expires_at: iso(s.expiresAt),
      client_ip: s.clientIp,
      user_agent: s.userAgent,
    })),
  };
  sendJson(res, requestId, 200, out);
}

export async function revokeSession(a: AccountsContext, req: IncomingMessage, res: ServerResponse, requestId: string, id: string): Promise<void> {
  const { session } = await requireSession(a, req);
  req.resume();
  let ok: boolean;
  if (session.userId) ok = await a.sessions.revokePublic(session.userId, id);
  else {
    ok = id === session.publicId;
    if (ok) await a.sessions.revoke(session.id);
  }
  if (!ok) throw notFound(`session ${id} not found`);
  res.writeHead(204, { 'cache-control': 'no-store', 'x-request-id': requestId });
  res.end();
}

const Switch = z.strictObject({ org_id: z.string().min(1).max(100) });

export async function switchOrg(a: AccountsContext, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  const { token, session } = await requireSession(a, req);
  const { org_id } = await readJsonBody(req, Switch);
  if (!session.userId) throw invalidRequest('the operator session has no organizations to switch between');
  const role = await a.users.role(session.userId, org_id);
  if (!role) throw permissionError('you are not a member of this organization');
  await a.sessions.setOrg(session.id, org_id);
  sendJson(res, requestId, 200, await sessionView(a, token, { ...session, currentOrgId: org_id }));
}

const CreateOrg = z.strictObject({ name: z.string().trim().min(1, 'must not be empty').max(100, 'at most 100 characters') });

export async function createOrg(a: AccountsContext, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  const { session } = await requireSession(a, req);
  const { name } = await readJsonBody(req, CreateOrg);
  if (!session.userId) throw invalidRequest('the operator creates orgs with `tollgate org create`');
  if (a.config.accounts.signup === 'closed') throw fail.signup_closed('creating organizations is closed on this gateway');
  const actor = { kind: 'user' as const, id: session.userId, requestId };
  const { org, defaultWorkspaceId } = await new AccountsService(a.db, a.clock, actor).createOrg({ name });
  await a.users.addMember(org.id, session.userId, 'owner', actor);
  const out: CreateOrgResponse = { org_id: org.id, name: org.name, default_workspace_id: defaultWorkspaceId, role: 'owner' };
  sendJson(res, requestId, 201, out);
}
