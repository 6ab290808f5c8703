/**
 * Model routes and timeouts. `auto` (config file) picks Haiku for short prompts, Sonnet for
 * standard ones or when tools are offered, Opus on the client's `x-tollgate-route: complex`
 * hint; the response names the model that ran and the usage event bills that model's price.
 * A key's total timeout ends a hanging request with a 504; an upstream that stalls mid-stream is
 * cut after its between-events timeout and billed for what it sent.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { costOf } from '../../src/pricing/cost.ts';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import type { TestGateway } from '../support/gateway.ts';
import { eventsOf, poolGateway } from '../pools/support.ts';

let fake: FakeUpstream;
let tg: TestGateway;
let c: Awaited<ReturnType<TestGateway['customer']>>;
before(async () => {
  fake = await startFakeUpstream({ textChars: 300 });
  tg = await poolGateway({
    upstreams: [{ name: 'claude', kind: 'anthropic', baseUrl: fake.url, models: '*', timeouts: { betweenEventsMs: 300 } }],
    modelRoutes: {
      auto: {
        rules: [
          { hint: 'complex', model: 'claude-opus-4-5' },
          { tools: true, model: 'claude-sonnet-4-5' },
          { maxInputTokens: 200, model: 'claude-haiku-4-5' },
        ],
        default: 'claude-sonnet-4-5',
      },
    },
  });
  c = await tg.customer();
});
after(async () => {
  await tg?.close();
  await fake?.close();
});

const anthropic = () => new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
const openai = () => new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c.key, maxRetries: 0 });
const long = 'Please analyse this carefully. '.repeat(200);

async function lastEvent() {
  await new Promise((r) => setTimeout(r, 50));
  return (await eventsOf(tg, c.orgId)).at(-1)!;
}

test("auto: a short prompt runs on Haiku, named in the response and billed at Haiku's price (both SDKs)", async () => {
  const m = await anthropic().messages.create({ model: 'auto', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(m.model, 'claude-haiku-4-5-20251001');
  assert.equal(fake.requests.at(-1)!.body.model, 'claude-haiku-4-5-20251001');
  const ev = await lastEvent();
  assert.equal(ev.model, 'claude-haiku-4-5-20251001');
  const price = tg.gw.rt.prices().resolve('claude-haiku-4-5-20251001', null, Date.now())!;
  const usage = {
    inputTokens: Number(ev.input_tokens),
    outputTokens: Number(ev.output_tokens),
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    cacheReadTokens: 0,
    webSearchRequests: 0,
  };
  assert.equal(ev.cost, costOf(usage as any, price.prices));
  const o = await openai().chat.completions.create({ model: 'auto', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(o.model, 'claude-haiku-4-5-20251001');
});

test('auto: a long prompt runs on Sonnet, tools pick Sonnet, the "complex" hint picks Opus', async () => {
  const a = await anthropic().messages.create({ model: 'auto', max_tokens: 20, messages: [{ role: 'user', content: long }] });
  assert.equal(a.model, 'claude-sonnet-4-5-20250929');
  const t = await openai().chat.completions.create({
    model: 'auto',
    max_tokens: 20,
    messages: [{ role: 'user', content: 'hi' }],
    tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }],
  });
  assert.equal(t.model, 'claude-sonnet-4-5-20250929');
  const h = await anthropic().messages.create(
    { model: 'auto', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] },
    { headers: { 'x-tollgate-route': 'complex' } },
  );
  assert.equal(h.model, 'claude-opus-4-5-20251101');
  assert.equal((await lastEvent()).model, 'claude-opus-4-5-20251101');
});

test("a key's total timeout ends a request whose upstream never answers with a 504", async () => {
  const k = await tg.cli('key', 'create', '--org', c.orgId, '--timeout-ms', '300');
  fake.script({ kind: 'hang' });
  const t0 = Date.now();
  await assert.rejects(
    new Anthropic({ baseURL: tg.url, apiKey: k.key, maxRetries: 0 }).messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 20,
      messages: [{ role: 'user', content: 'hi' }],
    }),
    (e: any) => e.status === 504 && e.error?.error?.type === 'timeout_error',
  );
  assert.ok(Date.now() - t0 < 5000);
});

test('an upstream that stalls mid-stream is cut after its between-events timeout; what it sent is billed', async () => {
  fake.script([
    { kind: 'delay', betweenEventsMs: 1000 },
    { kind: 'usage', usage: { input_tokens: 12, output_tokens: 80 } as any },
  ]);
  await assert.rejects(
    anthropic()
      .messages.stream({ model: 'claude-haiku-4-5', max_tokens: 200, messages: [{ role: 'user', content: 'hi' }] })
      .finalMessage(),
  );
  const ev = await lastEvent();
  assert.equal(ev.outcome, 'incomplete');
  assert.equal(ev.input_tokens, 12n);
});
