import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { AnthropicMessage } from '../wire/anthropic.ts';
import { anthropicToOpenaiResponse } from './anthropic-to-openai-response.ts';

const base: AnthropicMessage = {
  id: 'msg_01',
  type: 'message',
  role: 'assistant',
  model: 'claude-upstream',
  content: [],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 20, output_tokens: 5, cache_read_input_tokens: 1000, cache_creation_input_tokens: 300 },
};
const conv = (over: Partial<AnthropicMessage>, id?: string) => anthropicToOpenaiResponse({ ...base, ...over }, { id, created: 1700000000, model: 'gw-claude' });

describe('anthropicToOpenaiResponse', () => {
  test('text blocks concatenated, thinking dropped, usage cache-inclusive', () => {
    const out = conv({
      content: [
        { type: 'thinking', thinking: 'hmm', signature: 's' },
        { type: 'text', text: 'Hello, ' },
        { type: 'text', text: 'world.' },
      ],
    });
    assert.deepEqual(out, {
      id: 'chatcmpl-msg_01',
      object: 'chat.completion',
      created: 1700000000,
      model: 'gw-claude',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello, world.', refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1320, completion_tokens: 5, total_tokens: 1325, prompt_tokens_details: { cached_tokens: 1000, cache_write_tokens: 300 } },
    });
  });

  test('tool_use → tool_calls with JSON.stringify(input); content null without text', () => {
    const out = conv(
      {
        stop_reason: 'tool_use',
        content: [
          { type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { q: 'cat' } },
          { type: 'tool_use', id: 'toolu_2', name: 'noargs', input: {} },
        ],
      },
      'chatcmpl-given',
    );
    assert.equal(out.id, 'chatcmpl-given');
    assert.deepEqual(out.choices[0]!.message, {
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [
        { id: 'toolu_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"cat"}' } },
        { id: 'toolu_2', type: 'function', function: { name: 'noargs', arguments: '{}' } },
      ],
    });
    assert.equal(out.choices[0]!.finish_reason, 'tool_calls');
  });

  test('text + tool_use keeps both', () => {
    const out = conv({
      stop_reason: 'tool_use',
      content: [
        { type: 'text', text: 'Looking.' },
        { type: 'tool_use', id: 't', name: 'x', input: { a: 1 } },
      ],
    });
    assert.equal(out.choices[0]!.message.content, 'Looking.');
    assert.equal(out.choices[0]!.message.tool_calls?.length, 1);
  });

  test('empty content → empty string', () => {
    assert.equal(conv({ content: [], stop_reason: 'max_tokens' }).choices[0]!.message.content, '');
  });

  test('stop_reason → finish_reason', () => {
    const map: Array<[AnthropicMessage['stop_reason'], string]> = [
      ['end_turn', 'stop'],
      ['stop_sequence', 'stop'],
      ['pause_turn', 'stop'],
      ['max_tokens', 'length'],
      ['model_context_window_exceeded', 'length'],
      ['tool_use', 'tool_calls'],
      ['refusal', 'content_filter'],
    ];
    for (const [s, f] of map) assert.equal(conv({ stop_reason: s }).choices[0]!.finish_reason, f, String(s));
  });

  test('1h cache writes are included in prompt_tokens and cache_write_tokens', () => {
    const out = conv({
      usage: {
        input_tokens: 10,
        output_tokens: 1,
        cache_creation_input_tokens: 150,
        cache_read_input_tokens: 0,
        cache_creation: { ephemeral_5m_input_tokens: 50, ephemeral_1h_input_tokens: 100 },
      },
    });
    assert.equal(out.usage?.prompt_tokens, 160);
    assert.equal(out.usage?.prompt_tokens_details?.cache_write_tokens, 150);
  });
});
