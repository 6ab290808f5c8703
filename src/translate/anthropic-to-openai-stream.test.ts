import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { AnthropicToOpenaiStream } from './anthropic-to-openai-stream.ts';
import { SECTION7_ANTHROPIC_EVENTS } from './testdata/section7.ts';

type Ev = { event?: string; data: unknown };
const HEAD = { id: 'chatcmpl-G', object: 'chat.completion.chunk', created: 1700000000, model: 'claude-x' };

function run(events: Ev[], includeUsage: boolean, end = true) {
  const s = new AnthropicToOpenaiStream({ id: 'chatcmpl-G', created: 1700000000, model: 'claude-x', includeUsage });
  const frames: string[] = [];
  for (const e of events) frames.push(...s.push(e));
  if (end) frames.push(...s.end());
  for (const f of frames) assert.match(f, /^data: .*\n\n$/s, 'complete SSE frame');
  const payloads = frames.map((f) => f.slice(6, -2)).map((p) => (p === '[DONE]' ? p : JSON.parse(p)));
  return { s, frames, payloads };
}
const ev = (data: Record<string, unknown>): Ev => ({ event: String(data.type), data });
const start = (usage: Record<string, unknown> = { input_tokens: 10, output_tokens: 1 }) =>
  ev({
    type: 'message_start',
    message: { id: 'msg_x', type: 'message', role: 'assistant', content: [], model: 'm', stop_reason: null, stop_sequence: null, usage },
  });
const choice = (delta: unknown, finish: string | null = null) => ({ index: 0, delta, logprobs: null, finish_reason: finish });

