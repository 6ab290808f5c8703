/**
 * The most a request can cost, reserved before forwarding: every input token at the dearest
 * input-side price it could be billed at (base input, or the cache-write price of the longest
 * TTL it asks for), plus max_tokens at the output price. The input bound comes from the body's
 * byte length (metering/estimate.ts), which no tokenizer can undercut.
 *
 * Premium options widen it (docs/pricing.md): the dearest price row the request may be billed
 * at (fast mode, a service tier, the long-context band when the input bound can exceed it), the
 * data-residency multiplier, `n` choices × max_tokens, web searches × the per-search fee and the
 * input server tools can add.
 */
import { WEB_SEARCH_PICO } from '../pricing/cost.ts';
import type { PremiumRequest } from '../pricing/premium.ts';
import { adjust, type ResolvedPrice } from '../pricing/price-book.ts';
import { RESIDENCY_BPS, scaled } from '../pricing/variants.ts';
import { TOKEN_KINDS, type CatalogModel, type PriceVector } from '../pricing/types.ts';

export function worstCaseCost(p: PriceVector, maxInputTokens: number, maxOutputTokens: number, cacheTtl: '5m' | '1h' | null): bigint {
  let inPrice = p.input;
  if (cacheTtl === '5m' && p.cache_write_5m > inPrice) inPrice = p.cache_write_5m;
  if (cacheTtl === '1h') {
    if (p.cache_write_1h > inPrice) inPrice = p.cache_write_1h;
    if (p.cache_write_5m > inPrice) inPrice = p.cache_write_5m;
  }
  return BigInt(maxInputTokens) * inPrice + BigInt(maxOutputTokens) * p.output;
}

function maxVector(a: PriceVector, b: PriceVector): PriceVector {
  const out = { ...a };
  for (const k of TOKEN_KINDS) if (b[k] > out[k]) out[k] = b[k];
  return out;
}

/** The hold for a request with its premium options (none: exactly `worstCaseCost` at the standard price). */
export function premiumWorstCase(
  price: ResolvedPrice,
  model: CatalogModel,
  maxInputTokens: number,
  maxOutputTokens: number,
  cacheTtl: '5m' | '1h' | null,
  premium?: PremiumRequest,
): bigint {
  if (!premium) return worstCaseCost(price.prices, maxInputTokens, maxOutputTokens, cacheTtl);
  const input = maxInputTokens + premium.serverToolInputTokens;
  let p = price.prices;
  const v = price.variants ?? {};
  if (premium.fast && v.fast) p = maxVector(p, v.fast.prices);
  if (premium.serviceTier && v[premium.serviceTier]) p = maxVector(p, v[premium.serviceTier]!.prices);
  const band = v['long-context']?.row.aboveInputTokens ?? model.basePriceMaxInputTokens;
  const long = v['long-context'];
  if (long && band !== undefined && input > band) {
    p = maxVector(p, long.prices);
    // A tier request that crosses the band is billed the tier row scaled by the long-context factors (variants.ts).
    const tier = premium.serviceTier ? v[premium.serviceTier] : undefined;
    if (tier) p = maxVector(p, scaled(tier.prices, long.prices, price.prices));
  }
  if (premium.geo) p = adjust(p, RESIDENCY_BPS);
  return worstCaseCost(p, input, maxOutputTokens * premium.choices, cacheTtl) + BigInt(premium.webSearches) * WEB_SEARCH_PICO;
}
