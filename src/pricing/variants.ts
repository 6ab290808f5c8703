/**
 * Which prices a finished request is billed at, from what the upstream REPORTS (not what the
 * request asked for): `usage.speed` "fast" → the fast-mode row; OpenAI `service_tier` "priority" /
 * "flex" → that tier's row; a prompt (input + cache writes + cache reads) above the model's band →
 * the long-context row for every token; `usage.inference_geo` "us" on a model with data residency →
 * ×1.1 on every token kind (Anthropic pricing, "Data residency"). Variants stack in that order;
 * fast mode is flat across the whole context window, so it wins over the long-context band.
 */
import type { Usage } from '../metering/usage.ts';
import { totalInputTokens } from '../metering/usage.ts';
import { adjust, type ResolvedPrice } from './price-book.ts';
import type { CatalogModel, PriceVector } from './types.ts';

/** Data residency (`inference_geo: "us"`): +10 % on every token kind. */
export const RESIDENCY_BPS = 1000;

export interface PricedUsage {
  prices: PriceVector;
  list: PriceVector;
  /** '' for the standard row, else '+'-joined markers: fast, priority, flex, long-context, geo-us; '-unpriced' when reported but not priced. */
  variant: string;
}

/** The prompt size (tokens) above which the model's long-context prices apply, if it has a band. */
export function longContextBand(price: ResolvedPrice, model: CatalogModel): number | undefined {
  return price.variants?.['long-context']?.row.aboveInputTokens ?? model.basePriceMaxInputTokens;
}

/**
 * a × b / c per token kind, rounded up (c = 0: the larger of a and b): a tier row (a) scaled by the
 * long-context factor (b / c) — the dearest bound for a tier request above the band, which has no price.
 */
export function scaled(a: PriceVector, b: PriceVector, c: PriceVector): PriceVector {
  const out = { ...a };
  for (const k of Object.keys(a) as Array<keyof PriceVector>) {
    out[k] = c[k] === 0n ? (a[k] > b[k] ? a[k] : b[k]) : (a[k] * b[k] + c[k] - 1n) / c[k];
  }
  return out;
}

export function priceUsage(u: Usage, price: ResolvedPrice, model: CatalogModel): PricedUsage {
  let prices = price.prices;
  let list = price.list;
  const parts: string[] = [];
  const v = price.variants ?? {};
  const use = (name: 'fast' | 'priority' | 'flex' | 'long-context') => {
    const row = v[name];
    if (!row) {
      parts.push(`${name}-unpriced`);
      return;
    }
    prices = row.prices;
    list = row.list;
    parts.push(name);
  };
  if (u.speed === 'fast') use('fast');
  else {
    if (u.serviceTier === 'priority' || u.serviceTier === 'flex') {
      // Anthropic reports "priority" for Priority Tier capacity the operator committed to: no
      // per-token price exists, it bills as standard (docs/pricing.md).
      if (model.provider !== 'anthropic') use(u.serviceTier);
    }
    const long = v['long-context'];
    const band = longContextBand(price, model);
    if (band !== undefined && totalInputTokens(u) > band) {
      if (!long) parts.push('long-context-unpriced');
      else if (parts.length === 0) {
        prices = long.prices;
        list = long.list;
        parts.push('long-context');
      } else {
        // A tier row (priority / flex) with a long prompt: no documented price (the gate refuses
        // priority requests estimated above the band). When the upstream reports one anyway, bill the
        // dearest bound — the tier row scaled by the long-context factor of every token kind — flagged.
        prices = scaled(prices, long.prices, price.prices);
        list = scaled(list, long.list, price.list);
        parts.push('long-context-unpriced');
      }
    }
  }
  if (u.inferenceGeo && u.inferenceGeo !== 'global' && (model.inferenceGeos ?? []).includes(u.inferenceGeo)) {
    prices = adjust(prices, RESIDENCY_BPS);
    list = adjust(list, RESIDENCY_BPS);
    parts.push(`geo-${u.inferenceGeo}`);
  }
  return { prices, list, variant: parts.join('+') };
}
