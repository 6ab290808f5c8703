/**
 * Users and their memberships: sign-up (a new org, or joining through an invitation), email
 * verification (which grants the free credits, once per normalised address), password login,
 * reset and change. Writes record their audit entries (actor: the user) in the same transaction.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/log.ts';
import { Ledger } from '../billing/ledger.ts';
import { fail, invalidRequest, notFound } from '../core/errors.ts';
import { newId, sha256Hex } from '../core/ids.ts';
import type { DB } from '../store/schema.ts';
import type { MemberRole } from './api-types.ts';
import { normaliseEmail } from './email.ts';
import { burnPasswordCheck, hashPassword, needsRehash, verifyPassword } from './password.ts';
import { AccountsService } from './service.ts';
import type { LinkTokens } from './tokens.ts';
import type { Clock } from '../core/clock.ts';

export interface UserRow {
  id: string;
  email: string;
  emailNorm: string;
  createdAt: number;
  verifiedAt: number | null;
  operator: boolean;
  disabledAt: number | null;
}

export const toUser = (r: Selectable<DB['users']>): UserRow => ({
  id: r.id,
  email: r.email,
  emailNorm: r.email_norm,
  createdAt: Number(r.created_at),
  verifiedAt: r.verified_at == null ? null : Number(r.verified_at),
  operator: Number(r.operator) === 1,
  disabledAt: r.disabled_at == null ? null : Number(r.disabled_at),
});

export const emailTaken = () => fail.email_taken('An account with this email address already exists. Log in instead (or reset the password).');
export const invalidCredentials = () => fail.invalid_credentials('Wrong email address or password.');

export interface FreeCredits {
  amount: bigint;
  days: number;
}

export class Users {
  constructor(
    private db: Kysely<DB>,
    private clock: Clock,
  ) {}

  async byId(id: string): Promise<UserRow | undefined> {
    const r = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toUser(r);
  }

  async byEmail(email: string): Promise<(UserRow & { passwordHash: string }) | undefined> {
    const r = await this.db.selectFrom('users').selectAll().where('email_norm', '=', normaliseEmail(email)).executeTakeFirst();
    return r && { ...toUser(r), passwordHash: r.password_hash };
  }

  /** Inserts a user (409 when the normalised address is taken). */
  async insert(db: Kysely<DB>, input: { email: string; passwordHash: string; verified?: boolean; operator?: boolean }): Promise<UserRow> {
    const id = newId('user');
    const t = this.clock.now();
    const emailNorm = normaliseEmail(input.email);
    const taken = await db.selectFrom('users').select('id').where('email_norm', '=', emailNorm).executeTakeFirst();
    if (taken) throw emailTaken();
    try {
      await db
        .insertInto('users')
        .values({
          id,
          email: input.email.trim(),
          email_norm: emailNorm,
          password_hash: input.passwordHash,
          created_at: t,
          verified_at: input.verified ? t : null,
          operator: input.operator ? 1 : 0,
          disabled_at: null,
        })
        .execute();
    } catch (e) {
      if (/unique|duplicate/i.test(String((e as Error).message))) throw emailTaken();
      throw e;
    }
    return toUser(await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
  }

  /** Creates a user and their first org (they own it), with its Default workspace. */
  async signUpWithOrg(
    input: { email: string; password: string; orgName: string },
    actorFor: (userId: string) => Actor,
  ): Promise<{ user: UserRow; orgId: string }> {
    const passwordHash = await hashPassword(input.password);
    if (await this.byEmail(input.email)) throw emailTaken();
    const user = await this.db.transaction().execute((trx) => this.insert(trx, { email: input.email, passwordHash }));
    const actor = actorFor(user.id);
    const { org } = await new AccountsService(this.db, this.clock, actor).createOrg({ name: input.orgName });
    await this.addMember(org.id, user.id, 'owner', actor);
    await this.db.transaction().execute((trx) =>
      recordAudit(trx, actor, this.clock.now(), {
        orgId: org.id,
        action: 'user.signup',
        targetType: 'user',
        targetId: user.id,
        after: { id: user.id, email: user.email },
      }),
    );
    return { user, orgId: org.id };
  }

  async addMember(orgId: string, userId: string, role: MemberRole, actor: Actor, db: Kysely<DB> = this.db): Promise<void> {
    const t = this.clock.now();
    const write = async (trx: Kysely<DB>) => {
      const before = await trx.selectFrom('memberships').select('role').where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
      if (before) {
        if (before.role === role) return;
        await trx.updateTable('memberships').set({ role }).where('org_id', '=', orgId).where('user_id', '=', userId).execute();
      } else {
        await trx.insertInto('memberships').values({ org_id: orgId, user_id: userId, role, created_at: t }).execute();
      }
      await recordAudit(trx, actor, t, {
        orgId,
        action: before ? 'member.role' : 'member.add',
        targetType: 'user',
        targetId: userId,
        before: before ? { role: before.role } : undefined,
        after: { role },
      });
    };
    if (db.isTransaction) await write(db);
    else await db.transaction().execute(write);
  }

  async memberships(userId: string): Promise<Array<{ orgId: string; orgName: string; role: MemberRole }>> {
    const rows = await this.db
      .selectFrom('memberships')
      .innerJoin('orgs', 'orgs.id', 'memberships.org_id')
      .select(['memberships.org_id', 'orgs.name', 'memberships.role'])
      .where('memberships.user_id', '=', userId)
      .orderBy('memberships.created_at')
      .orderBy('memberships.org_id')
      .execute();
    return rows.map((r) => ({ orgId: r.org_id, orgName: r.name, role: r.role as MemberRole }));
  }

  async role(userId: string, orgId: string): Promise<MemberRole | undefined> {
    const r = await this.db.selectFrom('memberships').select('role').where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
    return r?.role as MemberRole | undefined;
  }

  /** Password login: the user, or 401 (an unknown address costs the same scrypt time). */
  async checkPassword(email: string, password: string): Promise<UserRow> {
    const u = await this.byEmail(email);
    if (!u) {
      await burnPasswordCheck(password);
      throw invalidCredentials();
    }
    if (!(await verifyPassword(password, u.passwordHash))) throw invalidCredentials();
    if (u.disabledAt != null) throw fail.account_disabled('This account is disabled.');
    if (needsRehash(u.passwordHash))
      await this.db
        .updateTable('users')
        .set({ password_hash: await hashPassword(password) })
        .where('id', '=', u.id)
        .execute();
    return u;
  }

  async setPassword(userId: string, password: string, actor: Actor): Promise<void> {
    const h = await hashPassword(password);
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ password_hash: h }).where('id', '=', userId).execute();
      await recordAudit(trx, actor, this.clock.now(), { orgId: null, action: 'user.password', targetType: 'user', targetId: userId });
    });
  }

  /**
   * Marks the token's user verified and grants the free credits to the org they signed up with —
   * once per normalised address, ever (a claim row decides, and the ledger entry's ref repeats it).
   */
  async verify(tokens: LinkTokens, token: unknown, free: FreeCredits): Promise<{ user: UserRow; grantedOrgId: string | null; granted: bigint }> {
    const row = await tokens.consume('verify', token);
    const user = row.user_id ? await this.byId(row.user_id) : undefined;
    if (!user || user.emailNorm !== row.email_norm) throw notFound('this account no longer exists');
    const t = this.clock.now();
    const actor: Actor = { kind: 'user', id: user.id };
    if (user.verifiedAt == null) {
      await this.db.transaction().execute(async (trx) => {
        await trx.updateTable('users').set({ verified_at: t }).where('id', '=', user.id).where('verified_at', 'is', null).execute();
        await recordAudit(trx, actor, t, { orgId: null, action: 'user.verify', targetType: 'user', targetId: user.id, after: { email: user.email } });
      });
    }
    const grant = await this.grantFreeCredits(user, free, actor);
    return { user: (await this.byId(user.id))!, grantedOrgId: grant?.orgId ?? null, granted: grant?.amount ?? 0n };
  }

  private async grantFreeCredits(user: UserRow, free: FreeCredits, actor: Actor): Promise<{ orgId: string; amount: bigint } | undefined> {
    if (free.amount <= 0n) return undefined;
    const owned = await this.db
      .selectFrom('memberships')
      .select('org_id')
      .where('user_id', '=', user.id)
      .where('role', '=', 'owner')
      .orderBy('created_at')
      .executeTakeFirst();
    if (!owned) return undefined;
    const t = this.clock.now();
    const claim = await this.db
      .insertInto('free_credit_claims')
      .values({ email_norm: user.emailNorm, org_id: owned.org_id, user_id: user.id, claimed_at: t })
      .onConflict((oc) => oc.column('email_norm').doNothing())
      .executeTakeFirst();
    if (BigInt(claim.numInsertedOrUpdatedRows ?? 0n) !== 1n) return undefined;
    await new Ledger(this.db, this.clock, actor).append({
      orgId: owned.org_id,
      kind: 'grant',
      amount: free.amount,
      expiresAt: t + free.days * 86_400_000,
      ref: `free-email:${sha256Hex(user.emailNorm)}`,
      note: 'free credits for a verified sign-up',
    });
    return { orgId: owned.org_id, amount: free.amount };
  }

  async setOperator(userId: string, operator: boolean, actor: Actor): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('users')
        .set({ operator: operator ? 1 : 0 })
        .where('id', '=', userId)
        .execute();
      await recordAudit(trx, actor, this.clock.now(), { orgId: null, action: 'user.operator', targetType: 'user', targetId: userId, after: { operator } });
    });
  }

  async list(limit = 100): Promise<UserRow[]> {
    return (await this.db.selectFrom('users').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute()).map(toUser);
  }
}

export function requireRole(role: string): MemberRole {
  if (!['owner', 'admin', 'developer', 'billing', 'viewer'].includes(role)) throw invalidRequest(`unknown role ${role}`);
  return role as MemberRole;
}
