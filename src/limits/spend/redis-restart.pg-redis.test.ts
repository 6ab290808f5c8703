/**
 * A Redis restart empties every spend hold while their requests still run. Two instances on a
 * private Redis (killed and restarted empty; the shared one is never touched): after the restart
 * nothing is admitted until the fence passes, each instance re-registers the holds it has in
 * flight, and the first admission after the fence sees them — so the cap holds. Selected only in
 * the PostgreSQL + Redis pass (`.pg-redis.test.ts`, scripts/run-tests.mjs).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { ManualClock } from '../../core/clock.ts';
import { usdToPico } from '../../core/money.ts';
import { startPrivateRedis, type PrivateRedis } from '../../../test/support/private-services.ts';
import { reserveWithLoad } from './load.ts';
import { RedisSpendHolds, SpendHoldsRecovering } from './redis.ts';

const ORG = 'month:2026-01:org:org_1';
const cap = usdToPico('0.50');
let redis: PrivateRedis | undefined;
const clients: Redis[] = [];
after(async () => {
  for (const c of clients) c.disconnect();
  await redis?.destroy();
});

const client = (url: string) => {
  const c = new Redis(url, { maxRetriesPerRequest: 2 });
  c.on('error', () => {});
  clients.push(c);
  return c;
};
const ask = (holdId: string, usd: string) => ({ holdId, amount: usdToPico(usd), accounts: [{ key: ORG, cap }], ttlMs: 60_000 });

test('after a Redis restart, holds in flight are rebuilt before anything new is admitted', async () => {
  redis = await startPrivateRedis();
  const clock = new ManualClock();
  const a = new RedisSpendHolds({ redis: client(redis.url), clock, sweepIntervalMs: 0, recoveryMs: 2000 });
  const b = new RedisSpendHolds({ redis: client(redis.url), clock, sweepIntervalMs: 0, recoveryMs: 2000 });
  await a.setUsed(ORG, 0n);
  assert.ok((await a.reserve(ask('a1', '0.30'))).ok);
  assert.ok((await b.reserve(ask('b1', '0.10'))).ok);

  await redis.restart(200);
  await new Promise((r) => setTimeout(r, 300)); // ioredis reconnects
  // The first instance to notice fences admission and re-registers its own hold.
  await assert.rejects(b.reserve(ask('b2', '0.05')), SpendHoldsRecovering);
  // The other notices on its next call (the sweep, once a second, on an idle instance).
  await a.expire(clock.now());
  assert.equal(a.restarts + b.restarts, 2);
  assert.deepEqual(await a.snapshot(ORG), { used: 0n, held: usdToPico('0.40'), loaded: false });
  await assert.rejects(a.reserve(ask('a2', '0.05')), SpendHoldsRecovering, 'still fenced');

  clock.advance(2000);
  // The database's record (here: nothing settled yet) is loaded; the rebuilt holds count against the cap.
  const tooMuch = await reserveWithLoad(b, ask('b3', '0.20'), async () => 0n);
  assert.equal(tooMuch.ok, false, 'without the rebuilt holds this would overshoot the cap');
  assert.ok((await reserveWithLoad(b, ask('b4', '0.10'), async () => 0n)).ok);
  // The requests in flight settle normally, from either instance.
  assert.equal((await a.settle('a1', usdToPico('0.25'))).status, 'live');
  assert.equal((await a.settle('b1', usdToPico('0.10'))).status, 'live');
  assert.deepEqual(await b.snapshot(ORG), { used: usdToPico('0.35'), held: usdToPico('0.10'), loaded: true });

  // A fresh instance joining later adopts the epoch without fencing anyone.
  const c = new RedisSpendHolds({ redis: client(redis.url), clock, sweepIntervalMs: 0, recoveryMs: 2000 });
  assert.ok((await c.reserve(ask('c1', '0.05'))).ok);
  assert.equal(c.restarts, 0);
  for (const h of [a, b, c]) await h.close();
});

test('while Redis is down a reservation fails (the caller fails closed)', async () => {
  redis ??= await startPrivateRedis();
  const h = new RedisSpendHolds({ redis: client(redis.url), sweepIntervalMs: 0 });
  await h.setUsed(ORG, 0n);
  await redis.stop();
  await assert.rejects(h.reserve(ask('down', '0.01')));
  await h.close();
});
