/**
 * The rate-limiter contract, run against BOTH implementations (memory and Redis), plus a
 * randomized parity check that they make identical decisions.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { ManualClock } from '../../core/clock.ts';
import type { RateBucket, RateDecision, RateLimiter } from './limiter.ts';
import { retryAfterHeaders } from '../../wire/rate-limit-headers.ts';
import { RedisRateLimiter } from './redis.ts';
import { memoryFactory, redisFactory, type LimiterFactory, type LimiterHandle } from '../../../test/support/rate-limiters.ts';

const rpm = (limit: number, key = 'org:o1:c:rpm'): RateBucket => ({ key, dimension: 'requests', limit, cost: 1 });
const itpm = (limit: number, cost: number, key = 'org:o1:c:itpm'): RateBucket => ({ key, dimension: 'input_tokens', limit, cost });
const otpm = (limit: number, key = 'org:o1:c:otpm'): RateBucket => ({ key, dimension: 'output_tokens', limit, cost: 0 });

function refused(d: RateDecision): Extract<RateDecision, { ok: false }> {
  assert.equal(d.ok, false, 'expected a refusal');
  return d as Extract<RateDecision, { ok: false }>;
}

const factories: LimiterFactory[] = [memoryFactory, redisFactory()];

for (const f of factories) {
  describe(f.name, () => {
    after(() => f.close());

    async function run(fn: (l: RateLimiter, clock: ManualClock, h: LimiterHandle) => Promise<void>): Promise<void> {
      const clock = new ManualClock();
      const h = await f.make(clock);
      try {
        await fn(h.limiter, clock, h);
      } finally {
        await h.cleanup();
      }
    }

    test('burst of 60 at RPM 50 (frozen clock): 50 admitted, 10 refused with retry-after 1.2 s', () =>
      run(async (l, clock) => {
        const t0 = clock.now();
        const results: RateDecision[] = [];
        for (let i = 0; i < 60; i++) results.push(await l.check({ buckets: [rpm(50)] }));
        assert.equal(results.filter((d) => d.ok).length, 50);
        assert.ok(results.slice(0, 50).every((d) => d.ok));
        for (const d of results.slice(50)) {
          const r = refused(d);
          assert.deepEqual(r.refused, { key: 'org:o1:c:rpm', dimension: 'requests', limit: 50, cost: 1, scope: 'organization', exceedsLimit: false });
          assert.equal(r.retryAfterMs, 1200);
          assert.deepEqual(retryAfterHeaders(r.retryAfterMs), { 'retry-after': '2', 'retry-after-ms': '1200' });
          assert.deepEqual(r.snapshot.requests, { key: 'org:o1:c:rpm', limit: 50, remaining: 0, resetAt: t0 + 60_000 });
        }
        assert.deepEqual(results[0]!.snapshot.requests, { key: 'org:o1:c:rpm', limit: 50, remaining: 49, resetAt: t0 + 1200 });
      }));

    test('refill: +600 ms is not enough, +1.2 s admits exactly one more', () =>
      run(async (l, clock) => {
        for (let i = 0; i < 50; i++) assert.ok((await l.check({ buckets: [rpm(50)] })).ok);
        clock.advance(600);
        assert.equal(refused(await l.check({ buckets: [rpm(50)] })).retryAfterMs, 600);
        clock.advance(600);
        assert.ok((await l.check({ buckets: [rpm(50)] })).ok);
        assert.equal(refused(await l.check({ buckets: [rpm(50)] })).retryAfterMs, 1200);
        clock.advance(60_000);
        let n = 0;
        while ((await l.check({ buckets: [rpm(50)] })).ok) n++;
        assert.equal(n, 50, 'a bucket never refills above its capacity');
      }));

    test('all-or-nothing: a refusal by the input bucket consumes no request', () =>
      run(async (l) => {
        assert.ok((await l.check({ buckets: [rpm(50), itpm(1000, 800)] })).ok);
        const r = refused(await l.check({ buckets: [rpm(50), itpm(1000, 300)] }));
        assert.equal(r.refused.dimension, 'input_tokens');
        assert.equal(r.retryAfterMs, 6000); // 100 tokens at 1000/min
        assert.equal(r.snapshot.requests!.remaining, 49);
        assert.equal(r.snapshot.input_tokens!.remaining, 200);
        const ok = await l.check({ buckets: [rpm(50), itpm(1000, 200)] });
        assert.ok(ok.ok);
        assert.equal(ok.snapshot.requests!.remaining, 48);
        assert.equal(ok.snapshot.input_tokens!.remaining, 0);
        // …and a refusal by the requests bucket consumes no input.
        for (let i = 0; i < 48; i++) assert.ok((await l.check({ buckets: [rpm(50), itpm(1000, 0)] })).ok);
        const r2 = refused(await l.check({ buckets: [rpm(50), itpm(5000, 10, 'org:o1:c2:itpm')] }));
        assert.equal(r2.refused.dimension, 'requests');
        assert.equal(r2.snapshot.input_tokens!.remaining, 5000);
      }));

    test('the refusal names the bucket with the longest wait', () =>
      run(async (l) => {
        assert.ok((await l.check({ buckets: [rpm(1), itpm(600, 600)] })).ok);
        const r = refused(await l.check({ buckets: [rpm(1), itpm(600, 300)] }));
        assert.equal(r.refused.dimension, 'requests'); // 60 s vs 30 s
        assert.equal(r.retryAfterMs, 60_000);
      }));

    test('output: admitted while positive, record() goes negative and blocks until refilled', () =>
      run(async (l, clock) => {
        const out = otpm(100);
        const ok = await l.check({ buckets: [rpm(50), itpm(1000, 10), out] });
        assert.ok(ok.ok);
        assert.equal(ok.snapshot.output_tokens!.remaining, 100, 'nothing taken up front');
        await l.record([out], 150); // level −50
        const r = refused(await l.check({ buckets: [rpm(50), itpm(1000, 10), out] }));
        assert.equal(r.refused.dimension, 'output_tokens');
        assert.equal(r.retryAfterMs, 30_001); // −50 → >0 at 100/min
        assert.equal(r.snapshot.output_tokens!.remaining, 0);
        assert.equal(r.snapshot.output_tokens!.resetAt, clock.now() + 90_000);
        const noOut = await l.check({ buckets: [rpm(50), itpm(1000, 0)] });
        assert.equal(noOut.snapshot.requests!.remaining, 48, 'the refusal took no request');
        assert.equal(noOut.snapshot.input_tokens!.remaining, 990, 'the refusal took no input');
        clock.advance(30_000); // level exactly 0: still empty
        assert.equal(refused(await l.check({ buckets: [out] })).retryAfterMs, 1);
        clock.advance(1);
        const d = await l.check({ buckets: [rpm(50), itpm(1000, 10), out] });
        assert.ok(d.ok);
        assert.equal(d.snapshot.requests!.remaining, 49, 'refilled to 50 over 30 s, minus 1');
        assert.equal(d.snapshot.input_tokens!.remaining, 990, 'refilled to 1000 over 30 s, minus 10');
      }));

    test('adjust: input estimate corrected both ways; refunds cap at the limit', () =>
      run(async (l) => {
        const b = itpm(1000, 500);
        assert.ok((await l.check({ buckets: [b] })).ok);
        await l.adjust([b], -300);
        assert.equal((await l.check({ buckets: [itpm(1000, 0)] })).snapshot.input_tokens!.remaining, 800);
        await l.adjust([b], 600);
        assert.equal((await l.check({ buckets: [itpm(1000, 0)] })).snapshot.input_tokens!.remaining, 200);
        await l.adjust([b], -5000);
        assert.equal((await l.check({ buckets: [itpm(1000, 0)] })).snapshot.input_tokens!.remaining, 1000);
        await l.adjust([b], 1500); // negative: later requests wait
        const r = refused(await l.check({ buckets: [itpm(1000, 1)] }));
        assert.equal(r.retryAfterMs, 30_060); // from −500 to +1 token = 501 tokens at 1000/min
      }));

    test('cost above the limit can never succeed: exceedsLimit, nothing taken', () =>
      run(async (l) => {
        const r = refused(await l.check({ buckets: [rpm(50), itpm(1000, 2000)] }));
        assert.equal(r.refused.exceedsLimit, true);
        assert.equal(r.refused.cost, 2000);
        assert.ok(r.retryAfterMs >= 1);
        assert.equal(r.snapshot.requests!.remaining, 50);
      }));

    test('snapshot shows the most restrictive bucket per dimension', () =>
      run(async (l) => {
        const org = itpm(10_000, 400, 'org:o1:c:itpm');
        const ws = { ...itpm(1000, 400, 'ws:w1:c:itpm'), scope: 'workspace' as const };
        const d = await l.check({ buckets: [org, ws] });
        assert.ok(d.ok);
        assert.equal(d.snapshot.input_tokens!.key, 'ws:w1:c:itpm');
        assert.equal(d.snapshot.input_tokens!.remaining, 600);
        const r = refused(await l.check({ buckets: [org, { ...ws, cost: 700 }] }));
        assert.equal(r.refused.scope, 'workspace');
        assert.equal(r.refused.key, 'ws:w1:c:itpm');
      }));

    test('a clock running backwards does not refill', () =>
      run(async (l, clock) => {
        for (let i = 0; i < 5; i++) assert.ok((await l.check({ buckets: [rpm(5)] })).ok);
        clock.advance(-30_000);
        assert.equal(refused(await l.check({ buckets: [rpm(5)] })).retryAfterMs, 12_000);
        clock.advance(30_000); // back where the bucket was last updated: still nothing refilled
        assert.equal(refused(await l.check({ buckets: [rpm(5)] })).retryAfterMs, 12_000);
        clock.advance(12_000);
        assert.ok((await l.check({ buckets: [rpm(5)] })).ok);
      }));

    test('concurrent checks (Promise.all of 100) admit exactly the limit', () =>
      run(async (l) => {
        const ds = await Promise.all(Array.from({ length: 100 }, () => l.check({ buckets: [rpm(50), itpm(100_000, 100), otpm(1000)] })));
        assert.equal(ds.filter((d) => d.ok).length, 50);
        const next = await l.check({ buckets: [rpm(50), itpm(100_000, 0)] });
        assert.equal(next.ok, false);
        assert.equal(next.snapshot.input_tokens!.remaining, 100_000 - 50 * 100);
      }));

    test('malformed checks throw', () =>
      run(async (l) => {
        await assert.rejects(async () => l.check({ buckets: [rpm(0)] }), TypeError);
        await assert.rejects(async () => l.check({ buckets: [itpm(10, 1.5)] }), TypeError);
        await assert.rejects(async () => l.check({ buckets: [rpm(5), rpm(5)] }), TypeError);
        await assert.rejects(async () => l.record([{ key: 'k', limit: 5 }], -1), TypeError);
        assert.deepEqual(await l.check({ buckets: [] }), { ok: true, snapshot: {} });
      }));

    if (f.name === 'RedisRateLimiter') {
      test('keys carry a TTL until full and vanish once full', () =>
        run(async (l, _clock, h) => {
          const b = itpm(1000, 500);
          assert.ok((await l.check({ buckets: [b] })).ok);
          const ttl = await h.redis!.pttl(h.prefix + b.key);
          assert.ok(ttl > 29_000 && ttl <= 31_000, `ttl ${ttl}`); // 30 s to full + 1 s slack
          await l.adjust([b], -500);
          assert.equal(await h.redis!.exists(h.prefix + b.key), 0);
        }));

      test('falls back to EVAL when the script cache is empty (NOSCRIPT)', () =>
        run(async (_l, clock, h) => {
          const calls: string[] = [];
          const real = h.redis!;
          const fake = {
            evalsha: async () => {
              calls.push('evalsha');
              throw new Error('NOSCRIPT No matching script. Please use EVAL.');
            },
            eval: (...args: Parameters<Redis['eval']>) => {
              calls.push('eval');
              return real.eval(...args);
            },
          } as unknown as Redis;
          const l = new RedisRateLimiter({ redis: fake, clock, prefix: h.prefix });
          assert.ok((await l.check({ buckets: [rpm(1)] })).ok);
          assert.equal((await l.check({ buckets: [rpm(1)] })).ok, false);
          assert.deepEqual(calls, ['evalsha', 'eval', 'evalsha', 'eval']);
        }));
    }
  });
}

describe('memory and Redis make identical decisions', () => {
  const redis = redisFactory();
  after(() => redis.close());

  test('randomized sequence of checks, adjusts, records and clock moves', async () => {
    const cm = new ManualClock();
    const cr = new ManualClock();
    const m = await memoryFactory.make(cm);
    const r = await redis.make(cr);
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pool: RateBucket[] = [rpm(7), rpm(50, 'ws:w:c:rpm'), itpm(1000, 0), itpm(30_000, 0, 'ws:w:c:itpm'), otpm(200), otpm(8000, 'ws:w:c:otpm')];
    try {
      for (let step = 0; step < 400; step++) {
        const op = rnd(10);
        if (op < 6) {
          const buckets = pool
            .filter(() => rnd(2) === 0)
            .map((b) => ({ ...b, cost: b.dimension === 'requests' ? 1 : b.dimension === 'input_tokens' ? rnd(1200) : 0 }));
          assert.deepEqual(await r.limiter.check({ buckets }), await m.limiter.check({ buckets }), `step ${step}`);
        } else if (op < 8) {
          const refs = pool.filter((b) => b.dimension === 'input_tokens');
          const delta = rnd(800) - 400;
          m.limiter.adjust(refs, delta);
          await r.limiter.adjust(refs, delta);
        } else if (op < 9) {
          const refs = pool.filter((b) => b.dimension === 'output_tokens');
          const n = rnd(400);
          m.limiter.record(refs, n);
          await r.limiter.record(refs, n);
        } else {
          const dt = rnd(5000);
          cm.advance(dt);
          cr.advance(dt);
        }
      }
    } finally {
      await r.cleanup();
    }
  });
});
