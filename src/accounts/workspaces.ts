/**
 * Workspaces: rename and archive (creation is AccountsService.createWorkspace). Archiving revokes
 * every live key in the workspace in the same transaction — each key's change-log row makes every
 * instance drop it within a second — and no key can be created in it afterwards. The last active
 * workspace of an org cannot be archived (its keys need somewhere to live).
 */
import type { Kysely } from 'kysely';
import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/log.ts';
import { fail, notFound } from '../core/errors.ts';
import { recordChange } from '../store/change-log.ts';
import type { DB } from '../store/schema.ts';
import type { WorkspaceView } from './api-types.ts';
import type { Clock } from '../core/clock.ts';

export class Workspaces {
  constructor(
    private db: Kysely<DB>,
    private clock: Clock,
    private actor: Actor,
  ) {}

  async list(orgId: string): Promise<WorkspaceView[]> {
    const t = this.clock.now();
    const rows = await this.db.selectFrom('workspaces').selectAll().where('org_id', '=', orgId).orderBy('created_at').orderBy('id').execute();
    const counts = await this.db
      .selectFrom('api_keys')
      .select(['workspace_id', (eb) => eb.fn.countAll<bigint>().as('n')])
      .where('org_id', '=', orgId)
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', BigInt(t))]))
      .groupBy('workspace_id')
      .execute();
    const n = new Map(counts.map((c) => [c.workspace_id, Number(c.n)]));
    return rows.map((w) => ({
      id: w.id,
      org_id: w.org_id,
      name: w.name,
      status: w.archived_at == null ? 'active' : 'archived',
      created_at: new Date(Number(w.created_at)).toISOString(),
      archived_at: w.archived_at == null ? null : new Date(Number(w.archived_at)).toISOString(),
      active_keys: n.get(w.id) ?? 0,
    }));
  }

  async get(orgId: string, id: string): Promise<WorkspaceView> {
    const w = (await this.list(orgId)).find((x) => x.id === id);
    if (!w) throw notFound(`workspace ${id} not found`);
    return w;
  }

  async rename(orgId: string, id: string, name: string): Promise<WorkspaceView> {
    const before = await this.get(orgId, id);
    const t = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('workspaces').set({ name }).where('id', '=', id).execute();
      await recordAudit(trx, this.actor, t, {
        orgId,
        action: 'workspace.rename',
        targetType: 'workspace',
        targetId: id,
        before: { name: before.name },
        after: { name },
      });
    });
    return this.get(orgId, id);
  }

  /** Archives the workspace and revokes its keys; returns the ids of the keys revoked. */
  async archive(orgId: string, id: string): Promise<{ view: WorkspaceView; revoked: string[] }> {
    const before = await this.get(orgId, id);
    if (before.status === 'archived') return { view: before, revoked: [] };
    const t = this.clock.now();
    const revoked: string[] = [];
    await this.db.transaction().execute(async (trx) => {
      const active = await trx
        .selectFrom('workspaces')
        .select('id')
        .where('org_id', '=', orgId)
        .where('archived_at', 'is', null)
        .where('id', '!=', id)
        .execute();
      if (!active.length) throw fail.last_workspace('This is the last active workspace of the organization; create another one first.');
      await trx.updateTable('workspaces').set({ archived_at: t }).where('id', '=', id).execute();
      const keys = await trx.selectFrom('api_keys').select('id').where('workspace_id', '=', id).where('revoked_at', 'is', null).execute();
      for (const k of keys) {
        await trx.updateTable('api_keys').set({ revoked_at: t }).where('id', '=', k.id).execute();
        await recordChange(trx, 'keys', t, k.id);
        revoked.push(k.id);
      }
      await recordAudit(trx, this.actor, t, {
        orgId,
        action: 'workspace.archive',
        targetType: 'workspace',
        targetId: id,
        before: { name: before.name },
        after: { archived_at: new Date(t).toISOString(), keys_revoked: revoked },
      });
      await recordChange(trx, 'orgs', t, orgId);
    });
    return { view: await this.get(orgId, id), revoked };
  }
}
