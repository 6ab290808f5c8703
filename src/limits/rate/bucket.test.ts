/**
 * Pure token-bucket math (integer ticks, continuous refill) and MemoryRateLimiter eviction.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../core/clock.ts';
import { TICKS_PER_TOKEN, debit, fullBucket, msUntilAvailable, msUntilFull, msUntilPositive, refill, remainingTokens } from './bucket.ts';
import { MemoryRateLimiter } from './memory.ts';

const T = TICKS_PER_TOKEN;

describe('bucket math', () => {
  test('a missing bucket is full; refill is continuous and capped', () => {
    assert.deepEqual(refill(undefined, 50, 1000), { ticks: 50 * T, updatedAt: 1000 });
    assert.deepEqual(refill({ ticks: 0, updatedAt: 0 }, 50, 1200), { ticks: T, updatedAt: 1200 });
    // 1000 ms + 200 ms in two steps is exactly one token (no float drift)
    const a = refill({ ticks: 0, updatedAt: 0 }, 50, 1000);
    assert.equal(remainingTokens(refill(a, 50, 1200).ticks), 1);
    assert.deepEqual(refill({ ticks: 0, updatedAt: 0 }, 50, 10 ** 9), fullBucket(50, 10 ** 9));
  });

  test('clock skew: time never runs backwards, lowered limits clamp', () => {
    assert.deepEqual(refill({ ticks: 5, updatedAt: 1000 }, 50, 500), { ticks: 5, updatedAt: 1000 });
    assert.deepEqual(refill({ ticks: 100 * T, updatedAt: 0 }, 50, 0), { ticks: 50 * T, updatedAt: 0 });
  });

  test('time to full / to N available / to positive', () => {
    assert.equal(msUntilFull(50 * T, 50), 0);
    assert.equal(msUntilFull(0, 50), 60_000);
    assert.equal(msUntilFull(-25 * T, 50), 90_000);
    assert.equal(msUntilAvailable(0, 50, 1), 1200);
    assert.equal(msUntilAvailable(T, 50, 1), 0);
    assert.equal(msUntilAvailable(0, 30_000, 30_001), Infinity);
    assert.equal(msUntilAvailable(1, 7, 1), Math.ceil((T - 1) / 7));
    assert.equal(msUntilPositive(1, 100), 0);
    assert.equal(msUntilPositive(0, 100), 1);
    assert.equal(msUntilPositive(-50 * T, 100), 30_001);
  });

  test('remaining is floored and never negative', () => {
    assert.equal(remainingTokens(T - 1), 0);
    assert.equal(remainingTokens(-5 * T), 0);
    assert.equal(remainingTokens(3 * T + 7), 3);
  });

  test('debit may go negative; credit caps at capacity', () => {
    assert.deepEqual(debit(undefined, 100, 150, 0), { ticks: -50 * T, updatedAt: 0 });
    assert.deepEqual(debit({ ticks: 0, updatedAt: 0 }, 100, -500, 0), { ticks: 100 * T, updatedAt: 0 });
  });
});

describe('MemoryRateLimiter memory bound', () => {
  test('full buckets are dropped at once; idle refilled buckets are swept', () => {
    const clock = new ManualClock();
    const l = new MemoryRateLimiter({ clock, sweepIntervalMs: 60_000 });
    for (let i = 0; i < 1000; i++) l.check({ buckets: [{ key: `k${i}`, dimension: 'requests', limit: 10, cost: 1 }] });
    assert.equal(l.size, 1000);
    l.check({ buckets: [{ key: 'out', dimension: 'output_tokens', limit: 10, cost: 0 }] });
    assert.equal(l.size, 1000, 'an untouched full bucket is not stored');
    l.record([{ key: 'neg', limit: 10 }], 50); // −40: needs 5 min to refill
    clock.advance(60_000);
    l.check({ buckets: [] });
    assert.equal(l.size, 1, 'only the still-negative bucket survives the sweep');
    clock.advance(240_000);
    l.check({ buckets: [] });
    assert.equal(l.size, 0);
  });

  test('hard cap trims (can only over-admit)', () => {
    const clock = new ManualClock();
    const l = new MemoryRateLimiter({ clock, maxBuckets: 100 });
    for (let i = 0; i < 500; i++) l.check({ buckets: [{ key: `k${i}`, dimension: 'requests', limit: 10, cost: 1 }] });
    assert.ok(l.size <= 100, `size ${l.size}`);
  });
});
