/**
 * The in-memory policy the admission step reads: spend limits and alert thresholds per scope,
 * each org's credit total (Σ ledger entries), all-time spend (for usage tiers) and custom rate
 * limits. Reloaded from the database when the change log says limits, credits or orgs changed;
 * the hot path never queries the database, except once per spend account to load its `used`.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../store/schema.ts';
import type { ClassLimits } from './rate/index.ts';

export type LimitScope = 'org' | 'workspace' | 'key';

export interface SpendLimit { scope: LimitScope; scopeId: string; orgId: string; monthly: bigint | null; notify: number[] }

/** Rate-limit override: one set for every class, or per class (with an optional `default`). */
export type RateOverride = Partial<ClassLimits> | Record<string, Partial<ClassLimits>>;

const big = (col: string) => sql<bigint>`cast(coalesce(sum(${sql.ref(col)}), 0) as bigint)`;

export function parseNotify(s: string): number[] {
  return s.split(',').map((x) => Number(x.trim())).filter((n) => Number.isInteger(n) && n > 0 && n <= 100).sort((a, b) => a - b);
}

/** Resolves an override for a rate class (per-class entry, else `default`, else the flat form). */
export function overrideFor(o: RateOverride | null | undefined, rateClass: string): Partial<ClassLimits> | undefined {
  if (!o) return undefined;
  if ('rpm' in o || 'itpm' in o || 'otpm' in o) return o as Partial<ClassLimits>;
  const m = o as Record<string, Partial<ClassLimits>>;
  return m[rateClass] ?? m.default;
}

const parsedOverrides = new Map<string, RateOverride | null>();

/** Parses a stored override (memoised: the same few strings are read on every request). */
export function parseRateOverride(json: string | null): RateOverride | null {
  if (!json) return null;
  let v = parsedOverrides.get(json);
  if (v === undefined) {
    try { v = JSON.parse(json) as RateOverride; } catch { v = null; }
    if (parsedOverrides.size > 10_000) parsedOverrides.clear();
    parsedOverrides.set(json, v);
  }
  return v;
}

/** The cap in force: the lower of the operator's ceiling and the org's own limit. */
function toLimit(r: { scope: string; scope_id: string; org_id: string; monthly: bigint | null; tenant_monthly: bigint | null; notify: string }): SpendLimit {
  const c = r.monthly, t = r.tenant_monthly;
  const monthly = c === null ? t : t === null ? c : t < c ? t : c;
  return { scope: r.scope as LimitScope, scopeId: r.scope_id, orgId: r.org_id, monthly, notify: parseNotify(r.notify) };
}

export class PolicyStore {
  private limits = new Map<string, SpendLimit>(); // `${scope}:${id}`
  private credits = new Map<string, bigint>();
  private spend = new Map<string, bigint>();
  private wsRates = new Map<string, RateOverride>();

  constructor(private db: Kysely<DB>) {}

  async reloadLimits(): Promise<void> {
    const rows = await this.db.selectFrom('spend_limits').selectAll().execute();
    this.limits = new Map(rows.map((r) => [`${r.scope}:${r.scope_id}`, toLimit(r)]));
    await this.reloadWorkspaceRates();
  }

  async reloadWorkspaceRates(): Promise<void> {
    const ws = await this.db.selectFrom('workspaces').select(['id', 'rate_limits']).where('rate_limits', 'is not', null).execute();
    this.wsRates = new Map(ws.map((w) => [w.id, parseRateOverride(w.rate_limits)!]).filter(([, v]) => v) as Array<[string, RateOverride]>);
  }

  /** Re-reads the limits named by change-log refs (`scope:id`); a null ref reloads them all. */
  async applyLimitChanges(refs: Array<string | null>): Promise<void> {
    if (refs.some((r) => r === null)) return this.reloadLimits();
    const wanted = new Set(refs as string[]);
    const ids = [...new Set([...wanted].map((ref) => ref.slice(ref.indexOf(':') + 1)))];
    const rows = ids.length ? await this.db.selectFrom('spend_limits').selectAll().where('scope_id', 'in', ids).execute() : [];
    const found = new Map(rows.map((r) => [`${r.scope}:${r.scope_id}`, r]));
    for (const ref of wanted) {
      const r = found.get(ref);
      if (r) this.limits.set(ref, toLimit(r));
      else this.limits.delete(ref);
    }
  }

  async reloadCredits(): Promise<void> {
    const rows = await this.db.selectFrom('ledger_entries').select(['org_id', big('amount').as('total')]).groupBy('org_id').execute();
    this.credits = new Map(rows.map((r: any) => [r.org_id, BigInt(r.total)]));
  }

  async reloadSpend(): Promise<void> {
    const rows = await this.db.selectFrom('usage_daily').select(['org_id', big('cost').as('total')]).groupBy('org_id').execute();
    this.spend = new Map(rows.map((r: any) => [r.org_id, BigInt(r.total)]));
  }

  async reloadAll(): Promise<void> {
    await Promise.all([this.reloadLimits(), this.reloadCredits(), this.reloadSpend()]);
  }

  limit(scope: LimitScope, id: string): SpendLimit | undefined { return this.limits.get(`${scope}:${id}`); }
  creditTotal(orgId: string): bigint { return this.credits.get(orgId) ?? 0n; }
  totalSpend(orgId: string): bigint { return this.spend.get(orgId) ?? 0n; }
  addSpend(orgId: string, cost: bigint): void { this.spend.set(orgId, this.totalSpend(orgId) + cost); }
  workspaceRates(id: string): RateOverride | undefined { return this.wsRates.get(id); }

  /** Loads an account's settled spend from the rollups (called once per account, then kept hot). */
  async loadUsed(account: string): Promise<bigint> {
    const p = account.split(':');
    let q = this.db.selectFrom('usage_daily').select(big('cost').as('total'));
    if (p[0] === 'credit') q = q.where('org_id', '=', p[1]!);
    else if (p[0] === 'month') {
      q = q.where('month', '=', p[1]!);
      q = p[2] === 'org' ? q.where('org_id', '=', p[3]!) : p[2] === 'ws' ? q.where('workspace_id', '=', p[3]!) : q.where('key_id', '=', p[3]!);
    } else throw new Error(`unknown spend account ${account}`);
    const r: any = await q.executeTakeFirst();
    return BigInt(r?.total ?? 0n);
  }
}

export const creditAccount = (orgId: string) => `credit:${orgId}`;
export const monthAccount = (month: string, scope: 'org' | 'ws' | 'key', id: string) => `month:${month}:${scope}:${id}`;
