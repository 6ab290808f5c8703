import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatCompletion } from '../wire/openai.ts';
import { RAW_ARGUMENTS_KEY, openaiToAnthropicResponse } from './openai-to-anthropic-response.ts';

const base: ChatCompletion = {
  id: 'chatcmpl-abc123',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-upstream',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello.', refusal: null }, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1320, completion_tokens: 5, total_tokens: 1325, prompt_tokens_details: { cached_tokens: 1000, cache_write_tokens: 300 } },
};
const conv = (over: Partial<ChatCompletion> = {}, message?: Record<string, unknown>, finish: string | null = 'stop') =>
  openaiToAnthropicResponse(
    {
      ...base,
      ...over,
      ...(message
        ? { choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: null, ...message }, logprobs: null, finish_reason: finish }] }
        : {}),
    } as ChatCompletion,
    { model: 'gw-gpt' },
  );

describe('openaiToAnthropicResponse', () => {
  test('text + usage (exact inverse of the cache-inclusive mapping)', () => {
    assert.deepEqual(conv(), {
      id: 'msg_abc123',
      type: 'message',
      role: 'assistant',
      model: 'gw-gpt',
      content: [{ type: 'text', text: 'Hello.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: 20,
        output_tokens: 5,
        cache_read_input_tokens: 1000,
        cache_creation_input_tokens: 300,
        cache_creation: { ephemeral_5m_input_tokens: 300, ephemeral_1h_input_tokens: 0 },
      },
    });
  });

  test('tool_calls → tool_use blocks after text; arguments parsed', () => {
    const out = conv(
      {},
      {
        content: 'Checking.',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"cat"}' } },
          { id: 'call_2', type: 'function', function: { name: 'now', arguments: '' } },
        ],
      },
      'tool_calls',
    );
    assert.deepEqual(out.content, [
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'call_1', name: 'lookup', input: { q: 'cat' } },
      { type: 'tool_use', id: 'call_2', name: 'now', input: {} },
    ]);
    assert.equal(out.stop_reason, 'tool_use');
  });

  test('a custom tool call (no function) becomes a nameless tool_use with empty input', () => {
    const out = conv({}, { tool_calls: [{ id: 'call_c', type: 'custom', custom: { name: 'grep', input: 'needle' } }] }, 'tool_calls');
    assert.deepEqual(out.content, [{ type: 'tool_use', id: 'call_c', name: '', input: {} }]);
    assert.equal(out.stop_reason, 'tool_use');
  });

  test('unparsable or non-object arguments are preserved under RAW_ARGUMENTS_KEY', () => {
    const out = conv(
      {},
      {
        tool_calls: [
          { id: 'a', type: 'function', function: { name: 'x', arguments: '{"q": "trunc' } },
          { id: 'b', type: 'function', function: { name: 'x', arguments: '[1]' } },
        ],
      },
      'tool_calls',
    );
    assert.deepEqual(
      out.content.map((b) => (b as { input: unknown }).input),
      [{ [RAW_ARGUMENTS_KEY]: '{"q": "trunc' }, { [RAW_ARGUMENTS_KEY]: '[1]' }],
    );
  });

  test('finish_reason → stop_reason', () => {
    for (const [f, s] of [
      ['stop', 'end_turn'],
      ['length', 'max_tokens'],
      ['tool_calls', 'tool_use'],
      ['content_filter', 'refusal'],
      ['function_call', 'tool_use'],
      [null, 'end_turn'],
    ] as const) {
      assert.equal(conv({}, { content: 'x' }, f).stop_reason, s, String(f));
    }
  });

  test('refusal → text block + refusal; vLLM matched stop string → stop_sequence', () => {
    const r = conv({}, { refusal: 'I cannot help with that.' });
    assert.deepEqual(r.content, [{ type: 'text', text: 'I cannot help with that.' }]);
    assert.equal(r.stop_reason, 'refusal');
    const v = openaiToAnthropicResponse({ ...base, choices: [{ ...base.choices[0]!, stop_reason: '###' }] }, { model: 'm' });
    assert.equal(v.stop_reason, 'stop_sequence');
    assert.equal(v.stop_sequence, '###');
  });

  test('ids, empty content, missing usage, DeepSeek usage', () => {
    assert.equal(conv({ id: 'gen-xyz' }).id, 'msg_gen-xyz');
    assert.deepEqual(conv({}, { content: '' }).content, []);
    const noUsage = conv({ usage: undefined });
    assert.deepEqual(noUsage.usage, {
      input_tokens: 0,
      output_tokens: 0,
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    });
    const ds = conv({
      usage: {
        prompt_tokens: 100,
        completion_tokens: 3,
        total_tokens: 103,
        prompt_cache_hit_tokens: 64,
        prompt_cache_miss_tokens: 36,
      } as ChatCompletion['usage'],
    });
    assert.equal(ds.usage.input_tokens, 36);
    assert.equal(ds.usage.cache_read_input_tokens, 64);
  });
});
