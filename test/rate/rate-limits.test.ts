/**
 * Usage tiers and rate limits, end to end: a burst past the RPM gets exactly the expected 429s and
 * the headers match what was admitted (frozen clock); the SDKs' default retries ride out a 429 by
 * honouring retry-after; a spend crossing a tier threshold raises the limits for the next request.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { ManualClock } from '../../src/core/clock.ts';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

let fake: FakeUpstream;
let tg: TestGateway;
let frozen: TestGateway;
const clock = new ManualClock(Date.UTC(2026, 10, 20, 12, 0, 0));
before(async () => {
  fake = await startFakeUpstream();
  tg = await startTestGateway({ upstreamUrl: fake.url });
  frozen = await startTestGateway({ upstreamUrl: fake.url, clock });
});
after(async () => {
  await tg?.close();
  await frozen?.close();
  await fake?.close();
});

const ask = { model: 'claude-sonnet-4-5', max_tokens: 20, messages: [{ role: 'user' as const, content: 'hi' }] };

test('a burst of 60 at Tier 1 (50 RPM) gets exactly 10 429s; headers count down what was admitted', async () => {
  const c = await frozen.customer({ tierLimits: true });
  const client = new Anthropic({ baseURL: frozen.url, apiKey: c.key, maxRetries: 0 });
  const results = await Promise.allSettled(Array.from({ length: 60 }, () => client.messages.create(ask).withResponse()));
  const ok = results.filter((r) => r.status === 'fulfilled') as PromiseFulfilledResult<any>[];
  const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
  assert.equal(ok.length, 50);
  assert.equal(refused.length, 10);
  const remaining = ok.map((r) => Number(r.value.response.headers.get('anthropic-ratelimit-requests-remaining'))).sort((a, b) => a - b);
  assert.deepEqual(
    remaining,
    Array.from({ length: 50 }, (_, i) => i),
  );
  const h = ok[0]!.value.response.headers;
  assert.equal(h.get('anthropic-ratelimit-requests-limit'), '50');
  assert.equal(h.get('anthropic-ratelimit-input-tokens-limit'), '40000');
  assert.match(h.get('anthropic-ratelimit-requests-reset'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  for (const r of refused) {
    const e = r.reason;
    assert.ok(e instanceof Anthropic.RateLimitError);
    assert.equal((e.error as any).error.type, 'rate_limit_error');
    assert.match(e.message, /50 requests per minute/);
    assert.equal(e.headers.get('retry-after'), '2', 'one request refills in 1.2 s: retry-after rounds up');
    assert.equal(e.headers.get('anthropic-ratelimit-requests-remaining'), '0');
  }
  // 1.2 s later exactly one more request fits.
  clock.advance(1200);
  await client.messages.create(ask);
  await assert.rejects(client.messages.create(ask), Anthropic.RateLimitError);
});

test('OpenAI surface: x-ratelimit-* headers with Go durations and a 429 in the OpenAI envelope', async () => {
  const c = await frozen.customer({ tierLimits: true });
  const client = new OpenAI({ baseURL: `${frozen.url}/v1`, apiKey: c.key, maxRetries: 0 });
  const first = await client.chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
  assert.equal(first.response.headers.get('x-ratelimit-limit-requests'), '50');
  assert.equal(first.response.headers.get('x-ratelimit-remaining-requests'), '49');
  assert.match(first.response.headers.get('x-ratelimit-reset-requests')!, /^(\d+m)?[\d.]+m?s$/);
  await Promise.allSettled(
    Array.from({ length: 49 }, () => client.chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] })),
  );
  await assert.rejects(
    client.chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] }),
    (e: any) => e instanceof OpenAI.RateLimitError && e.type === 'rate_limit_error' && e.headers.get('retry-after') !== null,
  );
});

test('both SDKs, with their default retries, ride out a 429 by honouring retry-after', async () => {
  const c = await tg.customer({ tierLimits: true });
  await tg.accounts.updateOrg(c.orgId, { rateLimits: JSON.stringify({ rpm: 30 }) }); // one request every 2 s
  await tg.gw.refresh();
  const statuses: number[] = [];
  const spy: typeof fetch = async (input, init) => {
    const r = await fetch(input, init);
    statuses.push(r.status);
    return r;
  };
  const anthropic = new Anthropic({ baseURL: tg.url, apiKey: c.key, fetch: spy });
  const openai = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c.key, fetch: spy });
  const probe = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  const drain = async () => {
    for (let i = 0; i < 100; i++) {
      try {
        await probe.messages.create(ask);
      } catch (e) {
        if (e instanceof Anthropic.RateLimitError) return;
        throw e;
      }
    }
  };

  await drain();
  const m = await anthropic.messages.create(ask);
  assert.equal(m.type, 'message');
  await drain();
  const chat = await openai.chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] });
  assert.ok(chat.choices[0]!.message.content);
  assert.deepEqual(
    statuses.filter((s) => s !== 429 && s !== 200),
    [],
  );
  assert.ok(statuses.filter((s) => s === 429).length >= 2, `each SDK saw a 429 and retried: ${statuses}`);
  assert.equal(statuses.filter((s) => s === 200).length, 2);
});

test('a spend crossing the Tier 2 threshold ($50) raises the limits on the next request', async () => {
  const c = await frozen.customer({ credits: '100', tierLimits: true });
  const client = new Anthropic({ baseURL: frozen.url, apiKey: c.key, maxRetries: 0 });
  const before = await client.messages.create(ask).withResponse();
  assert.equal(before.response.headers.get('anthropic-ratelimit-requests-limit'), '50');
  // $51 of spend within believable usage (impossible counts are billed at the request's bound):
  // 5 × 1,000 web searches at $10 per 1,000, and 1 × 100 more.
  for (const n of [1000, 1000, 1000, 1000, 1000, 100]) {
    fake.script({ kind: 'usage', usage: { input_tokens: 5, output_tokens: 5, server_tool_use: { web_search_requests: n } } as any });
    await client.messages.create(ask);
  }
  const afterRes = await client.messages.create(ask).withResponse();
  assert.equal(afterRes.response.headers.get('anthropic-ratelimit-requests-limit'), '1000');
  const show = await frozen.cli('org', 'show', c.orgId);
  assert.equal(show.tier, 2);
  const pinned = await frozen.cli('org', 'update', c.orgId, '--tier', '1');
  assert.equal(pinned.tier_pinned, 1);
  await frozen.gw.refresh();
  const again = await client.messages.create(ask).withResponse();
  assert.equal(again.response.headers.get('anthropic-ratelimit-requests-limit'), '50', 'a pinned tier wins over spend');
});

test('refusals after authentication (bad body, unknown model, spend limit) carry the rate-limit headers too', async () => {
  const c = await tg.customer({ tierLimits: true, credits: '0' });
  const bad = await fetch(`${tg.url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': c.key, 'content-type': 'application/json' },
    body: '{"model":"claude-sonnet-4-5"}',
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.headers.get('anthropic-ratelimit-requests-limit'), '50');
  const unknown = await fetch(`${tg.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${c.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }),
  });
  assert.equal(unknown.status, 404);
  assert.ok(unknown.headers.get('x-ratelimit-limit-requests'));
  const broke = await fetch(`${tg.url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': c.key, 'content-type': 'application/json' },
    body: JSON.stringify(ask),
  });
  assert.equal(broke.status, 400, 'credit balance too low');
  assert.equal(broke.headers.get('x-should-retry'), 'false');
  assert.ok(broke.headers.get('anthropic-ratelimit-requests-remaining'));
});
