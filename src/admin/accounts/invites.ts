/**
 * Invitations, the invitee's side.
 *   GET  invitations/lookup?token=   InvitationLookup (the token is not used)
 *   POST invitations/accept          (session, csrf) {token} → AcceptInvitationResponse; the session moves to that org
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { readJsonBody, readQuery, sendJson } from '../respond.ts';
import { invalidRequest } from '../../core/errors.ts';
import type { AcceptInvitationResponse, InvitationLookup, MemberRole } from '../../accounts/api-types.ts';
import type { AccountsContext } from '../../accounts/context.ts';
import { Invitations } from '../../accounts/invitations.ts';
import { requireSession } from './session-auth.ts';

const invitationsOf = (a: AccountsContext) => new Invitations(a.db, a.tokens, a.clock);

export async function lookupInvitation(a: AccountsContext, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  req.resume();
  const q = readQuery(req, z.object({ token: z.string().min(1).max(200) }));
  const { inv, orgName } = await invitationsOf(a).lookup(q.token);
  const exists = await a.db.selectFrom('users').select('id').where('email_norm', '=', inv.email_norm).executeTakeFirst();
  const out: InvitationLookup = {
    org_id: inv.org_id,
    org_name: orgName,
    email: inv.email,
    role: inv.role as MemberRole,
    expires_at: new Date(Number(inv.expires_at)).toISOString(),
    account_exists: !!exists,
  };
  sendJson(res, requestId, 200, out);
}

export async function acceptInvitation(a: AccountsContext, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  const { session } = await requireSession(a, req);
  const { token } = await readJsonBody(req, z.strictObject({ token: z.string().min(1).max(200) }));
  const user = session.userId ? await a.users.byId(session.userId) : undefined;
  if (!user) throw invalidRequest('log in with the invited account to accept an invitation');
  const r = await invitationsOf(a).accept(token, user, a.users);
  await a.sessions.setOrg(session.id, r.orgId);
  const out: AcceptInvitationResponse = { org_id: r.orgId, role: r.role };
  sendJson(res, requestId, 200, out);
}
