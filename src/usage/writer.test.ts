import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { UsageWriter, type UsageEventRow } from './writer.ts';

const row = (id: string) => ({ id }) as unknown as UsageEventRow;

test('group commit: events queued in one tick are written in one batch', async () => {
  const batches: string[][] = [];
  const w = new UsageWriter(null, pino({ level: 'silent' }), {
    sink: async (rows) => {
      batches.push(rows.map((r) => r.id));
      return rows;
    },
  });
  await Promise.all(['a', 'b', 'c'].map((id) => w.record(row(id))));
  assert.deepEqual(batches, [['a', 'b', 'c']]);
  assert.equal(w.written, 3);
});

test('a failing database: the batch is retried until it succeeds, nothing is lost or written twice', async () => {
  let fails = 3;
  const stored: string[] = [];
  const w = new UsageWriter(null, pino({ level: 'silent' }), {
    sink: async (rows) => {
      if (fails-- > 0) throw new Error('database is locked');
      stored.push(...rows.map((r) => r.id));
      return rows;
    },
  });
  await Promise.all(['x', 'y'].map((id) => w.record(row(id))));
  assert.deepEqual(stored, ['x', 'y']);
  assert.equal(w.pending, 0);
});

test('waiters give up after waitTimeoutMs while the database is down; their events stay queued and land later', async () => {
  let down = true;
  const stored: string[] = [];
  const w = new UsageWriter(null, pino({ level: 'silent' }), {
    waitTimeoutMs: 1,
    sink: async (rows) => {
      if (down) throw new Error('connection refused');
      stored.push(...rows.map((r) => r.id));
      return rows;
    },
  });
  await assert.rejects(w.record(row('late')), /stays queued/);
  assert.equal(w.pending, 1);
  down = false;
  await new Promise((r) => setTimeout(r, 6_000));
  assert.deepEqual(stored, ['late']);
});
