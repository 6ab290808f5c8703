/**
 * Premium options billed at list: the price row and multipliers follow what the upstream REPORTS
 * (usage.speed, usage.inference_geo, the response's service_tier, the prompt length), driven
 * through the running server with the official SDKs.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

let fake: FakeUpstream;
let tg: TestGateway;
before(async () => {
  fake = await startFakeUpstream();
  const dir = mkdtempSync(join(tmpdir(), 'tg-premium-'));
  const cfg = join(dir, 'config.json');
  writeFileSync(
    cfg,
    JSON.stringify({
      upstreams: [{ name: 'router', kind: 'openrouter', baseUrl: `${fake.url}/v1`, apiKey: 'sk-router', models: ['gemini-2.5-pro', 'gpt-5.4'] }],
    }),
  );
  tg = await startTestGateway({ upstreamUrl: fake.url, openaiUpstreamUrl: fake.url, env: { TOLLGATE_CONFIG: cfg } });
});
after(async () => {
  await tg?.close();
  await fake?.close();
});

const events = (orgId: string) => tg.gw.store.db.selectFrom('usage_events').selectAll().where('org_id', '=', orgId).orderBy('created_at').execute();
const usd = (pico: bigint) => {
  const s = pico.toString().padStart(13, '0');
  return `${s.slice(0, -12)}.${s.slice(-12)}`.replace(/0+$/, '').replace(/\.$/, '');
};
const completion = (model: string, prompt: number, out: number, extra: Record<string, unknown> = {}) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model,
  system_fingerprint: 'fp',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok', refusal: null }, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: prompt, completion_tokens: out, total_tokens: prompt + out },
  ...extra,
});

test('fast mode + US inference on Opus 5, as reported: billed at list ($1.65, not $0.75)', async () => {
  const c = await tg.customer();
  const client = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  fake.script({ kind: 'usage', usage: { input_tokens: 100_000, output_tokens: 10_000, speed: 'fast', inference_geo: 'us' } as any });
  await client.beta.messages.create({
    model: 'claude-opus-5',
    max_tokens: 10_000,
    speed: 'fast',
    inference_geo: 'us',
    betas: ['fast-mode-2026-02-01'],
    messages: [{ role: 'user', content: 'go' }],
  } as any);
  const [e] = await events(c.orgId);
  // ($10 × 0.1M + $50 × 0.01M) × 1.1 = $1.65
  assert.equal(usd(e!.cost), '1.65');
  assert.equal(usd(e!.upstream_cost), '1.65', "the margin report sees the upstream's real cost too");
  assert.equal(e!.price_variant, 'fast+geo-us');
  assert.equal(e!.speed, 'fast');
  assert.equal(e!.inference_geo, 'us');
});

test('what the upstream reports wins over what was asked: fast asked, standard reported → standard price', async () => {
  const c = await tg.customer();
  const client = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  fake.script({ kind: 'usage', usage: { input_tokens: 100_000, output_tokens: 10_000, speed: 'standard', inference_geo: 'global' } as any });
  await client.beta.messages.create({
    model: 'claude-opus-5',
    max_tokens: 10_000,
    speed: 'fast',
    betas: ['fast-mode-2026-02-01'],
    messages: [{ role: 'user', content: 'go' }],
  } as any);
  const [e] = await events(c.orgId);
  assert.equal(usd(e!.cost), '0.75');
  assert.equal(e!.price_variant, '');
});

test('the hold covers fast mode: a balance that fits the standard worst case but not the fast one is refused', async () => {
  // Worst case standard: ~body bound × $5 + 20,000 × $25 ≈ $0.50; fast: 20,000 × $50 ≈ $1.00.
  const c = await tg.customer({ credits: '0.80' });
  const client = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  const body = { model: 'claude-opus-5', max_tokens: 20_000, messages: [{ role: 'user' as const, content: 'go' }] };
  fake.script({ kind: 'usage', usage: { input_tokens: 10, output_tokens: 10 } as any });
  await client.messages.create(body);
  const before = fake.requests.length;
  await assert.rejects(
    client.beta.messages.create({ ...body, speed: 'fast', betas: ['fast-mode-2026-02-01'] } as any),
    (e: any) => e.status === 402 || e.status === 429 || e.status === 400,
  );
  assert.equal(fake.requests.length, before, 'refused before forwarding');
});

test('long-context band: Gemini 2.5 Pro 500K in + 10K out = $1.40 list (every token at the band rate)', async () => {
  const c = await tg.customer();
  const client = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c.key, maxRetries: 0 });
  // Prompts as long as the tokens reported: usage beyond what the body's bytes could hold is an
  // anomaly and billed at the byte bound (test/adversarial/usage-bounds.test.ts).
  const prompt = (tokens: number) => 'x '.repeat(tokens);
  fake.script({ kind: 'json', status: 200, body: completion('gemini-2.5-pro', 500_000, 10_000) });
  await client.chat.completions.create({ model: 'gemini-2.5-pro', messages: [{ role: 'user', content: prompt(500_000) }], max_tokens: 10_000 });
  fake.script({ kind: 'json', status: 200, body: completion('gemini-2.5-pro', 200_000, 10_000) });
  await client.chat.completions.create({ model: 'gemini-2.5-pro', messages: [{ role: 'user', content: prompt(200_000) }], max_tokens: 10_000 });
  const [long, base] = await events(c.orgId);
  assert.equal(usd(long!.cost), '1.4');
  assert.equal(long!.price_variant, 'long-context');
  assert.equal(usd(base!.cost), '0.35', '200K is inside the band: $1.25 × 0.2 + $10 × 0.01');
});

test('GPT-5.4 above 272K input is priced at its long-context rates; priority tier as reported', async () => {
  const c = await tg.customer();
  const client = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c.key, maxRetries: 0 });
  fake.script({ kind: 'json', status: 200, body: completion('gpt-5.4', 300_000, 1_000) });
  await client.chat.completions.create({ model: 'gpt-5.4', messages: [{ role: 'user', content: 'x' }], max_completion_tokens: 1_000 });
  fake.script({ kind: 'json', status: 200, body: completion('gpt-5.4', 100_000, 1_000, { service_tier: 'priority' }) });
  await client.chat.completions.create({
    model: 'gpt-5.4',
    messages: [{ role: 'user', content: 'x' }],
    max_completion_tokens: 1_000,
    service_tier: 'priority',
  });
  const [long, prio] = await events(c.orgId);
  assert.equal(usd(long!.cost), '1.5225', '300K × $5 + 1K × $22.50');
  assert.equal(usd(prio!.cost), '0.53', '100K × $5 + 1K × $30 (priority)');
  assert.equal(prio!.service_tier, 'priority');
  assert.equal(prio!.price_variant, 'priority');
});

test('priority with a prompt above the long-context band: refused up front (400 naming service_tier); reported anyway → the dearest bound, flagged', async () => {
  const c = await tg.customer();
  const client = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c.key, maxRetries: 0 });
  const before = fake.requests.length;
  const long = 'toll '.repeat(300_000); // about 300K tokens: above GPT-5.4's 272K band
  await assert.rejects(
    client.chat.completions.create({ model: 'gpt-5.4', messages: [{ role: 'user', content: long }], max_completion_tokens: 100, service_tier: 'priority' }),
    (e: any) => e.status === 400 && e.code === 'unsupported_option' && e.param === 'service_tier' && /priority.*above 271999 tokens on gpt-5.4/.test(e.message),
  );
  assert.equal(fake.requests.length, before, 'nothing reached the upstream');
  // The same prompt on the default tier is served (and priced at the long-context rates).
  fake.script({ kind: 'json', status: 200, body: completion('gpt-5.4', 300_000, 100) });
  await client.chat.completions.create({ model: 'gpt-5.4', messages: [{ role: 'user', content: long }], max_completion_tokens: 100 });
  // A short prompt passes the gate, but the upstream reports a 300K prompt on priority: no price exists,
  // so the priority row scaled by the long-context factors is billed ($5 × 2 = $10 in, $30 × 1.5 = $45 out), flagged.
  fake.script({ kind: 'json', status: 200, body: completion('gpt-5.4', 300_000, 1_000, { service_tier: 'priority' }) });
  await client.chat.completions.create({
    model: 'gpt-5.4',
    messages: [{ role: 'user', content: 'x' }],
    max_completion_tokens: 1_000,
    service_tier: 'priority',
  });
  const [standard, prio] = await events(c.orgId);
  assert.equal(standard!.price_variant, 'long-context');
  assert.equal(usd(prio!.cost), '3.045', '300K × $10 + 1K × $45');
  assert.equal(prio!.price_variant, 'priority+long-context-unpriced');
});

test('n=16 on the OpenAI surface: output of every choice billed, input once; hold is n × max_tokens', async () => {
  const c = await tg.customer();
  const client = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c.key, maxRetries: 0 });
  const res = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], n: 16, max_tokens: 20 });
  const [e] = await events(c.orgId);
  assert.equal(Number(e!.output_tokens), res.usage!.completion_tokens);
  assert.equal(e!.cost, BigInt(res.usage!.prompt_tokens) * 2_500_000n + BigInt(res.usage!.completion_tokens) * 10_000_000n);
  // A balance that covers n=1 but not n=16 × max_tokens.
  const poor = await tg.customer({ credits: '0.10' });
  const p = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: poor.key, maxRetries: 0 });
  await p.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], max_tokens: 4000 });
  await assert.rejects(
    p.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], n: 16, max_tokens: 4000 }),
    (e: any) => e.status >= 400 && e.status < 500,
  );
});

test("OpenAI-wire cache writes follow the TTL: the upstream's split when it gives one, else the TTL the request asked for", async () => {
  const c = await tg.customer();
  const anthropic = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  const ask = (ttl: '5m' | '1h') =>
    anthropic.messages.create({
      model: 'gemini-2.5-pro',
      max_tokens: 10,
      messages: [{ role: 'user', content: [{ type: 'text', text: `long prefix ${'x '.repeat(5_000)}`, cache_control: { type: 'ephemeral', ttl } }] }],
    });
  const u = (extra: Record<string, unknown>) =>
    completion('gemini-2.5-pro', 5_000, 10, {
      usage: {
        prompt_tokens: 5_000,
        completion_tokens: 10,
        total_tokens: 5_010,
        prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 4_000, ...extra },
      },
    });
  fake.script({ kind: 'json', status: 200, body: u({}) });
  await ask('1h');
  fake.script({ kind: 'json', status: 200, body: u({}) });
  await ask('5m');
  fake.script({ kind: 'json', status: 200, body: u({ cache_creation: { ephemeral_5m_input_tokens: 1_000, ephemeral_1h_input_tokens: 3_000 } }) });
  await ask('1h');
  const [a, b, split] = await events(c.orgId);
  assert.deepEqual([a!.cache_write_5m_tokens, a!.cache_write_1h_tokens], [0n, 4_000n], 'asked for 1h: billed as 1h writes, not 5m');
  assert.deepEqual([b!.cache_write_5m_tokens, b!.cache_write_1h_tokens], [4_000n, 0n]);
  assert.deepEqual([split!.cache_write_5m_tokens, split!.cache_write_1h_tokens], [1_000n, 3_000n], "the upstream's own split wins");
});
