/** The OpenAI surface with the official openai SDK, in front of a Claude upstream and an OpenAI upstream. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { usageEvents } from '../support/db.ts';

let claude: FakeUpstream;
let openai: FakeUpstream;
let tg: TestGateway;
before(async () => {
  claude = await startFakeUpstream();
  openai = await startFakeUpstream();
  tg = await startTestGateway({ upstreamUrl: claude.url, openaiUpstreamUrl: openai.url });
});
after(async () => {
  await tg?.close();
  await claude?.close();
  await openai?.close();
});

test('chat.completions on a Claude model: translated both ways, usage cache-inclusive and billed exactly', async () => {
  const c = await tg.customer();
  const client = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c.key, maxRetries: 0 });
  claude.script({
    kind: 'usage',
    usage: {
      input_tokens: 20,
      output_tokens: 7,
      cache_read_input_tokens: 1000,
      cache_creation: { ephemeral_5m_input_tokens: 300, ephemeral_1h_input_tokens: 0 },
    } as any,
  });
  const r = await client.chat.completions.create({
    model: 'claude-sonnet-4-5',
    messages: [
      { role: 'developer', content: 'Be terse.' },
      { role: 'user', content: 'Hello!' },
    ],
  });
  assert.equal(r.object, 'chat.completion');
  assert.equal(r.choices[0]!.finish_reason, 'stop');
  assert.equal(r.usage!.prompt_tokens, 1320);
  assert.equal(r.usage!.prompt_tokens_details!.cached_tokens, 1000);
  assert.equal(r.usage!.completion_tokens, 7);
  const up = claude.requests.at(-1)!;
  assert.equal(up.path, '/v1/messages');
  assert.equal(up.body.max_tokens, 4096, 'default max_tokens where Anthropic requires one');
  assert.deepEqual(up.body.system, [{ type: 'text', text: 'Be terse.' }]);
  const ev = await usageEvents(tg.databaseUrl, { orgId: c.orgId });
  assert.equal(ev.length, 1);
  // 20×3 + 7×15 + 300×3.75 + 1000×0.30 = 60 + 105 + 1125 + 300 = 1590 µUSD
  assert.equal(ev[0]!.cost, 1_590_000_000n);
});

test('streaming chat on a Claude model with include_usage ends with a usage chunk and [DONE]', async () => {
  const c = await tg.customer();
  const client = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c.key, maxRetries: 0 });
  claude.script([
    { kind: 'chunking', sizes: 'random', seed: 7 },
    { kind: 'usage', usage: { input_tokens: 11, output_tokens: 13 } as any },
  ]);
  const stream = await client.chat.completions.create({
    model: 'claude-haiku-4-5',
    stream: true,
    stream_options: { include_usage: true },
    messages: [{ role: 'user', content: 'Hi' }],
  });
  let text = '';
  let usage: any;
  let finish: string | null = null;
  for await (const ch of stream) {
    if (ch.choices[0]?.delta?.content) text += ch.choices[0].delta.content;
    if (ch.choices[0]?.finish_reason) finish = ch.choices[0].finish_reason;
    if (ch.usage) usage = ch.usage;
  }
  assert.ok(text.length > 0);
  assert.equal(finish, 'stop');
  assert.equal(usage.prompt_tokens, 11);
  assert.equal(usage.completion_tokens, 13);
  const ev = await usageEvents(tg.databaseUrl, { orgId: c.orgId });
  assert.equal(ev[0]!.cost, 11n * 1_000_000n + 13n * 5_000_000n);
});

test('an OpenAI model goes to the OpenAI upstream with include_usage forced and stripped from the client stream', async () => {
  const c = await tg.customer();
  const client = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c.key, maxRetries: 0 });
  const stream = await client.chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'Hi' }] });
  let sawUsage = false;
  for await (const ch of stream) if (ch.usage) sawUsage = true;
  assert.equal(sawUsage, false, 'client did not ask for usage');
  const up = openai.requests.at(-1)!;
  assert.equal(up.path, '/v1/chat/completions');
  assert.equal(up.headers.authorization, 'Bearer sk-openai-upstream-secret');
  assert.equal(up.body.stream_options.include_usage, true);
  const ev = await usageEvents(tg.databaseUrl, { orgId: c.orgId });
  assert.equal(ev.length, 1);
  assert.ok(ev[0]!.input_tokens > 0n && ev[0]!.output_tokens > 0n);
});

test('errors come in the OpenAI envelope with x-request-id', async () => {
  const bad = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: 'sk-tg-wrong', maxRetries: 0 });
  await assert.rejects(
    bad.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }),
    (e: any) => e instanceof OpenAI.AuthenticationError && /^req_/.test(String(e.requestID)),
  );
  const c = await tg.customer();
  const client = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c.key, maxRetries: 0 });
  await assert.rejects(
    client.chat.completions.create({ model: 'claude-sonnet-4-5', n: 2, messages: [{ role: 'user', content: 'x' }] }),
    (e: any) => e instanceof OpenAI.BadRequestError && e.param === 'n',
  );
  await assert.rejects(client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }), OpenAI.NotFoundError);
});

test('/v1/models lists the priced models this gateway can route, in both shapes', async () => {
  const c = await tg.customer();
  const client = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c.key, maxRetries: 0 });
  const list = await client.models.list();
  const ids = list.data.map((m) => m.id);
  assert.ok(ids.includes('gpt-4o') && ids.includes('claude-sonnet-4-5-20250929'));
  assert.ok(!list.data.some((m) => m.owned_by === 'google'), 'no upstream serves Google models here');
  const sonnet = await client.models.retrieve('claude-sonnet-4-5-20250929');
  assert.equal((sonnet as any).pricing.input, '3');
  const r = await fetch(`${tg.url}/v1/models`, { headers: { 'x-api-key': c.key, 'anthropic-version': '2023-06-01' } });
  const j: any = await r.json();
  assert.equal(j.data[0].type, 'model');
  assert.equal(j.has_more, false);
});

test('an upstream error event mid-stream reaches an OpenAI client exactly once, and the stream is billed', async () => {
  const c = await tg.customer();
  claude.script([
    { kind: 'error-event', afterEvents: 4, error: { type: 'overloaded_error', message: 'Overloaded' } },
    { kind: 'usage', usage: { input_tokens: 9, output_tokens: 3 } as any },
  ]);
  const r = await fetch(`${tg.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${c.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-haiku-4-5', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
  });
  const text = await r.text();
  assert.equal(text.match(/"error"/g)?.length, 1, text);
  assert.match(text, /Overloaded/);
  const ev = await usageEvents(tg.databaseUrl, { orgId: c.orgId });
  assert.equal(ev[0]!.outcome, 'upstream_error');
  assert.equal(ev[0]!.input_tokens, 9n);
});
