/**
 * Splits a group's exact cost into cost-report lines (one per token type, plus web search), as
 * Anthropic's cost report does when grouped by `description`. The events record their total cost
 * and the price row they used; the split follows that row's list prices (customer-group
 * adjustments scale every kind alike) and is allocated by largest remainder, so the lines of a
 * group always sum exactly to its recorded cost.
 */
import type { Kysely } from 'kysely';
import { WEB_SEARCH_PICO } from '../../pricing/cost.ts';
import type { DB } from '../../store/schema.ts';
import type { AggRow } from '../../usage/events.ts';

export const TOKEN_TYPES = [
  ['uncached_input_tokens', 'Input Tokens'],
  ['output_tokens', 'Output Tokens'],
  ['cache_read_input_tokens', 'Cache Read Input Tokens'],
  ['cache_creation.ephemeral_5m_input_tokens', 'Cache Write (5m) Input Tokens'],
  ['cache_creation.ephemeral_1h_input_tokens', 'Cache Write (1h) Input Tokens'],
] as const;

export interface CostLine {
  costType: 'tokens' | 'web_search';
  tokenType: string | null;
  label: string;
  pico: bigint;
}

type Rates = { input: bigint; output: bigint; cache_read: bigint; cache_write_5m: bigint; cache_write_1h: bigint };

export async function loadRates(db: Kysely<DB>, ids: number[]): Promise<Map<number, Rates>> {
  if (!ids.length) return new Map();
  const rows = await db
    .selectFrom('prices')
    .select(['id', 'input', 'output', 'cache_read', 'cache_write_5m', 'cache_write_1h'])
    .where('id', 'in', ids as never)
    .execute();
  return new Map(
    rows.map((r) => [
      Number(r.id),
      {
        input: BigInt(r.input),
        output: BigInt(r.output),
        cache_read: BigInt(r.cache_read),
        cache_write_5m: BigInt(r.cache_write_5m),
        cache_write_1h: BigInt(r.cache_write_1h),
      },
    ]),
  );
}

/** Allocates `total` over `weights` in proportion, exactly (largest remainder; ties to the first). */
export function allocate(total: bigint, weights: bigint[]): bigint[] {
  const sum = weights.reduce((s, w) => s + w, 0n);
  if (sum === 0n) return weights.map((_, i) => (i === 0 ? total : 0n));
  const shares = weights.map((w) => (total * w) / sum);
  let left = total - shares.reduce((s, x) => s + x, 0n);
  const order = weights.map((w, i) => ({ i, rem: (total * w) % sum })).sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  for (const o of order) {
    if (left <= 0n) break;
    shares[o.i]! += 1n;
    left -= 1n;
  }
  return shares;
}

export function costLines(r: AggRow, rates: Rates | undefined): CostLine[] {
  const p = rates ?? { input: 0n, output: 0n, cache_read: 0n, cache_write_5m: 0n, cache_write_1h: 0n };
  const tokens = [r.input, r.output, r.cacheRead, r.cw5, r.cw1];
  const list = [
    r.input * p.input,
    r.output * p.output,
    r.cacheRead * p.cache_read,
    r.cw5 * p.cache_write_5m,
    r.cw1 * p.cache_write_1h,
    r.webSearch * WEB_SEARCH_PICO,
  ];
  // Without a price row, weigh by tokens so the cost still lands somewhere sensible.
  const weights = rates ? list : [...tokens, r.webSearch];
  const shares = allocate(r.cost, weights);
  const lines: CostLine[] = TOKEN_TYPES.map(([tokenType, label], i) => ({ costType: 'tokens' as const, tokenType, label, pico: shares[i]! }));
  lines.push({ costType: 'web_search', tokenType: null, label: 'Web Search', pico: shares[5]! });
  return lines.filter((l, i) => l.pico !== 0n || (i < 5 ? tokens[i]! > 0n : r.webSearch > 0n));
}
