/**
 * The translated streams must be consumable by the official SDKs. Each SDK gets an in-process
 * `fetch` that returns the translator's frames as an SSE body: no sockets are opened.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { AnthropicToOpenaiStream } from './anthropic-to-openai-stream.ts';
import { OpenaiToAnthropicStream } from './openai-to-anthropic-stream.ts';

const sseFetch = (frames: string[]) => async () => new Response(frames.join(''), { status: 200, headers: { 'content-type': 'text/event-stream' } });

const ev = (data: Record<string, unknown>) => ({ event: String(data.type), data });

function claudeToolStream(includeUsage: boolean, withError = false): string[] {
  const t = new AnthropicToOpenaiStream({ id: 'chatcmpl-G', created: 1700000000, model: 'claude-x', includeUsage });
  const events = [
    ev({
      type: 'message_start',
      message: {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        content: [],
        model: 'claude-x',
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 20, cache_read_input_tokens: 1000, cache_creation_input_tokens: 300, output_tokens: 1 },
      },
    }),
    ev({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    ev({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Checking ' } }),
    ev({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'both.' } }),
    ev({ type: 'content_block_stop', index: 0 }),
    ev({ type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_A', name: 'lookup', input: {} } }),
    ev({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"q":"c' } }),
    ev({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: 'at"}' } }),
    ev({ type: 'content_block_stop', index: 1 }),
    ev({ type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_B', name: 'now', input: {} } }),
    ev({ type: 'content_block_stop', index: 2 }),
    ...(withError ? [ev({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })] : []),
    ev({ type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 33 } }),
    ev({ type: 'message_stop' }),
  ];
  const frames: string[] = [];
  for (const e of events) frames.push(...t.push(e));
  frames.push(...t.end());
  return frames;
}

function gptToolStream(withError = false): string[] {
  const t = new OpenaiToAnthropicStream({ model: 'gw-gpt', messageId: 'msg_gw1' });
  const c = (delta: Record<string, unknown> | null, finish: string | null = null, usage: unknown = null) => ({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'gpt-x',
    choices: delta ? [{ index: 0, delta, logprobs: null, finish_reason: finish }] : [],
    usage,
  });
  const chunks: unknown[] = [
    c({ role: 'assistant', content: '' }),
    c({ content: 'Checking ' }),
    c({ content: 'both.' }),
    c({ tool_calls: [{ index: 0, id: 'call_A', type: 'function', function: { name: 'lookup', arguments: '' } }] }),
    c({ tool_calls: [{ index: 0, function: { arguments: '{"q":"c' } }] }),
    c({ tool_calls: [{ index: 0, function: { arguments: 'at"}' } }] }),
    c({ tool_calls: [{ index: 1, id: 'call_B', type: 'function', function: { name: 'now', arguments: '{}' } }] }),
    ...(withError ? [{ error: { message: 'Internal error', type: 'server_error', code: null } }] : []),
    c({}, 'tool_calls'),
    c(null, null, { prompt_tokens: 1320, completion_tokens: 33, total_tokens: 1353, prompt_tokens_details: { cached_tokens: 1000, cache_write_tokens: 300 } }),
  ];
  const frames: string[] = [];
  for (const ch of chunks) frames.push(...t.push(ch));
  frames.push(...t.end());
  return frames;
}

describe('official SDKs consume the translated streams', () => {
  test('openai-node ChatCompletionStream accumulates text, two tool calls and usage', async () => {
    const client = new OpenAI({ apiKey: 'k', baseURL: 'http://127.0.0.1:9/v1', fetch: sseFetch(claudeToolStream(true)), maxRetries: 0 });
    const stream = client.chat.completions.stream({ model: 'claude-x', messages: [{ role: 'user', content: 'q' }], stream_options: { include_usage: true } });
    const final = await stream.finalChatCompletion();
    const msg = final.choices[0]!.message;
    assert.equal(msg.content, 'Checking both.');
    assert.deepEqual(
      msg.tool_calls?.map((tc) => tc.type === 'function' && [tc.id, tc.function.name, JSON.parse(tc.function.arguments)]),
      [
        ['toolu_A', 'lookup', { q: 'cat' }],
        ['toolu_B', 'now', {}],
      ],
    );
    assert.equal(final.choices[0]!.finish_reason, 'tool_calls');
    assert.deepEqual(final.usage, {
      prompt_tokens: 1320,
      completion_tokens: 33,
      total_tokens: 1353,
      prompt_tokens_details: { cached_tokens: 1000, cache_write_tokens: 300 },
    });
  });

  test('openai-node surfaces a translated mid-stream error as APIError', async () => {
    const client = new OpenAI({ apiKey: 'k', baseURL: 'http://127.0.0.1:9/v1', fetch: sseFetch(claudeToolStream(false, true)), maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'claude-x', messages: [{ role: 'user', content: 'q' }], stream: true });
    await assert.rejects(
      async () => {
        for await (const _ of stream) {
          /* drain */
        }
      },
      (e: unknown) => {
        assert.ok(e instanceof OpenAI.APIError);
        assert.match(String((e as Error).message), /Overloaded/);
        return true;
      },
    );
  });

  test('@anthropic-ai/sdk MessageStream builds the final message (text + two tool_use, usage)', async () => {
    const client = new Anthropic({ apiKey: 'k', baseURL: 'http://127.0.0.1:9', fetch: sseFetch(gptToolStream()), maxRetries: 0 });
    const final = await client.messages.stream({ model: 'gw-gpt', max_tokens: 100, messages: [{ role: 'user', content: 'q' }] }).finalMessage();
    assert.equal(final.id, 'msg_gw1');
    assert.deepEqual(
      final.content.map((b) => (b.type === 'text' ? ['text', b.text] : b.type === 'tool_use' ? ['tool_use', b.id, b.name, b.input] : [b.type])),
      [
        ['text', 'Checking both.'],
        ['tool_use', 'call_A', 'lookup', { q: 'cat' }],
        ['tool_use', 'call_B', 'now', {}],
      ],
    );
    assert.equal(final.stop_reason, 'tool_use');
    assert.equal(final.usage.input_tokens, 20);
    assert.equal(final.usage.cache_read_input_tokens, 1000);
    assert.equal(final.usage.cache_creation_input_tokens, 300);
    assert.equal(final.usage.output_tokens, 33);
  });

  test('@anthropic-ai/sdk surfaces a translated mid-stream error', async () => {
    const client = new Anthropic({ apiKey: 'k', baseURL: 'http://127.0.0.1:9', fetch: sseFetch(gptToolStream(true)), maxRetries: 0 });
    await assert.rejects(
      client.messages.stream({ model: 'gw-gpt', max_tokens: 100, messages: [{ role: 'user', content: 'q' }] }).finalMessage(),
      (e: unknown) => {
        assert.ok(e instanceof Anthropic.APIError);
        assert.match(String((e as Error).message), /Internal error/);
        return true;
      },
    );
  });
});
