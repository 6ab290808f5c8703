/** Spend limits and notification thresholds (writes behind `tollgate limits`). */
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.ts';
import { recordChange } from '../store/change-log.ts';
import { invalidRequest, notFound } from '../core/errors.ts';
import { parseNotify, type LimitScope } from './policy.ts';

export interface LimitView { scope: LimitScope; scope_id: string; org_id: string; monthly: bigint | null; notify: number[] }

export class LimitsService {
  constructor(private db: Kysely<DB>, private now: () => number) {}

  /** Sets (or clears, with monthly = null) the monthly cap of an org, workspace or key. */
  async set(input: { orgId: string; scope: LimitScope; scopeId: string; monthly: bigint | null; notify?: number[] }): Promise<LimitView> {
    await this.checkScope(input);
    if (input.monthly !== null && input.monthly < 0n) throw invalidRequest('a monthly limit cannot be negative');
    const notify = (input.notify ?? [80]).join(',');
    if (!parseNotify(notify).length && input.notify?.length) throw invalidRequest('--notify takes percentages between 1 and 100');
    const t = this.now();
    await this.db.insertInto('spend_limits').values({ scope: input.scope, scope_id: input.scopeId, org_id: input.orgId, monthly: input.monthly, notify, updated_at: t })
      .onConflict((oc) => oc.columns(['scope', 'scope_id']).doUpdateSet({ monthly: input.monthly, notify, updated_at: t })).execute();
    await recordChange(this.db, 'limits', t);
    return { scope: input.scope, scope_id: input.scopeId, org_id: input.orgId, monthly: input.monthly, notify: parseNotify(notify) };
  }

  async list(orgId: string): Promise<LimitView[]> {
    const rows = await this.db.selectFrom('spend_limits').selectAll().where('org_id', '=', orgId).execute();
    return rows.map((r) => ({ scope: r.scope as LimitScope, scope_id: r.scope_id, org_id: r.org_id, monthly: r.monthly, notify: parseNotify(r.notify) }));
  }

  private async checkScope(i: { orgId: string; scope: LimitScope; scopeId: string }) {
    if (i.scope === 'org') {
      if (i.scopeId !== i.orgId) throw invalidRequest('org limit must name the org itself');
      const o = await this.db.selectFrom('orgs').select('id').where('id', '=', i.orgId).executeTakeFirst();
      if (!o) throw notFound(`org ${i.orgId} not found`);
      return;
    }
    const table = i.scope === 'workspace' ? 'workspaces' : 'api_keys';
    const r = await this.db.selectFrom(table).select('org_id').where('id', '=', i.scopeId).executeTakeFirst();
    if (!r || r.org_id !== i.orgId) throw notFound(`${i.scope} ${i.scopeId} not found in org ${i.orgId}`);
  }
}
