/**
 * Exact cost of a usage under a price vector: Σ tokens × µUSD/MTok = pico-USD, no rounding.
 * Web search requests cost $10 per 1,000 (Anthropic's list price) = 10¹⁰ pico-USD each.
 */
import type { Usage } from '../metering/usage.ts';
import type { PriceVector, TokenKind } from './types.ts';

export const WEB_SEARCH_PICO = 10_000_000_000n;

export interface CostBreakdown {
  total: bigint;
  lines: Array<{ kind: TokenKind | 'web_search'; tokens: number; unitPrice: bigint; cost: bigint }>;
}

export function tokensByKind(u: Usage): Record<TokenKind, number> {
  return {
    input: u.inputTokens,
    output: u.outputTokens,
    cache_write_5m: u.cacheWrite5mTokens,
    cache_write_1h: u.cacheWrite1hTokens,
    cache_read: u.cacheReadTokens,
  };
}

/** The cost in pico-USD (hot path: no allocations beyond the bigint math). */
export function costOf(u: Usage, p: PriceVector): bigint {
  return (
    BigInt(u.inputTokens) * p.input +
    BigInt(u.outputTokens) * p.output +
    BigInt(u.cacheWrite5mTokens) * p.cache_write_5m +
    BigInt(u.cacheWrite1hTokens) * p.cache_write_1h +
    BigInt(u.cacheReadTokens) * p.cache_read +
    BigInt(u.webSearchRequests) * WEB_SEARCH_PICO
  );
}

export function costBreakdown(u: Usage, p: PriceVector): CostBreakdown {
  const t = tokensByKind(u);
  const lines: CostBreakdown['lines'] = (Object.keys(t) as TokenKind[]).map((kind) => ({
    kind,
    tokens: t[kind],
    unitPrice: p[kind],
    cost: BigInt(t[kind]) * p[kind],
  }));
  if (u.webSearchRequests)
    lines.push({ kind: 'web_search', tokens: u.webSearchRequests, unitPrice: WEB_SEARCH_PICO, cost: BigInt(u.webSearchRequests) * WEB_SEARCH_PICO });
  return { total: lines.reduce((s, l) => s + l.cost, 0n), lines };
}
