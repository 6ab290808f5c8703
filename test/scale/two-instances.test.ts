/**
 * Scaled out: two gateway instances on one database share Redis for token buckets and spend holds.
 * A cap holds across both, and a rate limit counts requests from both. (Redis is started by .ci/run.)
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/core/logger.ts';
import { usdToPico } from '../../src/core/money.ts';
import { startGateway, type Gateway } from '../../src/gateway.ts';
import { AccountsService } from '../../src/accounts/service.ts';
import { Ledger } from '../../src/billing/ledger.ts';
import { LimitsService } from '../../src/limits/service.ts';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { freshDatabase } from '../support/gateway.ts';
import { usageEvents } from '../support/db.ts';
import { systemClock } from '../../src/core/clock.ts';

let fake: FakeUpstream;
let a: Gateway;
let b: Gateway;
let db: Awaited<ReturnType<typeof freshDatabase>>;
before(async () => {
  fake = await startFakeUpstream();
  fake.setDefault({ kind: 'usage', usage: { input_tokens: 60, output_tokens: 400 } as any });
  db = await freshDatabase();
  const env = {
    DATABASE_URL: db.url,
    PORT: '0',
    LOG_LEVEL: 'silent',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    ANTHROPIC_API_KEY: 'k',
    ANTHROPIC_BASE_URL: fake.url,
    TOLLGATE_FREE_CREDITS_USD: '0',
    TOLLGATE_REFRESH_MS: '50',
  };
  a = await startGateway(loadConfig(env), { logger: createLogger('silent') });
  b = await startGateway(loadConfig(env), { logger: createLogger('silent') });
});
after(async () => {
  await a?.close();
  await b?.close();
  await fake?.close();
  await db?.drop();
});

async function customer(rateLimits: object) {
  const accounts = new AccountsService(a.store.db, systemClock);
  const { org } = await accounts.createOrg({ name: 'Scaled' });
  await new Ledger(a.store.db, systemClock).append({ orgId: org.id, kind: 'purchase', amount: usdToPico('100') });
  await accounts.updateOrg(org.id, { rateLimits: JSON.stringify(rateLimits) });
  const k = await accounts.createKey({ orgId: org.id });
  return { orgId: org.id, key: k.key };
}

test('a $0.50 cap holds across two instances under 200 concurrent requests', async () => {
  const c = await customer({ rpm: 1_000_000, itpm: 1_000_000_000, otpm: 1_000_000_000 });
  await new LimitsService(a.store.db, systemClock).set({ orgId: c.orgId, scope: 'org', scopeId: c.orgId, monthly: usdToPico('0.50') });
  await Promise.all([a.refresh(), b.refresh()]);
  const clients = [a, b].map((g) => new Anthropic({ baseURL: g.url, apiKey: c.key, maxRetries: 0 }));
  const ask = { model: 'claude-sonnet-4-5', max_tokens: 400, messages: [{ role: 'user' as const, content: 'hi' }] };
  const results = await Promise.allSettled(
    Array.from({ length: 200 }, (_, i) => (i % 2 ? clients[0]!.messages.create(ask) : clients[1]!.messages.stream(ask).finalMessage())),
  );
  const ok = results.filter((r) => r.status === 'fulfilled').length;
  const ev = await usageEvents(db.url, { orgId: c.orgId });
  assert.equal(ev.length, ok);
  const total = ev.reduce((s, e) => s + e.cost, 0n);
  assert.ok(total <= usdToPico('0.50'), `billed ${total}`);
  assert.ok(ok >= 20);
  assert.deepEqual(new Set(ev.map((e) => e.upstream)), new Set(['anthropic']));
});

test('50 RPM shared by two instances: a burst of 80 admits exactly 50', async () => {
  const c = await customer({ rpm: 50, itpm: 1_000_000_000, otpm: 1_000_000_000 });
  await Promise.all([a.refresh(), b.refresh()]);
  const clients = [a, b].map((g) => new Anthropic({ baseURL: g.url, apiKey: c.key, maxRetries: 0 }));
  const ask = { model: 'claude-haiku-4-5', max_tokens: 5, messages: [{ role: 'user' as const, content: 'hi' }] };
  const results = await Promise.allSettled(Array.from({ length: 80 }, (_, i) => clients[i % 2]!.messages.create(ask)));
  const ok = results.filter((r) => r.status === 'fulfilled').length;
  // The bucket refills at 50/min: a slow burst may earn a request or two back.
  assert.ok(ok >= 50 && ok <= 52, `admitted ${ok}`);
  for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof Anthropic.RateLimitError);
});
