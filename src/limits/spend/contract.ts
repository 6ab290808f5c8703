/**
 * The behavioural contract of `SpendHolds`, run against every implementation (memory and
 * Redis) by `memory.test.ts` and `redis.test.ts`. Not a test file itself: it only defines
 * the suite for a given factory.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../core/clock.ts';
import { usdToPico } from '../../core/money.ts';
import { reserveWithLoad } from './load.ts';
import type { ReserveRequest, SpendHolds } from './types.ts';

export interface Harness {
  holds: SpendHolds;
  cleanup(): Promise<void>;
}
export type Factory = (opts: { clock: ManualClock; sweepIntervalMs: number }) => Promise<Harness>;

const CENT = usdToPico('0.01');
const ORG = 'month:2026-01:org:org_1';
const WS = 'month:2026-01:ws:ws_1';
const KEY = 'month:2026-01:key:key_9';
const CREDIT = 'credit:org_1';

let seq = 0;
const req = (amount: bigint, accounts: ReserveRequest['accounts'], ttlMs = 60_000, holdId = `h${++seq}`): ReserveRequest => ({
  holdId,
  amount,
  accounts,
  ttlMs,
});

/** Runs `fn` with a fresh store (no sweep timer unless asked) and always cleans up. */
async function withHolds(make: Factory, fn: (h: SpendHolds, clock: ManualClock) => Promise<void>, sweepIntervalMs = 0): Promise<void> {
  const clock = new ManualClock();
  const { holds, cleanup } = await make({ clock, sweepIntervalMs });
  try {
    await fn(holds, clock);
  } finally {
    await holds.close();
    await cleanup();
  }
}

