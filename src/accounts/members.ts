/**
 * An org's members: list, change a role, remove. The last owner stays (409 last_owner): an org
 * always has someone who can manage it. Every change is audited in its transaction.
 */
import type { Kysely } from 'kysely';
import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/log.ts';
import { fail, notFound } from '../core/errors.ts';
import type { DB } from '../store/schema.ts';
import type { MemberRole, MemberView } from './api-types.ts';
import type { Clock } from '../core/clock.ts';

const lastOwner = () => fail.last_owner('This is the last owner of the organization: make someone else an owner first.');

export class Members {
  constructor(
    private db: Kysely<DB>,
    private clock: Clock,
  ) {}

  private select(db: Kysely<DB>, orgId: string) {
    return db
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select(['memberships.user_id', 'users.email', 'memberships.role', 'users.verified_at', 'memberships.created_at'])
      .where('memberships.org_id', '=', orgId);
  }

  // biome-ignore lint/suspicious/noExplicitAny: a memberships ⋈ users row; untyped until the join gets a row type
  private view(r: any): MemberView {
    return { user_id: r.user_id, email: r.email, role: r.role, verified: r.verified_at != null, joined_at: new Date(Number(r.created_at)).toISOString() };
  }

  async list(orgId: string): Promise<MemberView[]> {
    return (await this.select(this.db, orgId).orderBy('memberships.created_at').orderBy('memberships.user_id').execute()).map((r) => this.view(r));
  }

  async get(orgId: string, userId: string): Promise<MemberView | undefined> {
    const r = await this.select(this.db, orgId).where('memberships.user_id', '=', userId).executeTakeFirst();
    return r && this.view(r);
  }

  private async ownersLeft(trx: Kysely<DB>, orgId: string, userId: string): Promise<number> {
    const rows = await trx
      .selectFrom('memberships')
      .select('user_id')
      .where('org_id', '=', orgId)
      .where('role', '=', 'owner')
      .where('user_id', '!=', userId)
      .execute();
    return rows.length;
  }

  async setRole(orgId: string, userId: string, role: MemberRole, actor: Actor): Promise<MemberView> {
    const t = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      const m = await trx.selectFrom('memberships').select('role').where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
      if (!m) throw notFound(`member ${userId} not found`);
      if (m.role === role) return;
      if (m.role === 'owner' && (await this.ownersLeft(trx, orgId, userId)) === 0) throw lastOwner();
      await trx.updateTable('memberships').set({ role }).where('org_id', '=', orgId).where('user_id', '=', userId).execute();
      await recordAudit(trx, actor, t, { orgId, action: 'member.role', targetType: 'user', targetId: userId, before: { role: m.role }, after: { role } });
    });
    return (await this.get(orgId, userId))!;
  }

  async remove(orgId: string, userId: string, actor: Actor): Promise<void> {
    const t = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      const m = await trx.selectFrom('memberships').select('role').where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
      if (!m) throw notFound(`member ${userId} not found`);
      if (m.role === 'owner' && (await this.ownersLeft(trx, orgId, userId)) === 0) throw lastOwner();
      await trx.deleteFrom('memberships').where('org_id', '=', orgId).where('user_id', '=', userId).execute();
      await recordAudit(trx, actor, t, { orgId, action: 'member.remove', targetType: 'user', targetId: userId, before: { role: m.role } });
    });
  }
}
