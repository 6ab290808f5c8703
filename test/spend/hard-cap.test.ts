/**
 * The hard cap holds: 200 concurrent requests (streaming and not) against an org with a $0.50
 * cap never bill more than $0.50 and never take the balance below zero; every request either
 * succeeded and was billed or was refused. Limit errors reach both SDKs as their proper classes
 * without retries.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { usageEvents } from '../support/db.ts';
import { usdToPico } from '../../src/core/money.ts';
import { LimitsService } from '../../src/limits/service.ts';
import { systemClock } from '../../src/core/clock.ts';

let fake: FakeUpstream;
let tg: TestGateway;
before(async () => {
  fake = await startFakeUpstream();
  // Each request reports 60 input + 400 output tokens on Sonnet ($0.00618): ~80 fit in $0.50.
  fake.setDefault({ kind: 'usage', usage: { input_tokens: 60, output_tokens: 400 } as any });
  tg = await startTestGateway({ upstreamUrl: fake.url });
});
after(async () => {
  await tg?.close();
  await fake?.close();
});

async function fire(key: string, n: number) {
  const anthropic = new Anthropic({ baseURL: tg.url, apiKey: key, maxRetries: 0 });
  const openai = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: key, maxRetries: 0 });
  const ask = { model: 'claude-sonnet-4-5', max_tokens: 400, messages: [{ role: 'user' as const, content: 'Count to ten.' }] };
  const jobs = Array.from({ length: n }, (_, i) => {
    switch (i % 4) {
      case 0:
        return anthropic.messages.create(ask).then((m) => m._request_id);
      case 1:
        return anthropic.messages
          .stream(ask)
          .finalMessage()
          .then(() => 'stream');
      case 2:
        return openai.chat.completions.create({ model: ask.model, max_tokens: 400, messages: ask.messages }).then(() => 'chat');
      default:
        return openai.chat.completions.create({ model: ask.model, max_tokens: 400, stream: true, messages: ask.messages }).then(async (s) => {
          for await (const _ of s) {
            /* drain */
          }
          return 'chat-stream';
        });
    }
  });
  return Promise.allSettled(jobs);
}

test('200 concurrent requests against a $0.50 monthly cap: never more than $0.50 billed', async () => {
  const c = await tg.customer({ credits: '100' });
  await new LimitsService(tg.gw.store.db, systemClock).set({ orgId: c.orgId, scope: 'org', scopeId: c.orgId, monthly: usdToPico('0.50') });
  await tg.accounts.updateOrg(c.orgId, { rateLimits: JSON.stringify({ rpm: 100000, itpm: 100000000, otpm: 100000000 }) });
  await tg.gw.refresh();
  const results = await fire(c.key, 200);
  const ok = results.filter((r) => r.status === 'fulfilled').length;
  const refused = results.filter((r) => r.status === 'rejected');
  for (const r of refused) {
    const e = (r as PromiseRejectedResult).reason;
    assert.equal(e.status, 400, `refusal is the limit error, got ${e.status} ${e.message}`);
    assert.match(e.message, /usage limit/);
  }
  const ev = await usageEvents(tg.databaseUrl, { orgId: c.orgId });
  const total = ev.reduce((s, e) => s + e.cost, 0n);
  assert.equal(ev.length, ok, 'every success billed exactly once, every refusal not at all');
  assert.ok(total <= usdToPico('0.50'), `billed ${total} pico > $0.50`);
  assert.ok(ok >= 20, `the cap admitted a reasonable number (${ok})`);
  assert.ok(total > usdToPico('0.40'), `the cap was used, not wasted: ${total}`);
  const u = await tg.cli('limits', 'show', '--org', c.orgId);
  assert.ok(Number(u.limits[0].spent_this_month_usd) <= 0.5);
});

test('200 concurrent requests against a $0.50 credit balance: the balance never goes below zero', async () => {
  const c = await tg.customer({ credits: '0.50' });
  await tg.accounts.updateOrg(c.orgId, { rateLimits: JSON.stringify({ rpm: 100000, itpm: 100000000, otpm: 100000000 }) });
  await tg.gw.refresh();
  const results = await fire(c.key, 200);
  const ok = results.filter((r) => r.status === 'fulfilled').length;
  for (const r of results) if (r.status === 'rejected') assert.match(String(r.reason.message), /credit balance/);
  const ev = await usageEvents(tg.databaseUrl, { orgId: c.orgId });
  assert.equal(ev.length, ok);
  const bal = await tg.cli('credits', 'balance', '--org', c.orgId);
  assert.ok(Number(bal.balance_usd) >= 0, `balance ${bal.balance_usd}`);
  assert.equal(
    usdToPico(bal.usage_usd),
    ev.reduce((s, e) => s + e.cost, 0n),
  );
});

test('limit errors: both SDKs raise BadRequestError with x-should-retry: false and do not retry', async () => {
  const c = await tg.customer({ credits: '0' });
  const before = fake.requests.length;
  // Count what the SDKs send: a retried request would show up as a second call.
  let calls = 0;
  const counting: typeof fetch = (input, init) => {
    calls++;
    return fetch(input, init);
  };
  const anthropic = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 2, fetch: counting });
  await assert.rejects(
    anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }),
    (e: any) => e instanceof Anthropic.BadRequestError && e.headers.get('x-should-retry') === 'false' && /credit balance is too low/.test(e.message),
  );
  const openai = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c.key, maxRetries: 2, fetch: counting });
  await assert.rejects(
    openai.chat.completions.create({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'x' }] }),
    (e: any) => e instanceof OpenAI.BadRequestError && e.code === 'credit_balance_too_low',
  );
  assert.equal(calls, 2, 'each SDK sent its request once: no retries');
  assert.equal(fake.requests.length, before, 'nothing reached the upstream');
});