export function spendHoldsContract(name: string, make: Factory): void {
  describe(`SpendHolds contract: ${name}`, () => {
    test('200 concurrent reserves of $0.01 against a $0.50 cap admit exactly 50', () =>
      withHolds(make, async (h) => {
        await h.setUsed(ORG, 0n);
        const results = await Promise.all(Array.from({ length: 200 }, () => h.reserve(req(CENT, [{ key: ORG, cap: usdToPico('0.50') }]))));
        assert.equal(results.filter((r) => r.ok).length, 50);
        for (const r of results) if (!r.ok) assert.equal(r.reason, 'cap');
        assert.deepEqual(await h.snapshot(ORG), { used: 0n, held: usdToPico('0.50'), loaded: true });
      }));

    test('concurrent reserve-then-settle chains never pass the cap', () =>
      withHolds(make, async (h) => {
        await h.setUsed(ORG, 0n);
        const cap = usdToPico('1.00');
        const one = async (): Promise<boolean> => {
          const r = await h.reserve(req(CENT, [{ key: ORG, cap }]));
          if (r.ok) await h.settle(r.holdId, CENT);
          return r.ok;
        };
        const ok = await Promise.all(Array.from({ length: 300 }, one));
        assert.equal(ok.filter(Boolean).length, 100);
        assert.deepEqual(await h.snapshot(ORG), { used: cap, held: 0n, loaded: true });
      }));

    test('settling below the hold frees the difference', () =>
      withHolds(make, async (h) => {
        const cap = usdToPico('1.00');
        await h.setUsed(ORG, 0n);
        const r = await h.reserve(req(usdToPico('0.60'), [{ key: ORG, cap }]));
        assert.ok(r.ok);
        assert.equal((await h.reserve(req(usdToPico('0.50'), [{ key: ORG, cap }]))).ok, false);
        const s = await h.settle(r.holdId, usdToPico('0.25'));
        assert.deepEqual(s, { status: 'live', held: usdToPico('0.60'), overshoot: 0n });
        assert.deepEqual(await h.snapshot(ORG), { used: usdToPico('0.25'), held: 0n, loaded: true });
        assert.ok((await h.reserve(req(usdToPico('0.75'), [{ key: ORG, cap }]))).ok);
        const no = await h.reserve(req(1n, [{ key: ORG, cap }]));
        assert.deepEqual(no, { ok: false, reason: 'cap', refusedKey: ORG, used: usdToPico('0.25'), held: usdToPico('0.75'), cap });
      }));

    test('settling above the hold settles anyway and reports the overshoot', () =>
      withHolds(make, async (h) => {
        await h.setUsed(ORG, 0n);
        const r = await h.reserve(req(CENT, [{ key: ORG, cap: CENT }]));
        assert.ok(r.ok);
        assert.deepEqual(await h.settle(r.holdId, 3n * CENT), { status: 'live', held: CENT, overshoot: 2n * CENT });
        assert.deepEqual(await h.snapshot(ORG), { used: 3n * CENT, held: 0n, loaded: true });
        assert.equal((await h.reserve(req(0n, [{ key: ORG, cap: CENT }]))).ok, false, 'over the cap: even 0 is refused');
      }));

    test('release frees the whole hold and adds nothing', () =>
      withHolds(make, async (h) => {
        await h.setUsed(ORG, 7n);
        const r = await h.reserve(req(CENT, [{ key: ORG, cap: CENT + 7n }]));
        assert.ok(r.ok);
        assert.deepEqual(await h.release(r.holdId), { status: 'live', held: CENT, overshoot: 0n });
        assert.deepEqual(await h.snapshot(ORG), { used: 7n, held: 0n, loaded: true });
      }));

    test('a second settle or release of the same hold is a no-op', () =>
      withHolds(make, async (h) => {
        await h.setUsed(ORG, 0n);
        const r = await h.reserve(
          req(CENT, [
            { key: ORG, cap: null },
            { key: WS, cap: null },
          ]),
        );
        assert.ok(r.ok);
        await h.settle(r.holdId, 5n);
        const none = { status: 'none', held: 0n, overshoot: 0n };
        assert.deepEqual(await h.settle(r.holdId, 5n), none);
        assert.deepEqual(await h.release(r.holdId), none);
        assert.deepEqual(await h.settle('never-reserved', 5n), none);
        assert.deepEqual(await h.snapshot(ORG), { used: 5n, held: 0n, loaded: true });
        assert.deepEqual(await h.snapshot(WS), { used: 5n, held: 0n, loaded: false });
      }));

    test('a live duplicate hold id is idempotent (nothing held twice)', () =>
      withHolds(make, async (h) => {
        await h.setUsed(ORG, 0n);
        const a = await h.reserve(req(CENT, [{ key: ORG, cap: null }], 1000, 'dup-1'));
        const b = await h.reserve(req(CENT, [{ key: ORG, cap: null }], 5000, 'dup-1'));
        assert.ok(a.ok && b.ok && !a.duplicate && b.duplicate);
        assert.equal(b.expiresAt, a.expiresAt);
        assert.equal((await h.snapshot(ORG)).held, CENT);
      }));

    test('multi-account reservation is all or nothing; the first refusing account is named', () =>
      withHolds(make, async (h) => {
        for (const k of [CREDIT, ORG, WS, KEY]) await h.setUsed(k, 0n);
        await h.addUsed(KEY, usdToPico('0.90'));
        const accounts = [
          { key: CREDIT, cap: usdToPico('100') },
          { key: ORG, cap: usdToPico('50') },
          { key: WS, cap: null },
          { key: KEY, cap: usdToPico('1') },
        ];
        const r = await h.reserve(req(usdToPico('0.20'), accounts));
        assert.deepEqual(r, { ok: false, reason: 'cap', refusedKey: KEY, used: usdToPico('0.90'), held: 0n, cap: usdToPico('1') });
        for (const k of [CREDIT, ORG, WS]) assert.equal((await h.snapshot(k)).held, 0n, k);
        const ok = await h.reserve(req(usdToPico('0.10'), accounts));
        assert.ok(ok.ok);
        for (const k of [CREDIT, ORG, WS, KEY]) assert.equal((await h.snapshot(k)).held, usdToPico('0.10'), k);
        await h.settle(ok.holdId, usdToPico('0.04'));
        for (const k of [CREDIT, ORG, WS]) assert.deepEqual(await h.snapshot(k), { used: usdToPico('0.04'), held: 0n, loaded: true });
        assert.equal((await h.snapshot(KEY)).used, usdToPico('0.94'));
      }));

    test('a capped account that was never loaded is refused (fail closed); reserveWithLoad loads it', () =>
      withHolds(make, async (h) => {
        const accounts = [
          { key: WS, cap: null },
          { key: ORG, cap: usdToPico('1') },
        ];
        const r = await h.reserve(req(CENT, accounts));
        assert.ok(!r.ok && r.reason === 'not_loaded' && r.refusedKey === ORG);
        assert.equal((await h.snapshot(WS)).held, 0n);
        const loads: string[] = [];
        const r2 = await reserveWithLoad(h, req(CENT, accounts), async (k) => {
          loads.push(k);
          return usdToPico('0.98');
        });
        assert.ok(r2.ok);
        assert.deepEqual(loads, [ORG]);
        assert.deepEqual(await h.snapshot(ORG), { used: usdToPico('0.98'), held: CENT, loaded: true });
        const r3 = await reserveWithLoad(h, req(2n * CENT, accounts), async () => assert.fail('loaded twice'));
        assert.ok(!r3.ok && r3.reason === 'cap');
      }));

    test('expiry after injected time frees holds; a late settle still counts the spend', () =>
      withHolds(make, async (h, clock) => {
        await h.setUsed(ORG, 0n);
        const cap = 2n * CENT;
        const a = await h.reserve(req(CENT, [{ key: ORG, cap }], 1000));
        const b = await h.reserve(req(CENT, [{ key: ORG, cap }], 5000));
        assert.ok(a.ok && b.ok);
        assert.equal(a.expiresAt, clock.now() + 1000);
        clock.advance(999);
        assert.equal(await h.expire(clock.now()), 0);
        assert.equal((await h.snapshot(ORG)).held, cap);
        clock.advance(1);
        assert.equal(await h.expire(clock.now()), 1);
        assert.equal((await h.snapshot(ORG)).held, CENT);
        assert.deepEqual(await h.settle(a.holdId, 4n), { status: 'expired', held: CENT, overshoot: 0n });
        assert.deepEqual(await h.snapshot(ORG), { used: 4n, held: CENT, loaded: true });
        assert.deepEqual(await h.release(a.holdId), { status: 'none', held: 0n, overshoot: 0n });
        // No explicit expire: reserve sweeps due holds itself.
        clock.advance(4000);
        const c = await h.reserve(req(cap - 4n, [{ key: ORG, cap }]));
        assert.ok(c.ok);
        assert.deepEqual(await h.snapshot(ORG), { used: 4n, held: cap - 4n, loaded: true });
        assert.deepEqual(await h.release(b.holdId), { status: 'expired', held: CENT, overshoot: 0n });
        assert.equal((await h.snapshot(ORG)).held, cap - 4n);
      }));

    test('expired hold records are forgotten after the retention period', () =>
      withHolds(make, async (h, clock) => {
        const a = await h.reserve(req(CENT, [{ key: WS, cap: null }], 1000));
        assert.ok(a.ok);
        clock.advance(1000);
        await h.expire(clock.now());
        clock.advance(3_600_000);
        await h.expire(clock.now());
        assert.deepEqual(await h.settle(a.holdId, CENT), { status: 'none', held: 0n, overshoot: 0n });
        assert.deepEqual(await h.snapshot(WS), { used: 0n, held: 0n, loaded: false });
      }));

    test('the background sweep expires holds on its own', () =>
      withHolds(
        make,
        async (h, clock) => {
          const a = await h.reserve(req(CENT, [{ key: WS, cap: null }], 1000));
          assert.ok(a.ok);
          clock.advance(2000);
          for (let i = 0; i < 100 && (await h.snapshot(WS)).held !== 0n; i++) await new Promise((r) => setTimeout(r, 10));
          assert.equal((await h.snapshot(WS)).held, 0n);
        },
        5,
      ));

    test('ensureLoaded: concurrent loaders load once; earlier deltas are kept', () =>
      withHolds(make, async (h) => {
        let calls = 0;
        const loader = async (): Promise<bigint> => {
          calls++;
          await new Promise((r) => setTimeout(r, 20));
          return 1000n;
        };
        const [x, y] = await Promise.all([h.ensureLoaded(ORG, loader), h.ensureLoaded(ORG, loader)]);
        assert.deepEqual([x, y].sort(), [false, true]);
        assert.equal(calls, 1);
        assert.deepEqual(await h.snapshot(ORG), { used: 1000n, held: 0n, loaded: true });
        assert.equal(await h.ensureLoaded(ORG, async () => assert.fail('loaded again')), false);
        // Spend recorded before the first load is added on top of the loaded value.
        await h.addUsed(WS, 5n);
        assert.equal(await h.ensureLoaded(WS, async () => 100n), true);
        assert.equal((await h.snapshot(WS)).used, 105n);
        // setUsed counts as loaded.
        await h.setUsed(KEY, 9n);
        assert.equal(await h.ensureLoaded(KEY, async () => assert.fail('loaded after setUsed')), false);
      }));

    test('arithmetic is exact above 2^53 pico (~$9.1M)', () =>
      withHolds(make, async (h) => {
        const cap = 9_123_456_789_012_345_678n; // > 2^53 by a factor of ~1000; a double's step here is 1024
        await h.setUsed(CREDIT, cap - 1001n);
        const acc = [{ key: CREDIT, cap }];
        const a = await h.reserve(req(1000n, acc));
        const b = await h.reserve(req(1n, acc));
        assert.ok(a.ok && b.ok);
        const no = await h.reserve(req(1n, acc));
        assert.deepEqual(no, { ok: false, reason: 'cap', refusedKey: CREDIT, used: cap - 1001n, held: 1001n, cap });
        await h.settle(a.holdId, 999n);
        assert.deepEqual(await h.snapshot(CREDIT), { used: cap - 2n, held: 1n, loaded: true });
        assert.ok((await h.reserve(req(1n, acc))).ok);
        assert.equal((await h.reserve(req(1n, acc))).ok, false);
        await h.addUsed(CREDIT, -(cap - 5n));
        assert.deepEqual(await h.snapshot(CREDIT), { used: 3n, held: 2n, loaded: true });
        // A huge single hold, exact to the last pico.
        const big = cap - 5n;
        assert.ok((await h.reserve(req(big, acc))).ok);
        assert.equal((await h.reserve(req(1n, acc))).ok, false);
        assert.deepEqual(await h.snapshot(CREDIT), { used: 3n, held: cap - 3n, loaded: true });
        // Carries across 9-digit limb boundaries and exact equality at the cap.
        const cases: Array<[bigint, bigint]> = [
          [999_999_999n, 1_000_000_000n],
          [999_999_999_999_999_999n, 10n ** 18n],
          [1n, 10n ** 18n],
          [10n ** 18n - 10n ** 9n, 10n ** 18n],
          [-(10n ** 18n), 8_223_372_036_854_775_807n] /* amount = INT64_MAX */,
          [0n, 0n],
        ];
        for (const [i, [used, c]] of cases.entries()) {
          const k = `credit:case_${i}`;
          await h.setUsed(k, used);
          const full = await h.reserve(req(c - used, [{ key: k, cap: c }]));
          assert.ok(full.ok, `fill ${used} to ${c}`);
          assert.equal((await h.reserve(req(1n, [{ key: k, cap: c }]))).ok, false, `1 past ${c}`);
          await h.release(full.holdId);
          assert.ok((await h.reserve(req(c - used, [{ key: k, cap: c }]))).ok, `refill ${used} to ${c}`);
        }
      }));

    test('negative used (corrections) and int64 overflow guards change nothing', () =>
      withHolds(make, async (h) => {
        await h.setUsed(ORG, -5n);
        assert.ok((await h.reserve(req(15n, [{ key: ORG, cap: 10n }]))).ok);
        assert.equal((await h.reserve(req(1n, [{ key: ORG, cap: 10n }]))).ok, false);
        const max = 9_223_372_036_854_775_807n;
        await h.setUsed(WS, 0n);
        assert.ok((await h.reserve(req(max - 1n, [{ key: WS, cap: null }]))).ok);
        await assert.rejects(
          h.reserve(
            req(2n, [
              { key: ORG, cap: null },
              { key: WS, cap: null },
            ]),
          ),
          RangeError,
        );
        assert.equal((await h.snapshot(ORG)).held, 15n, 'nothing held on the first account');
        assert.equal((await h.snapshot(WS)).held, max - 1n);
        await h.addUsed(KEY, max); // 0 + max fits
        await assert.rejects(h.addUsed(KEY, 1n), RangeError);
        assert.equal((await h.snapshot(KEY)).used, max);
      }));

    test('bad input is refused', () =>
      withHolds(make, async (h) => {
        await assert.rejects(h.reserve(req(-1n, [{ key: ORG, cap: null }])), RangeError);
        await assert.rejects(
          h.reserve(
            req(1n, [
              { key: ORG, cap: null },
              { key: ORG, cap: 5n },
            ]),
          ),
          TypeError,
        );
        await assert.rejects(h.reserve(req(1n, [])), TypeError);
        await assert.rejects(h.reserve(req(1n, [{ key: ORG, cap: null }], 0)), RangeError);
        await assert.rejects(h.settle('x', -1n), RangeError);
        await assert.rejects(h.reserve({ holdId: 'n', amount: 1 as unknown as bigint, accounts: [{ key: ORG, cap: null }], ttlMs: 1 }), TypeError);
      }));
  });
}
