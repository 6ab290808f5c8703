/**
 * The rate-limiter contract, shared by MemoryRateLimiter (memory.ts) and RedisRateLimiter
 * (redis.ts), plus the decision/snapshot logic both use (the Lua script mirrors `bucketWait`).
 *
 * One request names several buckets at once (org×class requests / input / output, optionally
 * workspace×class and key×class with lower limits). Semantics:
 *  - ALL-or-nothing: admit only if every bucket can pay; then take from all of them.
 *    Otherwise take nothing and name the refusing bucket (the one with the longest wait).
 *  - `requests` / `input_tokens`: `cost` must be available and is taken up front. For input
 *    the caller passes an estimate and later calls `adjust(refs, actual - estimate)`.
 *    Cache reads must be excluded by the caller (they do not count toward ITPM).
 *  - `output_tokens`: `cost` is ignored (pass 0). Admission only needs the bucket to be
 *    strictly positive (Anthropic since 2026-02-19: OTPM is evaluated as tokens are produced;
 *    max_tokens does not count). After the response, `record(refs, outputTokens)` debits the
 *    actual output; the level may go negative, which delays later requests.
 *  - `cost > limit` on a requests/input bucket can never succeed: the refusal carries
 *    `exceedsLimit: true`. We follow Anthropic (a 429 rate_limit_error "This request would
 *    exceed your organization's rate limit of N input tokens per minute", not a 400), and the
 *    error helper adds `x-should-retry: false` so SDKs do not retry in vain. Its
 *    `retryAfterMs` is the time until that bucket is full (Anthropic always sends retry-after).
 */
import { TICKS_PER_TOKEN, msUntilAvailable, msUntilFull, msUntilPositive, remainingTokens } from './bucket.ts';

export type RateDimension = 'requests' | 'input_tokens' | 'output_tokens';
export const RATE_DIMENSIONS: readonly RateDimension[] = ['requests', 'input_tokens', 'output_tokens'];

/** Whose limit a bucket enforces (only used to word the 429 message). Default: organization. */
export type RateScope = 'organization' | 'workspace' | 'api_key';

export interface RateBucket {
  /** Store key; unique per bucket (see keys.ts for the conventional layout). */
  key: string;
  dimension: RateDimension;
  /** Per-minute limit, a positive integer (= capacity). */
  limit: number;
  /** Whole units to take now (1 request, estimated input tokens); ignored for output_tokens. */
  cost: number;
  scope?: RateScope;
}

export interface RateCheck {
  buckets: RateBucket[];
}

/** Enough to debit/credit a bucket later: its key and its (current) limit. */
export interface BucketRef {
  key: string;
  limit: number;
}

/** The most restrictive bucket of one dimension, after this request. */
export interface DimensionSnapshot {
  key: string;
  limit: number;
  /** Whole tokens/requests left, floored, never negative. */
  remaining: number;
  /** Epoch ms at which this bucket is fully replenished. */
  resetAt: number;
}

/** Per dimension present in the check; everything the header writers need. */
export type RateSnapshot = Partial<Record<RateDimension, DimensionSnapshot>>;

export interface RateRefusal {
  key: string;
  dimension: RateDimension;
  limit: number;
  cost: number;
  scope: RateScope;
  /** cost > limit: waiting never helps. */
  exceedsLimit: boolean;
}

export type RateDecision = { ok: true; snapshot: RateSnapshot } | { ok: false; refused: RateRefusal; retryAfterMs: number; snapshot: RateSnapshot };

export interface RateLimiter {
  /** All-or-nothing check-and-take over `req.buckets`. */
  check(req: RateCheck): Promise<RateDecision> | RateDecision;
  /** Input correction once usage is known: `delta = actual - estimate` (+ debits, − refunds). */
  adjust(buckets: readonly BucketRef[], delta: number): Promise<void> | void;
  /** Debits the actual output tokens after the response (may take the bucket below zero). */
  record(buckets: readonly BucketRef[], outputTokens: number): Promise<void> | void;
}

/**
 * Wait in ms before `b` would admit at level `ticks`: 0 = admissible now, Infinity = never
 * (cost > limit). Mirrored line for line by the Lua script.
 */
