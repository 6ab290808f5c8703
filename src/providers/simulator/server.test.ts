/**
 * End-to-end wire-format tests of the simulator server through the OFFICIAL SDKs
 * (@anthropic-ai/sdk and openai), plus raw-HTTP checks of SSE framing and headers.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startSimulator } from './index.ts';

let clock = Date.UTC(2026, 0, 15, 12);
const sim = await startSimulator({ clock: { now: () => clock } });
after(() => sim.close());
const anthropic = new Anthropic({ baseURL: sim.url, apiKey: 'x', maxRetries: 0 });
const openai = new OpenAI({ baseURL: sim.url + '/v1', apiKey: 'x', maxRetries: 0 });
const user = (content: string) => [{ role: 'user' as const, content }];

test('listens on 127.0.0.1 and answers /healthz', async () => {
  assert.match(sim.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const r = await fetch(sim.url + '/healthz');
  assert.equal(r.status, 200);
  assert.equal(await r.text(), 'ok');
});

test('Anthropic messages.create returns a msg_ Message with request-id', async () => {
  const { data, response, request_id } = await anthropic.messages
    .create({ model: 'claude-sim', max_tokens: 200, messages: user('Tell me a story') })
    .withResponse();
  assert.match(data.id, /^msg_/);
  assert.equal(data.type, 'message');
  assert.equal(data.role, 'assistant');
  assert.equal(data.model, 'claude-sim');
  assert.equal(data.stop_reason, 'end_turn');
  assert.equal(data.content[0]!.type, 'text');
  assert.match((data.content[0] as Anthropic.TextBlock).text, /^Simulated reply to: Tell me a story/);
  assert.match(request_id ?? '', /^req_/);
  assert.equal(response.headers.get('request-id'), request_id);
  assert.equal(data.usage.input_tokens, Math.ceil('Tell me a story'.length / 4));
});

test('stream().finalMessage() equals the non-streaming Message (text, stop, usage)', async () => {
  const params = { model: 'claude-sim', max_tokens: 30, messages: user('Stream me something long enough to be truncated by max tokens please') };
  const plain = await anthropic.messages.create(params);
  const streamed = await anthropic.messages.stream(params).finalMessage();
  assert.deepEqual(streamed.content, plain.content);
  assert.equal(streamed.stop_reason, 'max_tokens');
  assert.equal(plain.stop_reason, 'max_tokens');
  assert.deepEqual(streamed.usage, plain.usage);
});

test('raw SSE: content-type and the exact official event order', async () => {
  const r = await fetch(sim.url + '/v1/messages', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: 'm', max_tokens: 100, stream: true, messages: user('hi') }),
  });
  assert.match(r.headers.get('content-type') ?? '', /^text\/event-stream/);
  assert.match(r.headers.get('request-id') ?? '', /^req_/);
  const text = await r.text();
  const events = text
    .trim()
    .split('\n\n')
    .map((block) => {
      const [ev = '', data = ''] = block.split('\n');
      const name = ev.replace(/^event: /, '');
      const json = JSON.parse(data.replace(/^data: /, '')) as { type: string; usage?: Record<string, unknown> };
      assert.equal(json.type, name);
      return json;
    });
  const names = events.map((e) => e.type);
  assert.deepEqual(names.slice(0, 3), ['message_start', 'content_block_start', 'ping']);
  assert.ok(names.slice(3, -3).every((n) => n === 'content_block_delta') && names.length >= 9);
  assert.deepEqual(names.slice(-3), ['content_block_stop', 'message_delta', 'message_stop']);
  const delta = events[events.length - 2]!.usage!;
  for (const k of ['input_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens', 'output_tokens']) assert.equal(typeof delta[k], 'number', k);
});

test('cache write then read through the SDK, expiring with the injected clock', async () => {
  const params = {
    model: 'claude-sim',
    max_tokens: 20,
    system: [{ type: 'text' as const, text: 'You are a careful assistant. '.repeat(40), cache_control: { type: 'ephemeral' as const, ttl: '1h' as const } }],
    messages: user('cached question'),
  };
  const prefix = Math.ceil(('You are a careful assistant. '.length * 40) / 4);
  const first = await anthropic.messages.create(params);
  assert.equal(first.usage.cache_creation_input_tokens, prefix);
  assert.deepEqual(first.usage.cache_creation, { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: prefix });
  assert.equal(first.usage.cache_read_input_tokens, 0);
  clock += 30 * 60_000;
  const second = await anthropic.messages.stream(params).finalMessage();
  assert.equal(second.usage.cache_read_input_tokens, prefix);
  assert.equal(second.usage.cache_creation_input_tokens, 0);
  assert.equal(second.usage.input_tokens, first.usage.input_tokens);
  clock += 61 * 60_000;
  const third = await anthropic.messages.create(params);
  assert.equal(third.usage.cache_read_input_tokens, 0);
  assert.equal(third.usage.cache_creation?.ephemeral_1h_input_tokens, prefix);
});

test('messages.countTokens', async () => {
  const r = await anthropic.messages.countTokens({ model: 'claude-sim', system: 'abcd', messages: user('12345678') });
  assert.deepEqual(r, { input_tokens: 3 });
});

test('Anthropic errors parse into SDK error classes with req_ ids', async () => {
  await assert.rejects(
    anthropic.messages.create({ model: 'claude-sim', messages: user('x') } as unknown as Anthropic.MessageCreateParamsNonStreaming),
    (e: unknown) => {
      assert.ok(e instanceof Anthropic.BadRequestError);
      assert.equal(e.status, 400);
      assert.match(e.requestID ?? '', /^req_/);
      const body = e.error as { type: string; error: { type: string; message: string }; request_id: string };
      assert.equal(body.type, 'error');
      assert.equal(body.error.type, 'invalid_request_error');
      assert.equal(body.request_id, e.requestID);
      return true;
    },
  );
  const r = await fetch(sim.url + '/v1/nope', { method: 'POST', body: '{}' });
  assert.equal(r.status, 404);
  assert.equal(((await r.json()) as { error: { type: string } }).error.type, 'not_found_error');
});

test('OpenAI chat.completions.create (JSON)', async () => {
  const { data, response } = await openai.chat.completions
    .create({ model: 'gpt-sim', messages: [{ role: 'system', content: 'be brief' }, ...user('Hello')] })
    .withResponse();
  assert.equal(data.object, 'chat.completion');
  assert.match(data.id, /^chatcmpl-/);
  assert.equal(data.choices.length, 1);
  assert.equal(data.choices[0]!.finish_reason, 'stop');
  assert.match(data.choices[0]!.message.content ?? '', /^Simulated reply to: Hello/);
  assert.equal(data.usage?.prompt_tokens, Math.ceil(('be brief'.length + 5) / 4));
  assert.equal(data.usage?.total_tokens, data.usage!.prompt_tokens + data.usage!.completion_tokens);
  assert.match(response.headers.get('x-request-id') ?? '', /^req_/);
});

test('OpenAI streaming: one id, role chunk, finish chunk, usage chunk only with include_usage', async () => {
  const params = { model: 'gpt-sim', messages: user('Stream please') };
  const plain = await openai.chat.completions.create(params);
  const chunks: OpenAI.ChatCompletionChunk[] = [];
  for await (const c of await openai.chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } })) chunks.push(c);
  assert.equal(new Set(chunks.map((c) => c.id)).size, 1);
  assert.equal(new Set(chunks.map((c) => c.created)).size, 1);
  assert.equal(chunks[0]!.choices[0]!.delta.role, 'assistant');
  const last = chunks[chunks.length - 1]!;
  assert.deepEqual(last.choices, []);
  assert.deepEqual(last.usage, plain.usage);
  const finish = chunks[chunks.length - 2]!;
  assert.equal(finish.choices[0]!.finish_reason, 'stop');
  assert.ok(chunks.slice(0, -1).every((c) => c.usage === null));
  assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''), plain.choices[0]!.message.content);

  const noUsage: OpenAI.ChatCompletionChunk[] = [];
  for await (const c of await openai.chat.completions.create({ ...params, stream: true })) noUsage.push(c);
  assert.equal(noUsage[noUsage.length - 1]!.choices[0]!.finish_reason, 'stop');
  assert.ok(noUsage.every((c) => c.usage === undefined && c.choices.length === 1));

  const raw = await (await fetch(sim.url + '/v1/chat/completions', { method: 'POST', body: JSON.stringify({ ...params, stream: true }) })).text();
  assert.ok(raw.endsWith('data: [DONE]\n\n'));
});

test('OpenAI errors parse into SDK error classes', async () => {
  await assert.rejects(openai.chat.completions.create({ model: 'gpt-sim', messages: [] }), (e: unknown) => {
    assert.ok(e instanceof OpenAI.BadRequestError);
    assert.match(e.requestID ?? '', /^req_/);
    assert.equal(e.type, 'invalid_request_error');
    assert.equal(e.param, 'messages');
    return true;
  });
});

test('GET /v1/models in both shapes', async () => {
  const a = await anthropic.models.list();
  assert.ok(a.data.length > 0 && a.data[0]!.type === 'model');
  const o = await openai.models.list();
  assert.ok(o.data.length > 0 && o.data[0]!.object === 'model');
});
