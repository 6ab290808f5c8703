/**
 * Pure threshold arithmetic for the spend path: which percent marks a spend change crossed.
 * Exact bigint math: a mark t of limit L is reached when `spent × 100 ≥ L × t`, so 80 % of
 * $50 is $40.00 exactly, never a float near it.
 *
 * @example
 * const L = usdToPico('50');
 * crossedThresholds(usdToPico('39.99'), usdToPico('40'), L, [50, 80]); // [80]
 * crossedThresholds(0n, usdToPico('45'), L, [50, 80]);                  // [50, 80]
 */

/**
 * Percent thresholds crossed by moving spend from `before` to `after` against `limit`:
 * each `t` with `before < t % of limit ≤ after`, ascending, without duplicates. Reaching a mark
 * exactly counts as crossing it. No limit (null or ≤ 0) or no increase crosses nothing.
 * Thresholds must be positive integers (100 = the limit itself); anything else throws.
 */
export function crossedThresholds(before: bigint, after: bigint, limit: bigint | null, thresholds: readonly number[]): number[] {
  for (const t of thresholds) {
    if (!Number.isSafeInteger(t) || t <= 0) throw new RangeError(`alert threshold must be a positive integer percent, got ${t}`);
  }
  if (limit == null || limit <= 0n || after <= before) return [];
  const out = new Set<number>();
  for (const t of thresholds) {
    const mark = limit * BigInt(t); // compared against spend × 100
    if (before * 100n < mark && after * 100n >= mark) out.add(t);
  }
  return [...out].sort((a, b) => a - b);
}

/** True when `after` reaches the limit and `before` did not (the limit_reached alert). */
export function limitReached(before: bigint, after: bigint, limit: bigint | null): boolean {
  return crossedThresholds(before, after, limit, [100]).length > 0;
}

/**
 * Parses a stored threshold list ("80", "50,80", "" → fallback). Throws on anything that is
 * not a comma-separated list of integers 1..100.
 */
export function parseThresholds(s: string | null | undefined, fallback: readonly number[] = [80]): number[] {
  if (s == null || !s.trim()) return [...fallback];
  const out = s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map((x) => {
      if (!/^\d+$/.test(x) || Number(x) < 1 || Number(x) > 100)
        throw new RangeError(`alert thresholds: expected integers 1..100 separated by commas, got ${JSON.stringify(s)}`);
      return Number(x);
    });
  return [...new Set(out)].sort((a, b) => a - b);
}
