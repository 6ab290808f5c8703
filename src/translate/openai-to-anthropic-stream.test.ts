import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { OpenaiToAnthropicStream } from './openai-to-anthropic-stream.ts';

const chunk = (delta: Record<string, unknown> | null, finish: string | null = null, extra: Record<string, unknown> = {}) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'gpt-x',
  choices: delta === null ? [] : [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  ...extra,
});
const usageChunk = (usage: Record<string, unknown>) => ({ ...chunk(null), usage });

function run(chunks: unknown[], end = true) {
  const s = new OpenaiToAnthropicStream({ model: 'gw-gpt', messageId: 'msg_1' });
  const frames: string[] = [];
  for (const c of chunks) frames.push(...s.push(c));
  if (end) frames.push(...s.end());
  const events = frames.map((f) => {
    const m = /^event: (\w+)\ndata: (.*)\n\n$/s.exec(f);
    assert.ok(m, `well-formed frame: ${JSON.stringify(f)}`);
    const data = JSON.parse(m[2]!);
    assert.equal(data.type, m[1], 'event name matches data.type');
    return data;
  });
  return { s, events, types: events.map((e) => e.type as string) };
}

describe('OpenaiToAnthropicStream', () => {
  test('text stream: official event order; message_delta waits for the usage chunk', () => {
    const s = new OpenaiToAnthropicStream({ model: 'gw-gpt', messageId: 'msg_1' });
    const a = s.push(chunk({ role: 'assistant', content: '' }));
    const b = s.push(chunk({ content: 'Hel' }));
    const c = s.push(chunk({ content: 'lo' }));
    const d = s.push(chunk({}, 'stop'));
    const e = s.push(
      usageChunk({ prompt_tokens: 1320, completion_tokens: 5, total_tokens: 1325, prompt_tokens_details: { cached_tokens: 1000, cache_write_tokens: 300 } }),
    );
    assert.equal(a.length, 1);
    assert.deepEqual(JSON.parse(a[0]!.split('data: ')[1]!), {
      type: 'message_start',
      message: {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'gw-gpt',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 },
      },
    });
    assert.deepEqual(b, [
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}\n\n',
    ]);
    assert.equal(c.length, 1);
    assert.deepEqual(d, ['event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n']);
    assert.deepEqual(e, [
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":20,"cache_creation_input_tokens":300,"cache_read_input_tokens":1000,"output_tokens":5}}\n\n',
      'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    ]);
    assert.deepEqual(s.push('[DONE]'), []);
    assert.deepEqual(s.end(), []);
    assert.deepEqual(s.usage(), {
      inputTokens: 20,
      outputTokens: 5,
      cacheReadTokens: 1000,
      cacheWrite5mTokens: 300,
      cacheWrite1hTokens: 0,
      webSearchRequests: 0,
    });
  });

  test('text then two tool calls: blocks closed before the next opens, indices follow blocks', () => {
    const { events, types } = run([
      chunk({ role: 'assistant', content: 'Let me check.' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_A', type: 'function', function: { name: 'lookup', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"q":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"cat"}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_B', type: 'function', function: { name: 'now', arguments: '{}' } }] }),
      chunk({}, 'tool_calls'),
      usageChunk({ prompt_tokens: 50, completion_tokens: 20, total_tokens: 70 }),
      '[DONE]',
    ]);
    assert.deepEqual(types, [
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    assert.deepEqual(events[4], { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'call_A', name: 'lookup', input: {} } });
    assert.deepEqual(events[5], { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"q":' } });
    assert.deepEqual(events[8].content_block, { type: 'tool_use', id: 'call_B', name: 'now', input: {} });
    assert.equal(events[8].index, 2);
    assert.equal(events[9].index, 2);
    assert.deepEqual(events[11].delta, { stop_reason: 'tool_use', stop_sequence: null });
    assert.deepEqual(events[11].usage, { input_tokens: 50, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 20 });
  });

  test('usage on the finish chunk itself (and choices null / missing) finalises immediately', () => {
    const { types, s } = run(
      [
        { ...chunk({ content: 'x' }) },
        { id: 'c', object: 'chat.completion.chunk', choices: null },
        { id: 'c', object: 'chat.completion.chunk' },
        chunk({}, 'length', { usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } }),
      ],
      false,
    );
    assert.deepEqual(types.slice(-2), ['message_delta', 'message_stop']);
    assert.equal(s.usage()?.outputTokens, 4);
  });

  test('Groq x_groq.usage on the finish chunk; a later usage chunk is not double counted', () => {
    const { events, s } = run([
      chunk({ role: 'assistant', content: 'hi' }),
      chunk({}, 'stop', { x_groq: { id: 'req_1', usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12, queue_time: 0.1 } } }),
      usageChunk({ prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 }),
    ]);
    assert.equal(events.filter((e) => e.type === 'message_delta').length, 1);
    assert.equal(events.at(-2).usage.output_tokens, 2);
    assert.deepEqual(s.usage(), { inputTokens: 10, outputTokens: 2, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, webSearchRequests: 0 });
  });

  test('last usage wins (continuous usage stats), never a sum', () => {
    const { s, events } = run([
      chunk({ content: 'a' }, null, { usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 } }),
      chunk({ content: 'b' }, null, { usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 } }),
      chunk({}, 'stop', { usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 } }),
    ]);
    assert.equal(s.usage()?.outputTokens, 3);
    assert.equal(events[0].message.usage.input_tokens, 10, 'message_start uses usage known from the first chunk');
  });

  test('finish without usage: end() emits message_delta with output_tokens only; usage() undefined', () => {
    const { events, s } = run([chunk({ content: 'x' }), chunk({}, 'stop'), '[DONE]'], false);
    assert.deepEqual(events.at(-2), { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 0 } });
    assert.equal(events.at(-1).type, 'message_stop');
    assert.equal(s.usage(), undefined);
  });

  test('finish_reason map and refusal / vLLM stop string', () => {
    for (const [f, r] of [
      ['length', 'max_tokens'],
      ['content_filter', 'refusal'],
      ['tool_calls', 'tool_use'],
    ]) {
      const { events } = run([chunk({ content: 'x' }), chunk({}, f)]);
      assert.equal(events.at(-2).delta.stop_reason, r, f);
    }
    const refusal = run([chunk({ refusal: 'No.' }), chunk({}, 'stop')]).events;
    assert.equal(refusal.at(-2).delta.stop_reason, 'refusal');
    assert.equal(refusal[2].delta.text, 'No.');
    const vllm = run([chunk({ content: 'x' }), { ...chunk({}), choices: [{ index: 0, delta: {}, finish_reason: 'stop', stop_reason: '###' }] }]).events;
    assert.deepEqual(vllm.at(-2).delta, { stop_reason: 'stop_sequence', stop_sequence: '###' });
  });

  test('reasoning_content dropped; raw JSON strings accepted; other choices ignored', () => {
    const { events } = run([
      JSON.stringify(chunk({ reasoning_content: 'secret' })),
      {
        ...chunk({ content: 'a' }),
        choices: [
          { index: 1, delta: { content: 'other' }, finish_reason: null },
          { index: 0, delta: { content: 'a' }, finish_reason: null },
        ],
      },
      chunk({}, 'stop'),
    ]);
    assert.ok(!JSON.stringify(events).includes('secret'));
    assert.ok(!JSON.stringify(events).includes('other'));
    assert.equal(events.filter((e) => e.type === 'content_block_delta').length, 1);
  });

  test('error chunk → event: error, then nothing more', () => {
    const s = new OpenaiToAnthropicStream({ model: 'm', messageId: 'msg_e' });
    s.push(chunk({ content: 'par' }));
    const f = s.push({ error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } });
    assert.deepEqual(f, ['event: error\ndata: {"type":"error","error":{"type":"rate_limit_error","message":"Rate limit reached"}}\n\n']);
    assert.deepEqual(s.push(chunk({}, 'stop')), []);
    assert.deepEqual(s.end(), []);
    const t = new OpenaiToAnthropicStream({ model: 'm', messageId: 'msg_e' });
    assert.match(t.push({ error: { message: 'boom', type: 'server_error', code: 500 } })[0]!, /"type":"api_error","message":"boom"/);
    const u = new OpenaiToAnthropicStream({ model: 'm', messageId: 'msg_e' });
    assert.match(u.push({ error: { message: 'over', type: 'overloaded_error' } })[0]!, /"type":"overloaded_error"/);
  });

  test('stream that breaks off before finish_reason → error event', () => {
    const { events } = run([chunk({ content: 'par' })]);
    assert.deepEqual(events.at(-1), { type: 'error', error: { type: 'api_error', message: 'Upstream stream ended before the response was complete' } });
    const empty = run([]);
    assert.deepEqual(empty.types, ['error']);
  });

  test('tool call without index / without id gets stable ids; text after a tool opens a new block', () => {
    const { events } = run([
      chunk({ tool_calls: [{ id: 'call_X', function: { name: 'a', arguments: '{"k":' } }] }),
      chunk({ tool_calls: [{ function: { arguments: '1}' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { name: 'b', arguments: '{}' } }] }),
      chunk({ content: 'done' }),
      chunk({}, 'stop'),
    ]);
    const starts = events.filter((e) => e.type === 'content_block_start');
    assert.deepEqual(
      starts.map((e) => [e.index, e.content_block.type, e.content_block.id ?? null]),
      [
        [0, 'tool_use', 'call_X'],
        [1, 'tool_use', 'toolu_1_1'],
        [2, 'text', null],
      ],
    );
    const deltas = events.filter((e) => e.type === 'content_block_delta').map((e) => [e.index, e.delta.partial_json ?? e.delta.text]);
    assert.deepEqual(deltas, [
      [0, '{"k":'],
      [0, '1}'],
      [1, '{}'],
      [2, 'done'],
    ]);
  });
});
