/**
 * `TOLLGATE_REDIS_FAIL_MODE=open` (docs/billing.md "When Redis is away"): while the shared Redis
 * is unreachable, a gateway instance admits on its own limits — requests are served and billed as
 * always, the caps and the balance hold on this instance — and what it settled meanwhile is added to
 * the shared counters once Redis answers again. A private Redis (append-only file, so a restart is
 * an outage, not a loss) is stopped and started; runs on SQLite, or PostgreSQL with DATABASE_URL.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { Redis } from 'ioredis';
import { monthKey, systemClock } from '../../src/core/clock.ts';
import { usdToPico } from '../../src/core/money.ts';
import { LimitsService } from '../../src/limits/service.ts';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { usageEvents } from '../support/db.ts';
import { startPrivateRedis, type PrivateRedis } from '../support/private-services.ts';

let fake: FakeUpstream | undefined;
let tg: TestGateway | undefined;
let redis: PrivateRedis | undefined;
let raw: Redis | undefined;
after(async () => {
  raw?.disconnect();
  await tg?.close();
  await fake?.close();
  await redis?.destroy();
});

const CAP = usdToPico('0.02');

test('fail open: served and billed on local limits while Redis is away, the cap holds, the shared counters catch up', async () => {
  redis = await startPrivateRedis({ persist: true });
  fake = await startFakeUpstream({ textChars: 200 });
  tg = await startTestGateway({ upstreamUrl: fake.url, openaiUpstreamUrl: fake.url, env: { REDIS_URL: redis.url, TOLLGATE_REDIS_FAIL_MODE: 'open' } });
  const c = await tg.customer();
  await new LimitsService(tg.gw.store.db, systemClock).set({ orgId: c.orgId, scope: 'org', scopeId: c.orgId, monthly: CAP });
  await tg.gw.refresh();
  const a = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0, timeout: 8000 });
  const o = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c.key, maxRetries: 0, timeout: 8000 });
  const ask = { model: 'claude-haiku-4-5', max_tokens: 50, messages: [{ role: 'user' as const, content: 'hi' }] };
  const served: string[] = [];
  for (let i = 0; i < 3; i++) served.push((await a.messages.create(ask))._request_id!);
  raw = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
  raw.on('error', () => {});
  const orgAccount = `tollgate:spend:a:month:${monthKey(Date.now())}:org:${c.orgId}`;
  await raw.connect();
  const usedBefore = BigInt((await raw.hget(orgAccount, 'used')) ?? '0');
  raw.disconnect();

  await redis.stop();
  // Served, and billed, while Redis is away: both SDKs, until this instance's view of the cap refuses.
  let refused: unknown;
  for (let i = 0; i < 200 && !refused; i++) {
    try {
      if (i % 2) served.push((await a.messages.create(ask))._request_id!);
      else served.push((await o.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }))._request_id!);
    } catch (e) {
      refused = e;
    }
  }
  assert.ok(refused instanceof Anthropic.BadRequestError || refused instanceof OpenAI.BadRequestError, `refused at the cap: ${refused}`);
  assert.equal((refused as any).status, 400);
  assert.ok(served.length > 3, 'requests were served while Redis was away');
  const events = await usageEvents(tg.databaseUrl, { orgId: c.orgId });
  assert.deepEqual(new Set(events.map((e) => e.id)), new Set(served), 'every answer billed once');
  const total = events.reduce((s, e) => s + e.cost, 0n);
  assert.ok(total <= CAP, `billed ${total} > cap ${CAP}`);

  // Redis is back (with its data): the spend settled meanwhile is added to the shared counters.
  await redis.restart(0);
  await raw.connect();
  let used = 0n;
  for (let i = 0; i < 100; i++) {
    used = BigInt((await raw.hget(orgAccount, 'used')) ?? '0');
    if (used === total) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(usedBefore > 0n);
  assert.equal(used, total, 'the shared counter holds every settled request, those of the outage included');
  // And the shared limiter refuses from there on, as this instance did.
  await assert.rejects(a.messages.create(ask), (e: any) => e.status === 400);
});
