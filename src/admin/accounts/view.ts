/** The session as the console sees it (`SessionView`), and issuing a fresh session with its cookies. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ROLE_PERMISSIONS } from '../permissions.ts';
import { sendJson } from '../respond.ts';
import { clientAddress } from '../../http/client-address.ts';
import type { MemberRole, SessionView } from '../../accounts/api-types.ts';
import type { AccountsContext } from '../../accounts/context.ts';
import type { SessionRow } from '../../accounts/sessions.ts';
import { toUserView } from './user-view.ts';
import { sessionCookies } from './cookies.ts';

/** The org a session works in: its current org while still a member, else the user's first. */
export async function resolveOrg(
  a: AccountsContext,
  s: SessionRow,
): Promise<{ orgs: Array<{ orgId: string; orgName: string; role: MemberRole }>; current: { orgId: string; role: MemberRole } | null }> {
  if (!s.userId) return { orgs: [], current: null };
  const orgs = await a.users.memberships(s.userId);
  const m = orgs.find((o) => o.orgId === s.currentOrgId) ?? orgs[0];
  if (m && m.orgId !== s.currentOrgId) await a.sessions.setOrg(s.id, m.orgId);
  return { orgs, current: m ? { orgId: m.orgId, role: m.role } : null };
}

export async function sessionView(a: AccountsContext, token: string, s: SessionRow): Promise<SessionView> {
  const user = s.userId ? await a.users.byId(s.userId) : undefined;
  const operator = s.userId ? !!user?.operator : s.operator;
  const { orgs, current } = await resolveOrg(a, s);
  const role = operator ? 'operator' : (current?.role ?? null);
  const permissions = operator ? ROLE_PERMISSIONS.operator : current ? ROLE_PERMISSIONS[`user:${current.role}`] : [];
  return {
    user: user ? toUserView(user) : null,
    operator,
    orgs: orgs.map((o) => ({ org_id: o.orgId, org_name: o.orgName, role: o.role })),
    current_org_id: current?.orgId ?? null,
    role,
    permissions: [...permissions],
    csrf_token: a.sessions.csrfFor(token),
    expires_at: new Date(s.expiresAt).toISOString(),
  };
}

/** Opens a new session (never reusing one) and sets its cookies on `res`. */
export async function openSession(
  a: AccountsContext,
  req: IncomingMessage,
  res: ServerResponse,
  who: { userId: string | null; operator: boolean; orgId: string | null },
) {
  const ua = req.headers['user-agent'];
  const { token, session } = await a.sessions.create({
    userId: who.userId,
    operator: who.operator,
    currentOrgId: who.orgId,
    clientIp: clientAddress(req, a.config.http.trustProxy),
    userAgent: typeof ua === 'string' ? ua : undefined,
  });
  res.setHeader('set-cookie', sessionCookies(a, req, token, a.sessions.csrfFor(token), Math.floor((session.expiresAt - a.clock.now()) / 1000)));
  return { token, session };
}

export { sendJson };
