/**
 * MemorySpendHolds: the shared contract, the deadline heap, and the hot-path cost of
 * reserve + settle (reported as a test diagnostic).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ManualClock } from '../../core/clock.ts';
import { spendHoldsContract } from './contract.ts';
import { DeadlineHeap, type HeapItem } from './heap.ts';
import { MemorySpendHolds } from './memory.ts';

spendHoldsContract('memory', async ({ clock, sweepIntervalMs }) => ({
  holds: new MemorySpendHolds({ clock, sweepIntervalMs }),
  cleanup: async () => {},
}));

test('deadline heap pops in deadline order and supports removal', () => {
  let s = 42;
  const rnd = (): number => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const heap = new DeadlineHeap<HeapItem & { id: number }>();
  const items = Array.from({ length: 2000 }, (_, id) => ({ id, deadline: Math.floor(rnd() * 500), heapIndex: -1 }));
  for (const it of items) heap.push(it);
  const removed = new Set<number>();
  for (const it of items)
    if (rnd() < 0.4) {
      heap.remove(it);
      heap.remove(it);
      removed.add(it.id);
    }
  const out: number[] = [];
  for (let it = heap.pop(); it; it = heap.pop()) {
    assert.ok(!removed.has(it.id));
    out.push(it.deadline);
  }
  assert.equal(out.length, items.length - removed.size);
  for (let i = 1; i < out.length; i++) assert.ok(out[i - 1]! <= out[i]!);
});

test('settled holds leave no state behind', async () => {
  const h = new MemorySpendHolds({ clock: new ManualClock(), sweepIntervalMs: 0 });
  await h.setUsed('a', 0n);
  for (let i = 0; i < 1000; i++) {
    const r = h.reserveSync({ holdId: `x${i}`, amount: 5n, accounts: [{ key: 'a', cap: 10_000n }], ttlMs: 1000 });
    assert.ok(r.ok);
    if (i % 2) h.settleSync(`x${i}`, 1n);
    else h.releaseSync(`x${i}`);
  }
  assert.equal(h.liveHolds, 0);
  assert.deepEqual(h.snapshotSync('a'), { used: 500n, held: 0n, loaded: true });
});

test('hot-path cost: reserve + settle on 4 accounts', async (t) => {
  const clock = new ManualClock();
  const h = new MemorySpendHolds({ clock, sweepIntervalMs: 0 });
  const keys = ['credit:org_1', 'month:2026-01:org:org_1', 'month:2026-01:ws:ws_1', 'month:2026-01:key:key_9'];
  for (const k of keys) await h.setUsed(k, 0n);
  const caps = [10n ** 18n, 10n ** 18n, null, 10n ** 18n];
  const accounts = keys.map((key, i) => ({ key, cap: caps[i]! }));
  // A steady population of other live holds, as under load.
  for (let i = 0; i < 1000; i++) h.reserveSync({ holdId: `bg${i}`, amount: 1n, accounts, ttlMs: 60_000 + i });
  // Request ids exist before the hold (they come with the request), so make them outside the timing.
  // CPU time rather than wall time: the figure stays meaningful on a busy machine.
  const run = async (n: number, useAsync: boolean): Promise<number> => {
    const ids = Array.from({ length: n }, () => randomUUID());
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      const holdId = ids[i]!;
      if (useAsync) {
        const r = await h.reserve({ holdId, amount: 30_000_000_000n, accounts, ttlMs: 60_000 });
        if (!r.ok) throw new Error('refused');
        await h.settle(holdId, 12_345_678n);
      } else {
        const r = h.reserveSync({ holdId, amount: 30_000_000_000n, accounts, ttlMs: 60_000 });
        if (!r.ok) throw new Error('refused');
        h.settleSync(holdId, 12_345_678n);
      }
    }
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / n;
  };
  await run(20_000, false); // warm up the JIT
  await run(20_000, true);
  const sync = Math.min(await run(100_000, false), await run(100_000, false), await run(100_000, false));
  const async_ = Math.min(await run(100_000, true), await run(100_000, true));
  const msg = `memory reserve+settle (4 accounts, 1000 other live holds), CPU time: ${sync.toFixed(2)} µs sync, ${async_.toFixed(2)} µs via the async API`;
  t.diagnostic(msg);
  assert.ok(sync < 50, `reserve+settle took ${sync} µs`);
});
