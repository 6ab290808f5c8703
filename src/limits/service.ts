/**
 * Spend limits and notification thresholds (writes behind `tollgate limits` and the admin API).
 *
 * Limits come in layers, and the cap in force is the lowest of them:
 *  - the operator's ceiling (`monthly`; the CLI and the admin token set it);
 *  - the org's own limit (`tenant_monthly`; admin keys set it). A tenant can always lower what
 *    is in force but never raise or remove the operator's ceiling: a tenant value above the
 *    ceiling is refused. A workspace-scoped admin key may lower an org admin's value but not
 *    raise or remove it (the value then stays the org admin's).
 */
import type { Kysely, Selectable } from 'kysely';
import type { DB } from '../store/schema.ts';
import { recordChange } from '../store/change-log.ts';
import { SYSTEM, type Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/log.ts';
import { fail, invalidRequest, notFound } from '../core/errors.ts';
import { formatUsd, picoToUsd } from '../core/money.ts';
import { parseNotify, type LimitScope } from './policy.ts';
import type { Clock } from '../core/clock.ts';

/** Which layer a writer sets: the operator's ceiling, or the tenant's own limit (set by an org-wide or a workspace admin). */
export type LimitLayer = 'operator' | 'org' | 'workspace';

export interface LimitView {
  scope: LimitScope;
  scope_id: string;
  org_id: string;
  /** The cap in force: the lower of the two layers (null = none). */
  monthly: bigint | null;
  /** The operator's ceiling. */
  ceiling: bigint | null;
  /** The org's own limit, and who set it. */
  tenant: bigint | null;
  tenant_level: 'org' | 'workspace' | null;
  notify: number[];
}

export const effectiveCap = (ceiling: bigint | null, tenant: bigint | null): bigint | null =>
  ceiling === null ? tenant : tenant === null ? ceiling : tenant < ceiling ? tenant : ceiling;

const toView = (r: Selectable<DB['spend_limits']>): LimitView => ({
  scope: r.scope as LimitScope,
  scope_id: r.scope_id,
  org_id: r.org_id,
  monthly: effectiveCap(r.monthly ?? null, r.tenant_monthly ?? null),
  ceiling: r.monthly ?? null,
  tenant: r.tenant_monthly ?? null,
  tenant_level: r.tenant_level === 'org' || r.tenant_level === 'workspace' ? r.tenant_level : null,
  notify: parseNotify(r.notify),
});
const usd = (p: bigint | null) => (p === null ? null : picoToUsd(p));
const auditView = (v: LimitView | undefined) =>
  v && { operator_limit_usd: usd(v.ceiling), org_limit_usd: usd(v.tenant), org_limit_set_by: v.tenant_level, in_force_usd: usd(v.monthly), notify: v.notify };

export class LimitsService {
  constructor(
    private db: Kysely<DB>,
    private clock: Clock,
    private actor: Actor = SYSTEM,
  ) {}

  /**
   * Sets (or clears, with monthly = null) one layer of the monthly cap of an org, workspace or key;
   * `notify` (optional) replaces the alert thresholds.
   */
  async set(
    input: { orgId: string; scope: LimitScope; scopeId: string; monthly: bigint | null; notify?: number[] },
    layer: LimitLayer = 'operator',
  ): Promise<LimitView> {
    await this.checkScope(input);
    if (input.monthly !== null && input.monthly < 0n) throw invalidRequest('a monthly limit cannot be negative');
    if (input.notify && (!input.notify.length || input.notify.some((n) => !Number.isInteger(n) || n < 1 || n > 100)))
      throw invalidRequest('notify takes percentages between 1 and 100');
    const t = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('spend_limits').selectAll().where('scope', '=', input.scope).where('scope_id', '=', input.scopeId).executeTakeFirst();
      const before = row ? toView(row) : undefined;
      let ceiling = before?.ceiling ?? null;
      let tenant = before?.tenant ?? null;
      let tenantLevel = before?.tenant_level ?? null;
      if (layer === 'operator') {
        ceiling = input.monthly;
      } else {
        if (ceiling !== null && (input.monthly === null ? false : input.monthly > ceiling)) {
          throw fail.above_operator_ceiling(
            `The operator's limit on this ${input.scope} is ${formatUsd(ceiling)} a month: you can set a lower limit, but not raise it.`,
          );
        }
        if (layer === 'workspace' && tenantLevel === 'org') {
          if (input.monthly === null || (tenant !== null && input.monthly > tenant)) {
            throw fail.above_org_limit(
              `An organization admin set this limit to ${tenant === null ? 'none' : formatUsd(tenant)} a month: a workspace admin key can lower it, not raise or remove it.`,
            );
          }
          tenant = input.monthly;
        } else {
          tenant = input.monthly;
          tenantLevel = input.monthly === null ? null : layer;
        }
      }
      const notify = (input.notify ?? before?.notify ?? [80]).join(',');
      await trx
        .insertInto('spend_limits')
        .values({
          scope: input.scope,
          scope_id: input.scopeId,
          org_id: input.orgId,
          monthly: ceiling,
          tenant_monthly: tenant,
          tenant_level: tenantLevel,
          notify,
          updated_at: t,
        })
        .onConflict((oc) =>
          oc.columns(['scope', 'scope_id']).doUpdateSet({ monthly: ceiling, tenant_monthly: tenant, tenant_level: tenantLevel, notify, updated_at: t }),
        )
        .execute();
      const after = toView(
        await trx.selectFrom('spend_limits').selectAll().where('scope', '=', input.scope).where('scope_id', '=', input.scopeId).executeTakeFirstOrThrow(),
      );
      await recordAudit(trx, this.actor, t, {
        orgId: input.orgId,
        action: layer === 'operator' ? 'limit.ceiling' : 'limit.set',
        targetType: `${input.scope}_limit`,
        targetId: input.scopeId,
        before: auditView(before),
        after: auditView(after),
      });
      await recordChange(trx, 'limits', t, `${input.scope}:${input.scopeId}`);
      return after;
    });
  }

  async list(orgId: string): Promise<LimitView[]> {
    const rows = await this.db.selectFrom('spend_limits').selectAll().where('org_id', '=', orgId).execute();
    return rows.map(toView);
  }

  async get(scope: LimitScope, scopeId: string): Promise<LimitView | undefined> {
    const r = await this.db.selectFrom('spend_limits').selectAll().where('scope', '=', scope).where('scope_id', '=', scopeId).executeTakeFirst();
    return r && toView(r);
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