export function bucketWait(b: RateBucket, ticks: number): number {
  if (b.dimension === 'output_tokens') return msUntilPositive(ticks, b.limit);
  return msUntilAvailable(ticks, b.limit, b.cost);
}

/** Ticks this bucket takes on admission. */
export function takeTicks(b: RateBucket): number {
  return b.dimension === 'output_tokens' ? 0 : b.cost * TICKS_PER_TOKEN;
}

/**
 * The refusal, given each bucket's wait: the bucket with the longest wait (a retry needs all
 * of them), with "never" first. `index` −1 = admitted.
 */
export function pickRefusal(buckets: readonly RateBucket[], ticks: readonly number[]): { index: number; retryAfterMs: number } {
  let index = -1;
  let worst = 0;
  for (let i = 0; i < buckets.length; i++) {
    const w = bucketWait(buckets[i]!, ticks[i]!);
    if (w > worst) {
      worst = w;
      index = i;
    }
  }
  if (index < 0) return { index, retryAfterMs: 0 };
  const b = buckets[index]!;
  // "Never" still gets a finite retry-after: the time until that bucket is full.
  const retryAfterMs = worst === Infinity ? Math.max(1, msUntilFull(ticks[index]!, b.limit)) : worst;
  return { index, retryAfterMs };
}

export function refusalOf(b: RateBucket): RateRefusal {
  return {
    key: b.key,
    dimension: b.dimension,
    limit: b.limit,
    cost: b.cost,
    scope: b.scope ?? 'organization',
    exceedsLimit: b.dimension !== 'output_tokens' && b.cost > b.limit,
  };
}

/**
 * Per dimension, the most restrictive bucket = the lowest level after the request
 * (ties: the lower limit, then the first listed). `ticks` are the levels after taking.
 */
export function buildSnapshot(buckets: readonly RateBucket[], ticks: readonly number[], now: number): RateSnapshot {
  const snap: RateSnapshot = {};
  const best: Partial<Record<RateDimension, number>> = {};
  for (let i = 0; i < buckets.length; i++) {
    const b = buckets[i]!;
    const t = ticks[i]!;
    const j = best[b.dimension];
    if (j !== undefined) {
      const tj = ticks[j]!;
      if (t > tj || (t === tj && b.limit >= buckets[j]!.limit)) continue;
    }
    best[b.dimension] = i;
    snap[b.dimension] = { key: b.key, limit: b.limit, remaining: remainingTokens(t), resetAt: now + msUntilFull(t, b.limit) };
  }
  return snap;
}

function isPosInt(n: unknown): boolean {
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0;
}

/** Throws TypeError on malformed checks (programming errors, never user input). */
export function validateCheck(req: RateCheck): void {
  const bs = req.buckets;
  for (let i = 0; i < bs.length; i++) {
    const b = bs[i]!;
    if (typeof b.key !== 'string' || b.key === '') throw new TypeError(`rate bucket ${i}: empty key`);
    if (b.dimension !== 'requests' && b.dimension !== 'input_tokens' && b.dimension !== 'output_tokens') {
      throw new TypeError(`rate bucket ${b.key}: unknown dimension ${String(b.dimension)}`);
    }
    if (!isPosInt(b.limit)) throw new TypeError(`rate bucket ${b.key}: limit must be a positive integer, got ${b.limit}`);
    if (!Number.isSafeInteger(b.cost) || b.cost < 0) throw new TypeError(`rate bucket ${b.key}: cost must be a non-negative integer, got ${b.cost}`);
    for (let j = 0; j < i; j++) if (bs[j]!.key === b.key) throw new TypeError(`rate bucket ${b.key} listed twice`);
  }
}

/** Same for adjust/record. */
export function validateRefs(refs: readonly BucketRef[], amount: number): void {
  if (!Number.isSafeInteger(amount)) throw new TypeError(`rate adjustment must be an integer, got ${amount}`);
  for (const r of refs) {
    if (typeof r.key !== 'string' || r.key === '') throw new TypeError('rate bucket ref: empty key');
    if (!isPosInt(r.limit)) throw new TypeError(`rate bucket ${r.key}: limit must be a positive integer, got ${r.limit}`);
  }
}
