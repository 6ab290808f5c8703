import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.ts';
import { ChangeFeed } from './change-log.ts';
import { openStore } from './connect.ts';
import { migrate } from './migrate.ts';

test('the change feed does not miss a row that commits after a later id (PostgreSQL with several writers)', async () => {
  const s = await openStore(':memory:');
  try {
    await migrate(s);
    const clock = new ManualClock();
    const feed = new ChangeFeed(s.db, 0n, clock, { gapTtlMs: 10_000 });
    const put = (id: number, ref: string) =>
      s.db
        .insertInto('change_log')
        .values({ id, at: 0, what: 'keys', ref } as any)
        .execute();
    await put(1, 'a');
    await put(3, 'c'); // id 2 is still in an open transaction somewhere
    assert.deepEqual(
      (await feed.poll()).changes.map((c) => c.ref),
      ['a', 'c'],
    );
    assert.equal(feed.awaiting, 1);
    assert.deepEqual((await feed.poll()).changes, []);
    await put(2, 'b'); // …and commits now
    assert.deepEqual(
      (await feed.poll()).changes.map((c) => c.ref),
      ['b'],
    );
    assert.equal(feed.awaiting, 0);
    await put(6, 'f'); // 4 and 5 were rolled back: given up after the TTL
    assert.deepEqual(
      (await feed.poll()).changes.map((c) => c.ref),
      ['f'],
    );
    assert.equal(feed.awaiting, 2);
    clock.advance(10_001);
    await feed.poll();
    assert.equal(feed.awaiting, 0);
  } finally {
    await s.close();
  }
});
