/**
 * Pure-generator tests: determinism, limits, validation and the prompt-cache accounting
 * (write then read, TTL expiry with an injected clock, 5m/1h split, top-level cache_control).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimState, SimulatorError, replyText, simulateAnthropic, simulateCountTokens, simulateOpenai, splitDeltas } from './index.ts';

const T0 = Date.UTC(2026, 0, 15, 12);
const MIN = 60_000;
const big = (label: string, n: number) => `${label} `.repeat(n);

test('reply text is deterministic and derived from the last user message', () => {
  const body = { model: 'm', max_tokens: 500, messages: [{ role: 'user', content: 'What is the capital of France, and why is it so famous?' }] };
  const a = simulateAnthropic(body, new SimState(), T0);
  const b = simulateAnthropic(body, new SimState(), T0 + 1000);
  assert.equal(a.message.content[0]!.text, b.message.content[0]!.text);
  assert.deepEqual(a.message.usage, b.message.usage);
  assert.match(a.message.content[0]!.text, /^Simulated reply to: What is the capital of France, and why i… — /);
  assert.equal(a.message.stop_reason, 'end_turn');
  assert.equal(a.message.usage.output_tokens, Math.ceil([...a.message.content[0]!.text].length / 4));
  assert.equal(replyText('x', 80).length <= 80, true);
  assert.notEqual(replyText('hello'), replyText('hello!'));
});

test('input tokens are ceil(chars/4) over system, messages and tools', () => {
  const tools = [{ name: 'get_weather', description: 'd', input_schema: { type: 'object' } }];
  const body = { model: 'm', max_tokens: 50, system: 'abcd', tools, messages: [{ role: 'user', content: 'hello' }] };
  const want = Math.ceil((4 + 5 + JSON.stringify(tools[0]).length) / 4);
  assert.equal(simulateAnthropic(body, new SimState(), T0).message.usage.input_tokens, want);
  assert.deepEqual(simulateCountTokens(body), { input_tokens: want });
});

test('max_tokens truncates and reports max_tokens; stop sequences cut before the match', () => {
  const s = new SimState();
  const m = simulateAnthropic({ model: 'm', max_tokens: 3, messages: [{ role: 'user', content: 'hi' }] }, s, T0).message;
  assert.equal(m.stop_reason, 'max_tokens');
  assert.equal([...m.content[0]!.text].length, 12);
  assert.equal(m.usage.output_tokens, 3);
  const st = simulateAnthropic({ model: 'm', max_tokens: 100, stop_sequences: ['reply'], messages: [{ role: 'user', content: 'hi' }] }, s, T0).message;
  assert.equal(st.stop_reason, 'stop_sequence');
  assert.equal(st.stop_sequence, 'reply');
  assert.equal(st.content[0]!.text, 'Simulated ');
  const zero = simulateAnthropic({ model: 'm', max_tokens: 0, messages: [{ role: 'user', content: 'hi' }] }, s, T0).message;
  assert.deepEqual(zero.content, []);
  assert.equal(zero.usage.output_tokens, 0);
  const o = simulateOpenai({ model: 'g', max_completion_tokens: 2, messages: [{ role: 'user', content: 'hi' }] }, s, T0).completion;
  assert.equal(o.choices[0]!.finish_reason, 'length');
  assert.equal(o.usage.completion_tokens, 2);
});

test('text override keeps emoji/CJK intact and deltas never split surrogate pairs', () => {
  const text = '你好世界 🎉🎉 naïve café 👩‍👩‍👧 done';
  const sim = simulateAnthropic({ model: 'm', max_tokens: 100, messages: [{ role: 'user', content: 'x' }] }, new SimState(), T0, { text });
  assert.equal(sim.message.content[0]!.text, text);
  const deltas = sim.events.filter((e) => e.event === 'content_block_delta').map((e) => (e.data.delta as { text: string }).text);
  assert.equal(deltas.join(''), text);
  for (const d of splitDeltas(text, 3)) assert.doesNotMatch(d, /^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
});

test('validation errors are SimulatorError 400s', () => {
  const s = new SimState();
  const cases: unknown[] = [
    null,
    {},
    { model: 'm' },
    { model: 'm', max_tokens: 1 },
    { model: 'm', max_tokens: 1, messages: [] },
    { model: 'm', max_tokens: 1, messages: [{ role: 'system', content: 'x' }] },
    { model: 'm', max_tokens: -1, messages: [{ role: 'user', content: 'x' }] },
    { model: 'm', max_tokens: 0, stream: true, messages: [{ role: 'user', content: 'x' }] },
  ];
  for (const c of cases) {
    assert.throws(
      () => simulateAnthropic(c, s, T0),
      (e: unknown) => e instanceof SimulatorError && e.status === 400 && e.type === 'invalid_request_error',
    );
  }
  assert.throws(() => simulateOpenai({ model: 'g', messages: [] }, s, T0), SimulatorError);
  assert.throws(
    () => simulateOpenai({ model: 'g', messages: [{ role: 'user', content: 'x' }], stream_options: { include_usage: true } }, s, T0),
    SimulatorError,
  );
});

test('cache: first request writes, second reads, expiry after 5 minutes writes again', () => {
  const s = new SimState();
  const body = {
    model: 'm',
    max_tokens: 20,
    system: [{ type: 'text', text: big('sys', 100), cache_control: { type: 'ephemeral' } }],
    messages: [{ role: 'user', content: 'question' }],
  };
  const prefix = Math.ceil(400 / 4);
  const total = Math.ceil((400 + 8) / 4);
  const u1 = simulateAnthropic(body, s, T0).message.usage;
  assert.deepEqual([u1.cache_creation_input_tokens, u1.cache_read_input_tokens, u1.input_tokens], [prefix, 0, total - prefix]);
  assert.deepEqual(u1.cache_creation, { ephemeral_5m_input_tokens: prefix, ephemeral_1h_input_tokens: 0 });
  const u2 = simulateAnthropic(body, s, T0 + 4 * MIN).message.usage;
  assert.deepEqual([u2.cache_creation_input_tokens, u2.cache_read_input_tokens, u2.input_tokens], [0, prefix, total - prefix]);
  // the hit at +4m refreshed the entry: still live at +8m, dead at +13m+1ms
  assert.equal(simulateAnthropic(body, s, T0 + 8 * MIN).message.usage.cache_read_input_tokens, prefix);
  const u4 = simulateAnthropic(body, s, T0 + 13 * MIN + 1).message.usage;
  assert.equal(u4.cache_read_input_tokens, 0);
  assert.equal(u4.cache_creation.ephemeral_5m_input_tokens, prefix);
  // another model does not share the entry
  assert.equal(simulateAnthropic({ ...body, model: 'other' }, s, T0 + 13 * MIN + 2).message.usage.cache_read_input_tokens, 0);
});

test('cache: mixed 1h + 5m breakpoints split writes by TTL and reads the highest live prefix', () => {
  const s = new SimState();
  const mk = (q: string) => ({
    model: 'm',
    max_tokens: 20,
    system: [
      { type: 'text', text: big('static', 50), cache_control: { type: 'ephemeral', ttl: '1h' } },
      { type: 'text', text: big('daily', 40), cache_control: { type: 'ephemeral', ttl: '5m' } },
    ],
    messages: [{ role: 'user', content: q }],
  });
  const a = Math.ceil(350 / 4);
  const b = Math.ceil((350 + 240) / 4);
  const u1 = simulateAnthropic(mk('q1'), s, T0).message.usage;
  assert.deepEqual(u1.cache_creation, { ephemeral_1h_input_tokens: a, ephemeral_5m_input_tokens: b - a });
  assert.equal(u1.cache_creation_input_tokens, b);
  const u2 = simulateAnthropic(mk('q2'), s, T0 + MIN).message.usage;
  assert.equal(u2.cache_read_input_tokens, b);
  assert.equal(u2.cache_creation_input_tokens, 0);
  // after 10 minutes only the 1h prefix survives: read A, re-write B−A at 5m
  const u3 = simulateAnthropic(mk('q3'), s, T0 + 11 * MIN).message.usage;
  assert.equal(u3.cache_read_input_tokens, a);
  assert.deepEqual(u3.cache_creation, { ephemeral_1h_input_tokens: 0, ephemeral_5m_input_tokens: b - a });
  assert.equal(u3.input_tokens + u3.cache_read_input_tokens + u3.cache_creation_input_tokens, Math.ceil((350 + 240 + 2) / 4));
});

test('cache: top-level cache_control, tools and message blocks; limits and minimum length', () => {
  const s = new SimState();
  const body = {
    model: 'm',
    max_tokens: 5,
    cache_control: { type: 'ephemeral' },
    tools: [{ name: 't', input_schema: { type: 'object' } }],
    messages: [{ role: 'user', content: big('hello', 20) }],
  };
  const u1 = simulateAnthropic(body, s, T0).message.usage;
  assert.equal(u1.input_tokens, 0);
  assert.ok(u1.cache_creation_input_tokens > 0);
  assert.equal(simulateAnthropic(body, s, T0 + 1).message.usage.cache_read_input_tokens, u1.cache_creation_input_tokens);
  const five = Array.from({ length: 5 }, (_, i) => ({ type: 'text', text: `b${i}`, cache_control: { type: 'ephemeral' } }));
  assert.throws(() => simulateAnthropic({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: five }] }, s, T0), /maximum of 4/);
  const wrongOrder = [
    { type: 'text', text: 'a', cache_control: { type: 'ephemeral' } },
    { type: 'text', text: 'b', cache_control: { type: 'ephemeral', ttl: '1h' } },
  ];
  assert.throws(
    () => simulateAnthropic({ model: 'm', max_tokens: 5, system: wrongOrder, messages: [{ role: 'user', content: 'x' }] }, s, T0),
    /must not come after/,
  );
  const strict = new SimState({ minCacheTokens: 1024 });
  const small = simulateAnthropic(body, strict, T0).message.usage;
  assert.deepEqual([small.cache_creation_input_tokens, small.cache_read_input_tokens], [0, 0]);
  assert.equal(simulateCountTokens(body).input_tokens, u1.cache_creation_input_tokens);
});

test('usage override forces fields and re-sums a forced cache_creation split', () => {
  const sim = simulateAnthropic({ model: 'm', max_tokens: 50, messages: [{ role: 'user', content: 'x' }] }, new SimState(), T0, {
    usage: { input_tokens: 7, cache_creation: { ephemeral_1h_input_tokens: 30, ephemeral_5m_input_tokens: 12 }, server_tool_use: { web_search_requests: 2 } },
  });
  assert.equal(sim.message.usage.cache_creation_input_tokens, 42);
  assert.equal(sim.message.usage.input_tokens, 7);
  const delta = sim.events.find((e) => e.event === 'message_delta')!.data.usage as Record<string, unknown>;
  assert.deepEqual(delta.server_tool_use, { web_search_requests: 2 });
  assert.equal(delta.cache_creation_input_tokens, 42);
  const o = simulateOpenai({ model: 'g', messages: [{ role: 'user', content: 'x' }] }, new SimState(), T0, {
    usage: { input_tokens: 7, cache_read_input_tokens: 100, output_tokens: 9 },
  }).completion.usage;
  assert.deepEqual([o.prompt_tokens, o.prompt_tokens_details?.cached_tokens, o.completion_tokens, o.total_tokens], [107, 100, 9, 116]);
});

test('event sequence is the official one', () => {
  const sim = simulateAnthropic({ model: 'm', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }, new SimState(), T0);
  const names = sim.events.map((e) => e.event);
  assert.deepEqual(names.slice(0, 3), ['message_start', 'content_block_start', 'ping']);
  assert.deepEqual(names.slice(-3), ['content_block_stop', 'message_delta', 'message_stop']);
  assert.ok(names.filter((n) => n === 'content_block_delta').length >= 3);
  for (const e of sim.events) assert.equal(e.data.type, e.event);
  const start = sim.events[0]!.data.message as { usage: { output_tokens: number }; stop_reason: unknown };
  assert.equal(start.usage.output_tokens, 1);
  assert.equal(start.stop_reason, null);
});
