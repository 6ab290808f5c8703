/**
 * RedisSpendHolds: the shared contract, plus what only shows with several gateway processes
 * (separate clients racing on one cap, cross-instance settle and expiry, cross-instance
 * loading) and a differential run against MemorySpendHolds with values near int64 limits.
 * Each test uses its own key prefix and deletes its keys afterwards (never FLUSHALL).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { ManualClock } from '../../core/clock.ts';
import { usdToPico } from '../../core/money.ts';
import { spendHoldsContract } from './contract.ts';
import { MemorySpendHolds } from './memory.ts';
import { RedisSpendHolds } from './redis.ts';
import type { ReserveRequest, SpendHolds } from './types.ts';

const clients: Redis[] = [];
function client(): Redis {
  const c = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 2 });
  clients.push(c);
  return c;
}
after(async () => {
  await Promise.all(clients.map((c) => c.quit()));
});

const newPrefix = (): string => `tollgate:test:spend:${process.pid}:${randomUUID()}:`;
async function dropPrefix(r: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await r.del(...keys);
  } while (cursor !== '0');
}

const shared = client();
spendHoldsContract('redis', async ({ clock, sweepIntervalMs }) => {
  const prefix = newPrefix();
  return { holds: new RedisSpendHolds({ redis: shared, prefix, clock, sweepIntervalMs }), cleanup: () => dropPrefix(shared, prefix) };
});

describe('RedisSpendHolds across gateway instances', () => {
  const CENT = usdToPico('0.01');
  const ORG = 'month:2026-01:org:org_1';

  async function pair(fn: (a: RedisSpendHolds, b: RedisSpendHolds, clock: ManualClock, raw: Redis) => Promise<void>): Promise<void> {
    const prefix = newPrefix();
    const clock = new ManualClock();
    const a = new RedisSpendHolds({ redis: client(), prefix, clock, sweepIntervalMs: 0 });
    const b = new RedisSpendHolds({ redis: client(), prefix, clock, sweepIntervalMs: 0 });
    try {
      await fn(a, b, clock, shared);
    } finally {
      await a.close();
      await b.close();
      await dropPrefix(shared, prefix);
    }
  }

  test('two instances racing on one cap never exceed it', () =>
    pair(async (a, b) => {
      await a.setUsed(ORG, 0n);
      const cap = usdToPico('0.50');
      const r = (i: number): ReserveRequest => ({ holdId: `${i}`, amount: CENT, accounts: [{ key: ORG, cap }], ttlMs: 60_000 });
      const results = await Promise.all(Array.from({ length: 400 }, (_, i) => (i % 2 ? a : b).reserve(r(i))));
      const admitted = results.filter((x) => x.ok);
      assert.equal(admitted.length, 50);
      assert.deepEqual(await b.snapshot(ORG), { used: 0n, held: cap, loaded: true });
      // Settle each hold from the *other* instance; then race again on the freed room.
      await Promise.all(admitted.map((x, i) => (i % 2 ? a : b).settle(x.ok ? x.holdId : '', CENT / 2n)));
      assert.deepEqual(await a.snapshot(ORG), { used: cap / 2n, held: 0n, loaded: true });
      const again = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).reserve(r(1000 + i))));
      assert.equal(again.filter((x) => x.ok).length, 25);
    }));

  test("a fresh instance's first calls, racing its adoption of the epoch, are not taken for a Redis restart", () =>
    pair(async (a, b) => {
      await a.setUsed(ORG, 0n);
      const cap = usdToPico('1');
      // Calls spread over the event loop: some are sent with no epoch after the first reply has started the
      // adoption, and their replies arrive once it is done. None of them may fence admission.
      const pending: Promise<{ ok: boolean }>[] = [];
      for (let i = 0; i < 100; i++) {
        pending.push(b.reserve({ holdId: `f${i}`, amount: 1n, accounts: [{ key: ORG, cap }], ttlMs: 60_000 }));
        await new Promise((r) => setImmediate(r));
      }
      const results = await Promise.all(pending);
      assert.equal(results.filter((x) => x.ok).length, 100);
      assert.equal(b.restarts, 0);
    }));

  test("a crashed instance's holds expire through another instance", () =>
    pair(async (a, b, clock) => {
      await a.setUsed(ORG, 0n);
      assert.ok((await a.reserve({ holdId: 'crash', amount: CENT, accounts: [{ key: ORG, cap: CENT }], ttlMs: 30_000 })).ok);
      await a.close(); // "crashes": never settles
      assert.equal((await b.reserve({ holdId: 'n1', amount: 1n, accounts: [{ key: ORG, cap: CENT }], ttlMs: 1000 })).ok, false);
      clock.advance(30_000);
      assert.ok((await b.reserve({ holdId: 'n2', amount: CENT, accounts: [{ key: ORG, cap: CENT }], ttlMs: 1000 })).ok);
      assert.deepEqual(await b.settle('crash', 7n), { status: 'expired', held: CENT, overshoot: 0n });
      assert.deepEqual(await b.snapshot(ORG), { used: 7n, held: CENT, loaded: true });
    }));

  test('ensureLoaded from two instances applies one load', () =>
    pair(async (a, b) => {
      const slow = (v: bigint) => async (): Promise<bigint> => {
        await new Promise((r) => setTimeout(r, 20));
        return v;
      };
      const res = await Promise.all([a.ensureLoaded(ORG, slow(1000n)), b.ensureLoaded(ORG, slow(1000n)), a.ensureLoaded(ORG, slow(1000n))]);
      assert.equal(res.filter(Boolean).length, 1);
      assert.deepEqual(await a.snapshot(ORG), { used: 1000n, held: 0n, loaded: true });
    }));

  test('counters are stored as exact decimal strings', () =>
    pair(async (a, _b, _c, raw) => {
      const v = 9_007_199_254_740_993_001n; // 2^53 * 1000 + 1001
      await a.setUsed(ORG, v);
      await a.addUsed(ORG, 1n);
      assert.equal(await raw.hget(a.accountKey(ORG), 'used'), (v + 1n).toString());
    }));
});

test('differential: redis matches memory on random operations near int64 limits', async () => {
  const prefix = newPrefix();
  const clock = new ManualClock();
  const mem = new MemorySpendHolds({ clock, sweepIntervalMs: 0 });
  const red = new RedisSpendHolds({ redis: shared, prefix, clock, sweepIntervalMs: 0 });
  let s = 7n;
  const rnd = (n: bigint): bigint => {
    s = (s * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n;
    return (s >> 11n) % n;
  };
  const big = (): bigint => [rnd(100n), rnd(2n ** 53n) + 2n ** 53n, rnd(2n ** 62n), 9_223_372_036_854_775_807n - rnd(1000n)][Number(rnd(4n))]!;
  const keys = ['a', 'b', 'c', 'd'];
  const both = async <T>(f: (h: SpendHolds) => Promise<T>): Promise<T | string> => {
    const [x, y] = await Promise.all([f(mem).catch((e: Error) => `throws ${e.constructor.name}`), f(red).catch((e: Error) => `throws ${e.constructor.name}`)]);
    assert.deepEqual(y, x);
    return x;
  };
  try {
    const live: string[] = [];
    for (let i = 0; i < 400; i++) {
      const op = Number(rnd(10n));
      const key = keys[Number(rnd(4n))]!;
      // Draw every random value before calling `both`, so both stores see the same operation.
      if (op < 4) {
        const accounts = keys.filter(() => rnd(2n) === 1n).map((k) => ({ key: k, cap: rnd(3n) === 0n ? null : big() }));
        if (!accounts.length) continue;
        const rq: ReserveRequest = { holdId: `d${i}`, amount: rnd(3n) ? rnd(10n ** 12n) : big(), accounts, ttlMs: 1 + Number(rnd(5000n)) };
        const r = await both((h) => h.reserve(rq));
        if (typeof r === 'object' && r.ok) live.push(rq.holdId);
      } else if (op < 6 && live.length) {
        const id = live.splice(Number(rnd(BigInt(live.length))), 1)[0]!;
        const actual = rnd(3n) === 0n ? null : rnd(2n) ? rnd(10n ** 12n) : big();
        await both((h) => (actual === null ? h.release(id) : h.settle(id, actual)));
      } else if (op === 6) {
        const v = rnd(5n) ? rnd(10n ** 15n) : big() - rnd(2n) * big();
        await both((h) => h.setUsed(key, v));
      } else if (op === 7) {
        const d = rnd(2n) ? rnd(10n ** 12n) : -rnd(10n ** 12n);
        await both((h) => h.addUsed(key, d));
      } else if (op === 8) {
        clock.advance(Number(rnd(1000n)));
        await both((h) => h.expire(clock.now()));
      } else {
        const v = rnd(10n ** 15n);
        await both((h) => h.ensureLoaded(key, async () => v));
      }
      for (const k of keys) assert.deepEqual(await red.snapshot(k), await mem.snapshot(k), `after op ${i} on ${k}`);
    }
  } finally {
    await mem.close();
    await red.close();
    await dropPrefix(shared, prefix);
  }
});
