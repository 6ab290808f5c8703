/**
 * The most a request can cost, reserved before forwarding: every input token at the dearest
 * input-side price it could be billed at (base input, or the cache-write price of the longest
 * TTL it asks for), plus max_tokens at the output price. The input bound comes from the body's
 * byte length (metering/estimate.ts), which no tokenizer can undercut.
 */
import type { PriceVector } from '../pricing/types.ts';

export function worstCaseCost(p: PriceVector, maxInputTokens: number, maxOutputTokens: number, cacheTtl: '5m' | '1h' | null): bigint {
  let inPrice = p.input;
  if (cacheTtl === '5m' && p.cache_write_5m > inPrice) inPrice = p.cache_write_5m;
  if (cacheTtl === '1h') { if (p.cache_write_1h > inPrice) inPrice = p.cache_write_1h; if (p.cache_write_5m > inPrice) inPrice = p.cache_write_5m; }
  return BigInt(maxInputTokens) * inPrice + BigInt(maxOutputTokens) * p.output;
}
