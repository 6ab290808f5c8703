/**
 * In-process rate limiter. Synchronous: Node runs `check` on one thread, so check-and-take
 * is atomic without locks. Use it for single-instance deployments and tests; run several
 * gateway instances against RedisRateLimiter instead.
 *
 * Memory stays bounded: a full bucket is the same as a missing one, so (1) a bucket that is
 * full after an update is deleted at once, and (2) every `sweepIntervalMs` of clock time a
 * sweep deletes buckets that have refilled while idle — lossless. If the map still exceeds
 * `maxBuckets` (only under a flood of distinct keys within one window), the oldest-inserted
 * entries are dropped: lossy, but it can only over-admit, never wrongly refuse.
 */
import { systemClock, type Clock } from '../../core/clock.ts';
import { TICKS_PER_TOKEN, debit, isFull, levelAt } from './bucket.ts';
import {
  buildSnapshot,
  pickRefusal,
  refusalOf,
  takeTicks,
  validateCheck,
  validateRefs,
  type BucketRef,
  type RateCheck,
  type RateDecision,
  type RateLimiter,
} from './limiter.ts';

interface Entry {
  ticks: number;
  updatedAt: number;
  /** Limit at the last update (needed to tell whether an idle entry is full). */
  limit: number;
}

export interface MemoryRateLimiterOptions {
  clock?: Clock;
  /** Hard cap on stored buckets (default 100 000). */
  maxBuckets?: number;
  /** Sweep period in clock ms (default 60 000). */
  sweepIntervalMs?: number;
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly clock: Clock;
  private readonly maxBuckets: number;
  private readonly sweepIntervalMs: number;
  private readonly entries = new Map<string, Entry>();
  private lastSweep = -Infinity;

  constructor(opts: MemoryRateLimiterOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.maxBuckets = opts.maxBuckets ?? 100_000;
    this.sweepIntervalMs = opts.sweepIntervalMs ?? 60_000;
  }

  /** Buckets currently held (full buckets are not held). */
  get size(): number {
    return this.entries.size;
  }

  check(req: RateCheck): RateDecision {
    validateCheck(req);
    const now = Math.floor(this.clock.now());
    this.maybeSweep(now);
    const bs = req.buckets;
    const ticks = new Array<number>(bs.length);
    for (let i = 0; i < bs.length; i++) {
      const b = bs[i]!;
      ticks[i] = levelAt(this.entries.get(b.key), b.limit, now);
    }
    const { index, retryAfterMs } = pickRefusal(bs, ticks);
    if (index >= 0) {
      return { ok: false, refused: refusalOf(bs[index]!), retryAfterMs, snapshot: buildSnapshot(bs, ticks, now) };
    }
    for (let i = 0; i < bs.length; i++) {
      const b = bs[i]!;
      const left = ticks[i]! - takeTicks(b);
      ticks[i] = left;
      this.store(b.key, left, now, b.limit);
    }
    return { ok: true, snapshot: buildSnapshot(bs, ticks, now) };
  }

  adjust(buckets: readonly BucketRef[], delta: number): void {
    validateRefs(buckets, delta);
    if (delta === 0) return;
    const now = Math.floor(this.clock.now());
    for (const r of buckets) {
      const s = debit(this.entries.get(r.key), r.limit, delta, now);
      this.store(r.key, s.ticks, s.updatedAt, r.limit);
    }
  }

  record(buckets: readonly BucketRef[], outputTokens: number): void {
    if (outputTokens < 0) throw new TypeError(`output tokens must be >= 0, got ${outputTokens}`);
    this.adjust(buckets, outputTokens);
  }

  /** Drops every bucket (tests, config reload). */
  clear(): void {
    this.entries.clear();
  }

  private store(key: string, ticks: number, updatedAt: number, limit: number): void {
    if (isFull(ticks, limit)) {
      this.entries.delete(key);
      return;
    }
    const e = this.entries.get(key);
    if (e) {
      e.ticks = ticks;
      e.updatedAt = updatedAt;
      e.limit = limit;
      return;
    }
    this.entries.set(key, { ticks, updatedAt, limit });
    if (this.entries.size > this.maxBuckets) this.sweep(updatedAt, true);
  }

  private maybeSweep(now: number): void {
    if (now - this.lastSweep >= this.sweepIntervalMs) this.sweep(now, false);
  }

  /** Deletes idle buckets that are full by `now`; with `force`, then trims to 90 % of the cap. */
  sweep(now: number = Math.floor(this.clock.now()), force = false): void {
    this.lastSweep = now;
    for (const [key, e] of this.entries) {
      const elapsed = now > e.updatedAt ? now - e.updatedAt : 0;
      if (e.ticks + elapsed * e.limit >= e.limit * TICKS_PER_TOKEN) this.entries.delete(key);
    }
    if (!force || this.entries.size <= this.maxBuckets) return;
    const target = Math.floor(this.maxBuckets * 0.9);
    for (const key of this.entries.keys()) {
      if (this.entries.size <= target) break;
      this.entries.delete(key);
    }
  }
}
