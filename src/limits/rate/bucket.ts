/**
 * Continuous-refill token-bucket math, as pure functions (Anthropic §6.1: "capacity is
 * continuously replenished up to your maximum limit").
 *
 * A bucket with limit L (per minute) holds at most L tokens and refills at L/60 tokens per
 * second. To keep the arithmetic exact (and bit-identical between this file and the Redis
 * Lua script, which only has doubles), the level is stored in integer **ticks**:
 *
 *   1 token = 60 000 ticks  ⇒  a bucket refills exactly `limit` ticks per millisecond,
 *   capacity = limit × 60 000 ticks.
 *
 * With integer millisecond times and integer costs every value stays an integer (exact in a
 * double up to 2^53, i.e. limits up to ~1.5 × 10^11 per minute), so "advance 1.2 s at 50 RPM"
 * yields exactly one token, never 0.9999999.
 *
 * A missing bucket is a full bucket; that is what lets both stores forget idle buckets.
 * The level may go negative (output tokens are debited after the fact); a negative bucket
 * simply takes longer to refill.
 */

/** Ticks per token (= milliseconds per refill window). */
export const TICKS_PER_TOKEN = 60_000;
/** The refill window: a bucket refills from empty to full in this many ms. */
export const WINDOW_MS = 60_000;

/** Hot state of one bucket. `ticks` may be negative; `updatedAt` is epoch ms. */
export interface BucketState {
  ticks: number;
  updatedAt: number;
}

/** Capacity in ticks of a bucket with `limit` tokens per minute. */
export function capacityTicks(limit: number): number {
  return limit * TICKS_PER_TOKEN;
}

/** Ticks for a whole number of tokens. */
export function toTicks(tokens: number): number {
  return tokens * TICKS_PER_TOKEN;
}

/** A bucket that is full at `now`. */
export function fullBucket(limit: number, now: number): BucketState {
  return { ticks: capacityTicks(limit), updatedAt: now };
}

/**
 * The state at `now` after continuous refill (capped at capacity). `undefined` = never seen
 * or forgotten = full. If `now` is earlier than `updatedAt` (clock skew between gateway
 * instances) no time elapses and `updatedAt` does not move backwards. A level above a
 * (lowered) capacity is clamped.
 */
export function refill(state: BucketState | undefined, limit: number, now: number): BucketState {
  const cap = limit * TICKS_PER_TOKEN;
  if (state === undefined) return { ticks: cap, updatedAt: now };
  let ticks = state.ticks;
  let updatedAt = state.updatedAt;
  if (now > updatedAt) {
    ticks += (now - updatedAt) * limit;
    updatedAt = now;
  }
  return { ticks: ticks < cap ? ticks : cap, updatedAt };
}

/** Just the level of `refill(state, limit, now)`, without allocating (hot path). */
export function levelAt(state: BucketState | undefined, limit: number, now: number): number {
  const cap = limit * TICKS_PER_TOKEN;
  if (state === undefined) return cap;
  const t = now > state.updatedAt ? state.ticks + (now - state.updatedAt) * limit : state.ticks;
  return t < cap ? t : cap;
}

/** Whole tokens available (floored, never negative): what `-remaining` headers show. */
export function remainingTokens(ticks: number): number {
  return ticks <= 0 ? 0 : Math.floor(ticks / TICKS_PER_TOKEN);
}

/** True when the bucket is at capacity (so it can be forgotten). */
export function isFull(ticks: number, limit: number): boolean {
  return ticks >= limit * TICKS_PER_TOKEN;
}

/** Milliseconds until the bucket is completely replenished (0 if full). */
export function msUntilFull(ticks: number, limit: number): number {
  const missing = limit * TICKS_PER_TOKEN - ticks;
  return missing <= 0 ? 0 : Math.ceil(missing / limit);
}

/**
 * Milliseconds until `cost` tokens are available (0 if they are now). `Infinity` if
 * `cost > limit`: the bucket can never hold that many.
 */
export function msUntilAvailable(ticks: number, limit: number, cost: number): number {
  if (cost > limit) return Infinity;
  const missing = cost * TICKS_PER_TOKEN - ticks;
  return missing <= 0 ? 0 : Math.ceil(missing / limit);
}

/** Milliseconds until the level is strictly positive (the output-token admission rule). */
export function msUntilPositive(ticks: number, limit: number): number {
  return ticks > 0 ? 0 : Math.floor(-ticks / limit) + 1;
}

/**
 * Debits `tokens` (negative = credit) after refilling to `now`. Credits never exceed
 * capacity; debits may take the level below zero.
 */
export function debit(state: BucketState | undefined, limit: number, tokens: number, now: number): BucketState {
  const s = refill(state, limit, now);
  const cap = limit * TICKS_PER_TOKEN;
  const ticks = s.ticks - tokens * TICKS_PER_TOKEN;
  return { ticks: ticks < cap ? ticks : cap, updatedAt: s.updatedAt };
}
