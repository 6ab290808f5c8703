/**
 * The in-memory policy the admission step reads: spend limits and alert thresholds per scope,
 * each org's credit total (Σ ledger entries), all-time spend (for usage tiers) and custom rate
 * limits. Reloaded from the database when the change log says limits, credits or orgs changed;
 * the hot path never queries the database, except once per spend account to load its `used`.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.ts';
import type { ClassLimits } from './rate/index.ts';
import { creditTotals, Ledger, pendingLapses } from '../billing/ledger.ts';
import { creditState } from '../billing/lots.ts';
import { spendByOrg, spendOf } from '../usage/daily.ts';
import { decode, encode, type LimitScope } from './spend-account.ts';
import { fixedClock } from '../core/clock.ts';

export type { LimitScope } from './spend-account.ts';

export interface SpendLimit {
  scope: LimitScope;
  scopeId: string;
  orgId: string;
  monthly: bigint | null;
  notify: number[];
}

/** Rate-limit override: one set for every class, or per class (with an optional `default`). */
export type RateOverride = Partial<ClassLimits> | Record<string, Partial<ClassLimits>>;

export function parseNotify(s: string): number[] {
  return s
    .split(',')
    .map((x) => Number(x.trim()))
    .filter((n) => Number.isInteger(n) && n > 0 && n <= 100)
    .sort((a, b) => a - b);
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
    try {
      v = JSON.parse(json) as RateOverride;
    } catch {
      v = null;
    }
    if (parsedOverrides.size > 10_000) parsedOverrides.clear();
    parsedOverrides.set(json, v);
  }
  return v;
}

/** The cap in force: the lower of the operator's ceiling and the org's own limit. */
function toLimit(r: { scope: string; scope_id: string; org_id: string; monthly: bigint | null; tenant_monthly: bigint | null; notify: string }): SpendLimit {
  const c = r.monthly,
    t = r.tenant_monthly;
  const monthly = c === null ? t : t === null ? c : t < c ? t : c;
  return { scope: r.scope as LimitScope, scopeId: r.scope_id, orgId: r.org_id, monthly, notify: parseNotify(r.notify) };
}

export class PolicyStore {
  private limits = new Map<string, SpendLimit>(); // `${scope}:${id}`
  private credits = new Map<string, bigint>();
  private pendingLapses = new Map<string, number[]>();
  private lapsed = new Map<string, { asOf: number; amount: bigint }>();
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
    const [credits, pending] = await Promise.all([creditTotals(this.db), pendingLapses(this.db)]);
    this.credits = credits;
    this.pendingLapses = pending;
    this.lapsed = new Map();
  }

  /**
   * Before admission: when one of the org's lots has lapsed since the credits were loaded, works
   * out what lapsed (billing/lots.ts) so `creditTotal` stops counting it at that instant — not at
   * the expiry job's next run. One query per lapse, none otherwise.
   */
  async ensureLapses(orgId: string, now: number): Promise<void> {
    const due = this.pendingLapses.get(orgId)?.filter((t) => t <= now);
    if (!due?.length) return;
    const latest = due[due.length - 1]!;
    if ((this.lapsed.get(orgId)?.asOf ?? -Infinity) >= latest) return;
    const ledger = new Ledger(this.db, fixedClock(now));
    const state = await creditState(this.db, await ledger.entries(orgId), orgId, now);
    this.lapsed.set(orgId, { asOf: latest, amount: state.unrecordedLapsed });
  }

  async reloadSpend(): Promise<void> {
    this.spend = await spendByOrg(this.db);
  }

  async reloadAll(): Promise<void> {
    await Promise.all([this.reloadLimits(), this.reloadCredits(), this.reloadSpend()]);
  }

  limit(scope: LimitScope, id: string): SpendLimit | undefined {
    return this.limits.get(`${scope}:${id}`);
  }
  /** Σ ledger entries, less lots lapsed (as of the last `ensureLapses`) whose expiry entry is not written yet. */
  creditTotal(orgId: string): bigint {
    return (this.credits.get(orgId) ?? 0n) - (this.lapsed.get(orgId)?.amount ?? 0n);
  }
  totalSpend(orgId: string): bigint {
    return this.spend.get(orgId) ?? 0n;
  }
  addSpend(orgId: string, cost: bigint): void {
    this.spend.set(orgId, this.totalSpend(orgId) + cost);
  }
  workspaceRates(id: string): RateOverride | undefined {
    return this.wsRates.get(id);
  }

  /** Loads an account's settled spend from the rollups (called once per account, then kept hot). */
  async loadUsed(account: string): Promise<bigint> {
    const a = decode(account);
    if (a.kind === 'credit') return rebasedUsed(await spendOf(this.db, { orgId: a.orgId }), a.base);
    const scope = a.scope === 'org' ? { orgId: a.id } : a.scope === 'workspace' ? { workspaceId: a.id } : { keyId: a.id };
    return spendOf(this.db, { month: a.month, ...scope });
  }
}

/**
 * The credit account an admission holds against. Spend holds count in int64 (≈ $9.2M), while an
 * org's lifetime credits and usage grow past that; both sides are therefore rebased by the same
 * base B (a multiple of 2^60 pico-USD, derived from the cap, named in the account key so every
 * instance that sees the same credits uses the same account): cap − B ≤ 2^62 and used − B.
 */
const SPAN = 2n ** 62n;
const STEP = 2n ** 60n;
export function creditAccountFor(orgId: string, cap: bigint): { key: string; cap: bigint } {
  const base = cap > SPAN ? ((cap - SPAN) / STEP) * STEP : 0n;
  return { key: encode({ kind: 'credit', orgId, base }), cap: cap - base };
}
/** An org's usage as seen by a rebased credit account (never below 0, never past int64). */
export function rebasedUsed(usage: bigint, base: bigint): bigint {
  const v = usage - base;
  return v < 0n ? 0n : v > SPAN * 2n - 1n ? SPAN * 2n - 1n : v;
}
/** The key of a monthly spend limit's account. */
export const monthAccount = (month: string, scope: LimitScope, id: string) => encode({ kind: 'month', month, scope, id });
