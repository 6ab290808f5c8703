/**
 * Invitations: an org member with `members:write` invites an address with a role; the link's
 * token (kind `invite`, 7 days, single use) lets the invitee sign up — or log in — and join with
 * that role. Only the invited address can accept. Only owners (and the operator) invite owners.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/log.ts';
import { fail, notFound } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { DB } from '../store/schema.ts';
import type { InvitationView, MemberRole } from './api-types.ts';
import { normaliseEmail } from './email.ts';
import type { LinkTokens } from './tokens.ts';
import { TOKEN_TTL_MS, invalidToken } from './tokens.ts';
import type { UserRow, Users } from './users.ts';
import type { Clock } from '../core/clock.ts';

const iso = (ms: number) => new Date(ms).toISOString();

export function invitationView(r: Selectable<DB['invitations']>, now: number): InvitationView {
  const status = r.accepted_at != null ? 'accepted' : r.revoked_at != null ? 'revoked' : Number(r.expires_at) <= now ? 'expired' : 'pending';
  return {
    id: r.id,
    org_id: r.org_id,
    email: r.email,
    role: r.role as MemberRole,
    status,
    created_at: iso(Number(r.created_at)),
    expires_at: iso(Number(r.expires_at)),
    invited_by: r.invited_by ?? null,
  };
}

export class Invitations {
  constructor(
    private db: Kysely<DB>,
    private tokens: LinkTokens,
    private clock: Clock,
  ) {}

  async create(orgId: string, email: string, role: MemberRole, actor: Actor): Promise<{ view: InvitationView; token: string }> {
    const t = this.clock.now();
    const id = newId('invite');
    const emailNorm = normaliseEmail(email);
    const member = await this.db
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select('users.id')
      .where('memberships.org_id', '=', orgId)
      .where('users.email_norm', '=', emailNorm)
      .executeTakeFirst();
    if (member) throw fail.already_member('This address is already a member of the organization.');
    let token = '';
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('invitations')
        .values({
          id,
          org_id: orgId,
          email: email.trim(),
          email_norm: emailNorm,
          role,
          invited_by: actor.kind === 'user' ? actor.id : `${actor.kind}:${actor.id}`,
          created_at: t,
          expires_at: t + TOKEN_TTL_MS.invite,
          accepted_at: null,
          accepted_by: null,
          revoked_at: null,
        })
        .execute();
      token = (await this.tokens.issue('invite', { invitationId: id, emailNorm }, trx)).token;
      await recordAudit(trx, actor, t, { orgId, action: 'invitation.create', targetType: 'invitation', targetId: id, after: { email: email.trim(), role } });
    });
    return { view: invitationView(await this.row(id), t), token };
  }

  private async row(id: string) {
    return this.db.selectFrom('invitations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  }

  async list(orgId: string): Promise<InvitationView[]> {
    const t = this.clock.now();
    return (await this.db.selectFrom('invitations').selectAll().where('org_id', '=', orgId).orderBy('created_at', 'desc').limit(500).execute()).map((r) =>
      invitationView(r, t),
    );
  }

  async revoke(orgId: string, id: string, actor: Actor): Promise<InvitationView> {
    const r = await this.db.selectFrom('invitations').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r || r.org_id !== orgId) throw notFound(`invitation ${id} not found`);
    const t = this.clock.now();
    if (r.accepted_at == null && r.revoked_at == null) {
      await this.db.transaction().execute(async (trx) => {
        await trx.updateTable('invitations').set({ revoked_at: t }).where('id', '=', id).execute();
        await recordAudit(trx, actor, t, {
          orgId,
          action: 'invitation.revoke',
          targetType: 'invitation',
          targetId: id,
          before: { email: r.email, role: r.role },
        });
      });
    }
    return invitationView(await this.row(id), t);
  }

  /** The invitation behind a token, without using it (the console shows whom it is for). */
  async lookup(token: unknown) {
    const tok = await this.tokens.peek('invite', token);
    const inv = tok.invitation_id ? await this.db.selectFrom('invitations').selectAll().where('id', '=', tok.invitation_id).executeTakeFirst() : undefined;
    if (!inv || inv.accepted_at != null || inv.revoked_at != null || Number(inv.expires_at) <= this.clock.now()) throw invalidToken();
    const org = await this.db.selectFrom('orgs').select('name').where('id', '=', inv.org_id).executeTakeFirstOrThrow();
    return { inv, orgName: org.name };
  }

  /** Uses the token: `user` joins the org with the invitation's role (only the invited address may). */
  async accept(token: unknown, user: UserRow, users: Users): Promise<{ orgId: string; role: MemberRole }> {
    const { inv } = await this.lookup(token);
    if (inv.email_norm !== user.emailNorm)
      throw fail.invitation_email_mismatch('This invitation was sent to another email address. Log in with that address to accept it.');
    const t = this.clock.now();
    const actor: Actor = { kind: 'user', id: user.id };
    await this.db.transaction().execute(async (trx) => {
      await this.tokens.consume('invite', token, trx);
      const r = await trx
        .updateTable('invitations')
        .set({ accepted_at: t, accepted_by: user.id })
        .where('id', '=', inv.id)
        .where('accepted_at', 'is', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (r.numUpdatedRows !== 1n) throw invalidToken();
      const existing = await trx.selectFrom('memberships').select('role').where('org_id', '=', inv.org_id).where('user_id', '=', user.id).executeTakeFirst();
      if (!existing) await users.addMember(inv.org_id, user.id, inv.role as MemberRole, actor, trx);
      await recordAudit(trx, actor, t, {
        orgId: inv.org_id,
        action: 'invitation.accept',
        targetType: 'invitation',
        targetId: inv.id,
        after: { user_id: user.id, role: inv.role },
      });
      // Following the mailed link proves the address.
      if (user.verifiedAt == null) await trx.updateTable('users').set({ verified_at: t }).where('id', '=', user.id).execute();
    });
    const role = (await users.role(user.id, inv.org_id))!;
    return { orgId: inv.org_id, role };
  }
}
