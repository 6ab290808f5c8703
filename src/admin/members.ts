/**
 * Admin API — members and invitations (docs/accounts.md).
 *   GET  orgs/{org}/members                       MemberList
 *   POST orgs/{org}/members/{user}                {role} → MemberView
 *   POST orgs/{org}/members/{user}/remove         → {removed: true}
 *   GET  orgs/{org}/invitations                   InvitationList
 *   POST orgs/{org}/invitations                   {email, role} → 201 InvitationView (mails the link)
 *   POST orgs/{org}/invitations/{invitation}/revoke → InvitationView
 * Only an owner (or the operator) grants, takes or invites the owner role; the last owner can be
 * neither demoted nor removed (409 last_owner).
 */
import { z } from 'zod';
import { accountsOf } from '../accounts/context.ts';
import { MEMBER_ROLES, type MemberList, type MemberRole, type MemberView } from '../accounts/api-types.ts';
import { emailSchema } from '../accounts/email.ts';
import { Invitations } from '../accounts/invitations.ts';
import { inviteMail } from '../accounts/mail.ts';
import { Members } from '../accounts/members.ts';
import { fail, notFound } from '../core/errors.ts';
import { dbOf, readJsonBody, sendJson } from './respond.ts';
import type { AdminContext, AdminRoute } from './types.ts';

const RoleBody = z.strictObject({ role: z.enum(MEMBER_ROLES as [MemberRole, ...MemberRole[]]) });
const InviteBody = z.strictObject({ email: emailSchema, role: z.enum(MEMBER_ROLES as [MemberRole, ...MemberRole[]]) });

const members = (c: AdminContext) => new Members(dbOf(c.rt), c.rt.clock);
const invitations = (c: AdminContext) => {
  const a = accountsOf(c.rt);
  return new Invitations(a.db, a.tokens, c.rt.clock);
};

/** Owner-level changes need an owner (or the operator). */
function requireOwnerPower(c: AdminContext, role: string, what: string): void {
  if (role !== 'owner') return;
  if (c.caller.kind === 'operator' || (c.caller.kind === 'user' && c.caller.role === 'user:owner')) return;
  throw fail.owner_required(`only an owner can ${what} the owner role`);
}

async function list(c: AdminContext) {
  const out: MemberList = { org_id: c.params.org!, members: await members(c).list(c.params.org!) };
  sendJson(c.res, c.requestId, 200, out);
}

async function setRole(c: AdminContext) {
  const { role } = await readJsonBody(c.req, RoleBody);
  const m = await members(c).get(c.params.org!, c.params.user!);
  if (!m) throw notFound(`member ${c.params.user} not found`);
  requireOwnerPower(c, role, 'grant');
  requireOwnerPower(c, m.role, 'take away');
  const view: MemberView = await members(c).setRole(c.params.org!, c.params.user!, role, c.caller.actor);
  sendJson(c.res, c.requestId, 200, view);
}

async function remove(c: AdminContext) {
  c.req.resume();
  const m = await members(c).get(c.params.org!, c.params.user!);
  if (!m) throw notFound(`member ${c.params.user} not found`);
  requireOwnerPower(c, m.role, 'remove');
  await members(c).remove(c.params.org!, c.params.user!, c.caller.actor);
  await accountsOf(c.rt).sessions.leaveOrg(c.params.user!, c.params.org!);
  sendJson(c.res, c.requestId, 200, { removed: true });
}

async function listInvites(c: AdminContext) {
  sendJson(c.res, c.requestId, 200, { org_id: c.params.org!, invitations: await invitations(c).list(c.params.org!) });
}

async function invite(c: AdminContext) {
  const body = await readJsonBody(c.req, InviteBody);
  requireOwnerPower(c, body.role, 'invite to');
  const a = accountsOf(c.rt);
  const { view, token } = await invitations(c).create(c.params.org!, body.email, body.role, c.caller.actor);
  const org = await dbOf(c.rt).selectFrom('orgs').select('name').where('id', '=', c.params.org!).executeTakeFirstOrThrow();
  await a.mail.send(inviteMail(body.email, org.name, body.role, `${a.publicUrl}/console/#/invite?token=${encodeURIComponent(token)}`));
  sendJson(c.res, c.requestId, 201, view);
}

async function revokeInvite(c: AdminContext) {
  c.req.resume();
  sendJson(c.res, c.requestId, 200, await invitations(c).revoke(c.params.org!, c.params.invitation!, c.caller.actor));
}

export const memberRoutes: AdminRoute[] = [
  { method: 'GET', pattern: 'orgs/:org/members', permission: 'members:read', handler: list },
  { method: 'POST', pattern: 'orgs/:org/members/:user', permission: 'members:write', handler: setRole },
  { method: 'POST', pattern: 'orgs/:org/members/:user/remove', permission: 'members:write', handler: remove },
  { method: 'GET', pattern: 'orgs/:org/invitations', permission: 'members:read', handler: listInvites },
  { method: 'POST', pattern: 'orgs/:org/invitations', permission: 'members:write', handler: invite },
  { method: 'POST', pattern: 'orgs/:org/invitations/:invitation/revoke', permission: 'members:write', handler: revokeInvite },
];
