/**
 * The in-memory price book: effective-dated, immutable rows. Resolution for (model, group, t):
 * operator rows (imported or set by hand) win over catalog rows; within a layer the row with the
 * latest `effectiveFrom <= t` wins. A group's own row for a model wins over the list price;
 * otherwise the group's adjustment (basis points, e.g. -2000 = 20 % off) applies to the list price.
 */
import type { PriceVector } from './types.ts';
import { TOKEN_KINDS } from './types.ts';

export interface PriceRow {
  id: bigint;
  model: string;
  /** '' = list price. */
  group: string;
  prices: PriceVector;
  effectiveFrom: number;
  source: string;
  /** '' (or absent) = the standard row; else a PriceVariant. */
  variant?: string;
  /** long-context rows: they apply when the request's input exceeds this many tokens. */
  aboveInputTokens?: number;
}

export interface GroupAdjustment {
  group: string;
  /** Basis points added to list price: -2000 = 20 % under list. */
  bps: number;
  effectiveFrom: number;
}

/** Price variants: rows that replace the standard row when the upstream reports that it ran that way. */
export type PriceVariant = 'fast' | 'long-context' | 'priority' | 'flex';
export const PRICE_VARIANTS: readonly PriceVariant[] = ['fast', 'long-context', 'priority', 'flex'];

export interface ResolvedVariant {
  row: PriceRow;
  prices: PriceVector;
  list: PriceVector;
}

export interface ResolvedPrice {
  /** Variant rows in effect for the model (customer price after the group's adjustment, and list). */
  variants?: Partial<Record<PriceVariant, ResolvedVariant>>;
  row: PriceRow;
  /** The prices charged (after a group adjustment, if any). */
  prices: PriceVector;
  /**
   * What the upstream costs the operator: list price, or the `upstream:<name>` group's price where
   * the operator set one (exchange/resolve.ts). Recorded as the usage event's upstream cost.
   */
  list: PriceVector;
}

const isCatalog = (r: PriceRow) => r.source.startsWith('catalog');

function pick(rows: PriceRow[] | undefined, at: number): PriceRow | undefined {
  if (!rows) return undefined;
  let best: PriceRow | undefined;
  let bestCatalog: PriceRow | undefined;
  for (const r of rows) {
    if (r.effectiveFrom > at) continue;
    if (isCatalog(r)) {
      if (!bestCatalog || r.effectiveFrom >= bestCatalog.effectiveFrom) bestCatalog = r;
    } else if (!best || r.effectiveFrom >= best.effectiveFrom) best = r;
  }
  return best ?? bestCatalog;
}

/** Applies basis points exactly, rounding half up to whole µUSD/MTok. */
export function adjust(p: PriceVector, bps: number): PriceVector {
  const out = {} as PriceVector;
  const f = BigInt(10_000 + bps);
  for (const k of TOKEN_KINDS) out[k] = (p[k] * f + 5_000n) / 10_000n;
  return out;
}

export class PriceBook {
  private rows = new Map<string, PriceRow[]>(); // key: group \0 model
  /** Variant rows, key: group \0 model \0 variant. */
  private variantRows = new Map<string, PriceRow[]>();
  /** Models with any variant row (most have none: resolve() skips the lookups). */
  private withVariants = new Set<string>();
  private adjustments = new Map<string, GroupAdjustment[]>();

  constructor(rows: PriceRow[] = [], adjustments: GroupAdjustment[] = []) {
    for (const r of rows) {
      const variant = r.variant ?? '';
      if (variant) this.withVariants.add(r.model);
      const map = variant ? this.variantRows : this.rows;
      const k = variant ? `${r.group}\0${r.model}\0${variant}` : `${r.group}\0${r.model}`;
      let list = map.get(k);
      if (!list) map.set(k, (list = []));
      list.push(r);
    }
    for (const a of adjustments) {
      let list = this.adjustments.get(a.group);
      if (!list) this.adjustments.set(a.group, (list = []));
      list.push(a);
    }
  }

  has(model: string): boolean {
    return this.rows.has(`\0${model}`);
  }

  models(): string[] {
    return [...this.rows.keys()].filter((k) => k.startsWith('\0')).map((k) => k.slice(1));
  }

  list(model: string, at: number): PriceRow | undefined {
    return pick(this.rows.get(`\0${model}`), at);
  }

  resolve(model: string, group: string | null, at: number): ResolvedPrice | undefined {
    const r = this.resolveIn(this.rows, `${model}`, group, at);
    if (r && this.withVariants.has(model)) {
      const variants: NonNullable<ResolvedPrice['variants']> = {};
      for (const v of PRICE_VARIANTS) {
        const got = this.resolveIn(this.variantRows, `${model}\0${v}`, group, at);
        if (got) variants[v] = got;
      }
      r.variants = variants;
    }
    return r;
  }

  /** Group row, else list row with the group's adjustment; `suffix` is `model` or `model \0 variant`. */
  private resolveIn(map: Map<string, PriceRow[]>, suffix: string, group: string | null, at: number): ResolvedPrice | undefined {
    const list = pick(map.get(`\0${suffix}`), at);
    if (!group) return list && { row: list, prices: list.prices, list: list.prices };
    const own = pick(map.get(`${group}\0${suffix}`), at);
    if (own) return { row: own, prices: own.prices, list: list?.prices ?? own.prices };
    if (!list) return undefined;
    const adj = this.adjustmentAt(group, at);
    return { row: list, prices: adj ? adjust(list.prices, adj.bps) : list.prices, list: list.prices };
  }

  private adjustmentAt(group: string, at: number): GroupAdjustment | undefined {
    let adj: GroupAdjustment | undefined;
    for (const a of this.adjustments.get(group) ?? []) if (a.effectiveFrom <= at && (!adj || a.effectiveFrom >= adj.effectiveFrom)) adj = a;
    return adj;
  }
}