describe('AnthropicToOpenaiStream', () => {
  test('a translated stream with include_usage', () => {
    const { payloads, s } = run(SECTION7_ANTHROPIC_EVENTS, true);
    assert.deepEqual(payloads, [
      { ...HEAD, choices: [choice({ role: 'assistant', content: '' })], usage: null },
      { ...HEAD, choices: [choice({ content: 'A cat.' })], usage: null },
      { ...HEAD, choices: [choice({}, 'stop')], usage: null },
      {
        ...HEAD,
        choices: [],
        usage: { prompt_tokens: 1020, completion_tokens: 5, total_tokens: 1025, prompt_tokens_details: { cached_tokens: 1000, cache_write_tokens: 0 } },
      },
      '[DONE]',
    ]);
    assert.deepEqual(s.usage(), {
      inputTokens: 20,
      outputTokens: 5,
      cacheReadTokens: 1000,
      cacheWrite5mTokens: 0,
      cacheWrite1hTokens: 0,
      webSearchRequests: 0,
    });
  });

  test('without include_usage: no usage field, no usage chunk', () => {
    const { payloads } = run(SECTION7_ANTHROPIC_EVENTS, false);
    assert.deepEqual(payloads, [
      { ...HEAD, choices: [choice({ role: 'assistant', content: '' })] },
      { ...HEAD, choices: [choice({ content: 'A cat.' })] },
      { ...HEAD, choices: [choice({}, 'stop')] },
      '[DONE]',
    ]);
  });

  test('raw JSON text data is accepted', () => {
    const { payloads } = run(
      SECTION7_ANTHROPIC_EVENTS.map((e) => ({ event: e.event, data: JSON.stringify(e.data) })),
      false,
    );
    assert.equal(payloads.length, 4);
  });

  test('two tool calls after text and thinking: separate tool-call counter', () => {
    const events = [
      start(),
      ev({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }),
      ev({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'secret' } }),
      ev({ type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig' } }),
      ev({ type: 'content_block_stop', index: 0 }),
      ev({ type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } }),
      ev({ type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Checking.' } }),
      ev({ type: 'content_block_stop', index: 1 }),
      ev({ type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_A', name: 'lookup', input: {} } }),
      ev({ type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '' } }),
      ev({ type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"q":' } }),
      ev({ type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '"cat"}' } }),
      ev({ type: 'content_block_stop', index: 2 }),
      ev({ type: 'content_block_start', index: 3, content_block: { type: 'tool_use', id: 'toolu_B', name: 'now', input: {} } }),
      ev({ type: 'content_block_stop', index: 3 }),
      ev({ type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 42 } }),
      ev({ type: 'message_stop' }),
    ];
    const { payloads } = run(events, false);
    const deltas = payloads.filter((p) => p !== '[DONE]').map((p) => p.choices[0]);
    assert.deepEqual(deltas, [
      choice({ role: 'assistant', content: '' }),
      choice({ content: 'Checking.' }),
      choice({ tool_calls: [{ index: 0, id: 'toolu_A', type: 'function', function: { name: 'lookup', arguments: '' } }] }),
      choice({ tool_calls: [{ index: 0, function: { arguments: '{"q":' } }] }),
      choice({ tool_calls: [{ index: 0, function: { arguments: '"cat"}' } }] }),
      choice({ tool_calls: [{ index: 1, id: 'toolu_B', type: 'function', function: { name: 'now', arguments: '' } }] }),
      choice({ tool_calls: [{ index: 1, function: { arguments: '{}' } }] }),
      choice({}, 'tool_calls'),
    ]);
    assert.ok(!JSON.stringify(payloads).includes('secret'), 'thinking dropped');
  });

  test('usage: message_start overridden by non-null cumulative message_delta fields', () => {
    const events = [
      start({
        input_tokens: 2679,
        cache_read_input_tokens: 0,
        cache_creation_input_tokens: 300,
        cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 300 },
        output_tokens: 1,
      }),
      ev({
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { output_tokens: 510, input_tokens: 10682, cache_read_input_tokens: null, server_tool_use: { web_search_requests: 1 } },
      }),
      ev({ type: 'message_stop' }),
    ];
    const { payloads, s } = run(events, true);
    assert.deepEqual(payloads[2].usage, {
      prompt_tokens: 10982,
      completion_tokens: 510,
      total_tokens: 11492,
      prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 300 },
    });
    assert.deepEqual(payloads[2].choices, []);
    assert.deepEqual(s.usage(), {
      inputTokens: 10682,
      outputTokens: 510,
      cacheReadTokens: 0,
      cacheWrite5mTokens: 0,
      cacheWrite1hTokens: 300,
      webSearchRequests: 1,
    });
  });

  test('finish reasons', () => {
    for (const [stop, finish] of [
      ['max_tokens', 'length'],
      ['refusal', 'content_filter'],
      ['stop_sequence', 'stop'],
      ['model_context_window_exceeded', 'length'],
    ]) {
      const { payloads } = run(
        [start(), ev({ type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: 1 } }), ev({ type: 'message_stop' })],
        false,
      );
      assert.equal(payloads[1].choices[0].finish_reason, finish, stop);
    }
  });

  test('error event → OpenAI error frame, then nothing more', () => {
    const s = new AnthropicToOpenaiStream({ id: 'c', created: 1, model: 'm', includeUsage: true });
    s.push(start());
    const frames = s.push({ event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } });
    assert.deepEqual(frames, ['data: {"error":{"message":"Overloaded","type":"overloaded_error","code":"overloaded_error"}}\n\n']);
    assert.deepEqual(s.push(ev({ type: 'message_stop' })), []);
    assert.deepEqual(s.end(), []);
    assert.deepEqual(s.usage()?.inputTokens, 10, 'usage seen so far is still available for billing');
  });

  test('end() without message_stop: closes normally after the finish chunk, errors otherwise', () => {
    const ok = run([start(), ev({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 3 } })], true);
    assert.equal(ok.payloads.at(-1), '[DONE]');
    assert.equal(ok.payloads.at(-2).usage.completion_tokens, 3);
    const cut = run([start(), ev({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'par' } })], true);
    assert.deepEqual(cut.payloads.at(-1), {
      error: { message: 'Upstream stream ended before the response was complete', type: 'api_error', code: 'upstream_stream_incomplete' },
    });
    assert.ok(!cut.payloads.includes('[DONE]'));
  });

  test('message_stop without message_delta still sends a finish chunk; ping/unknown events ignored', () => {
    const { payloads } = run([start(), ev({ type: 'ping' }), ev({ type: 'future_event' }), ev({ type: 'message_stop' })], false, false);
    assert.deepEqual(
      payloads.map((p) => (p === '[DONE]' ? p : p.choices[0].finish_reason)),
      [null, 'stop', '[DONE]'],
    );
  });

  test('JSON escaping of text and ids', () => {
    const { payloads } = run(
      [start(), ev({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'quote " backslash \\ newline \n ✓' } })],
      false,
      false,
    );
    assert.equal(payloads[1].choices[0].delta.content, 'quote " backslash \\ newline \n ✓');
  });
});
