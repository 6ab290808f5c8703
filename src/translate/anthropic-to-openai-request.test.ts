import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../core/errors.ts';
import type { AnthropicMessagesRequest } from '../wire/anthropic.ts';
import type { ChatCompletionRequest } from '../wire/openai.ts';
import { anthropicToOpenaiRequest } from './anthropic-to-openai-request.ts';
import { openaiToAnthropicRequest } from './openai-to-anthropic-request.ts';
import { SECTION7_ANTHROPIC_REQUEST, SECTION7_OPENAI_REQUEST } from './testdata/section7.ts';

const opts = { upstreamModel: 'gpt-x' };
const tr = (req: Record<string, unknown>, o: Record<string, unknown> = {}) =>
  anthropicToOpenaiRequest({ model: 'gw', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }], ...req } as AnthropicMessagesRequest, {
    ...opts,
    ...o,
  });
const tool = { name: 'lookup', description: 'Look up', input_schema: { type: 'object', properties: { q: { type: 'string' } } } };

function rejects(req: Record<string, unknown>, param: string, msg?: RegExp) {
  assert.throws(
    () => tr(req),
    (e: unknown) => {
      assert.ok(e instanceof GatewayError);
      assert.equal(e.status, 400);
      assert.equal(e.param, param);
      if (msg) assert.match(e.message, msg);
      return true;
    },
  );
}

describe('anthropicToOpenaiRequest', () => {
  test('the worked translation example in reverse (Anthropic → OpenAI)', () => {
    const out = anthropicToOpenaiRequest(SECTION7_ANTHROPIC_REQUEST as AnthropicMessagesRequest, { upstreamModel: 'claude-x', supportsDeveloperRole: true });
    const expected = { ...SECTION7_OPENAI_REQUEST } as Record<string, unknown>;
    delete expected.tools;
    assert.deepEqual({ ...out, tools: undefined }, { ...expected, tools: undefined });
    assert.deepEqual(out.tools, [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }]);
  });

  test('§7 round trip OpenAI → Anthropic → OpenAI is stable', () => {
    const a = openaiToAnthropicRequest(SECTION7_OPENAI_REQUEST as ChatCompletionRequest, { upstreamModel: 'claude-x', defaultMaxTokens: 1 });
    const back = anthropicToOpenaiRequest(a, { upstreamModel: 'claude-x', supportsDeveloperRole: true });
    assert.deepEqual(JSON.parse(JSON.stringify(back)), SECTION7_OPENAI_REQUEST);
  });

  test('system string / blocks → one system message (developer when supported)', () => {
    assert.deepEqual(tr({ system: 'Be terse.' }).messages[0], { role: 'system', content: 'Be terse.' });
    assert.deepEqual(
      tr({
        system: [
          { type: 'text', text: 'A', cache_control: { type: 'ephemeral' } },
          { type: 'text', text: 'B' },
        ],
      }).messages[0],
      { role: 'system', content: 'A\nB' },
    );
    assert.equal(tr({ system: 'x' }, { supportsDeveloperRole: true }).messages[0]!.role, 'developer');
    assert.equal(tr({}).messages[0]!.role, 'user');
  });

  test('blocks → parts: text, base64 / url images, pdf → file part, text document → text', () => {
    const out = tr({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAA' } },
            { type: 'image', source: { type: 'url', url: 'https://x.test/a.jpg' } },
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'PDF' }, title: 'r.pdf' },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'plain' } },
          ],
        },
      ],
    });
    assert.deepEqual(out.messages, [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'look' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAA' } },
          { type: 'image_url', image_url: { url: 'https://x.test/a.jpg' } },
          { type: 'file', file: { file_data: 'data:application/pdf;base64,PDF', filename: 'r.pdf' } },
          { type: 'text', text: 'plain' },
        ],
      },
    ]);
    rejects({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'f' } }] }] }, 'messages.0.content.0.source');
    rejects({ messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'url', url: 'https://x/a.pdf' } }] }] }, 'messages.0.content.0.source');
  });

  test('tool_use ↔ tool_calls, tool_result → tool messages before the rest of the turn', () => {
    const out = tr({
      tools: [tool],
      messages: [
        { role: 'user', content: 'q' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 't', signature: 's' },
            { type: 'text', text: 'Let me ' },
            { type: 'text', text: 'check.' },
            { type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { q: 'a' } },
            { type: 'tool_use', id: 'toolu_2', name: 'lookup', input: {} },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: 'r1' },
            {
              type: 'tool_result',
              tool_use_id: 'toolu_2',
              is_error: true,
              content: [
                { type: 'text', text: 'line1' },
                { type: 'text', text: 'line2' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'IMG' } },
              ],
            },
            { type: 'text', text: 'and now?' },
          ],
        },
      ],
    });
    assert.deepEqual(out.messages, [
      { role: 'user', content: 'q' },
      {
        role: 'assistant',
        content: 'Let me check.',
        tool_calls: [
          { id: 'toolu_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"a"}' } },
          { id: 'toolu_2', type: 'function', function: { name: 'lookup', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'r1' },
      { role: 'tool', tool_call_id: 'toolu_2', content: 'line1\nline2' },
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'data:image/png;base64,IMG' } },
          { type: 'text', text: 'and now?' },
        ],
      },
    ]);
  });

  test('assistant with only tool_use → content null; only tool results → no user message', () => {
    const out = tr({
      tools: [tool],
      messages: [
        { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'lookup', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't' }] },
      ],
    });
    assert.deepEqual(out.messages, [
      { role: 'assistant', content: null, tool_calls: [{ id: 't', type: 'function', function: { name: 'lookup', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 't', content: '' },
    ]);
  });

  test('tools and tool_choice (auto/any/tool/none, disable_parallel_tool_use)', () => {
    assert.deepEqual(tr({ tools: [tool] }).tools, [{ type: 'function', function: { name: 'lookup', description: 'Look up', parameters: tool.input_schema } }]);
    assert.equal(tr({ tools: [tool] }).tool_choice, undefined);
    assert.equal(tr({ tools: [tool], tool_choice: { type: 'auto' } }).tool_choice, 'auto');
    assert.equal(tr({ tools: [tool], tool_choice: { type: 'any' } }).tool_choice, 'required');
    assert.equal(tr({ tools: [tool], tool_choice: { type: 'none' } }).tool_choice, 'none');
    assert.deepEqual(tr({ tools: [tool], tool_choice: { type: 'tool', name: 'lookup' } }).tool_choice, { type: 'function', function: { name: 'lookup' } });
    const np = tr({ tools: [tool], tool_choice: { type: 'any', disable_parallel_tool_use: true } });
    assert.equal(np.parallel_tool_calls, false);
    assert.equal('parallel_tool_calls' in tr({ tools: [tool], tool_choice: { type: 'auto' } }), false);
    rejects({ tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 3 }] }, 'tools.0', /server tool/);
    rejects({ mcp_servers: [{ type: 'url', url: 'https://x', name: 'x' }] }, 'mcp_servers');
  });

  test('sampling, stop, max tokens field choice, metadata, top_k/thinking dropped', () => {
    const out = tr({
      stop_sequences: ['END'],
      temperature: 0.3,
      top_p: 0.8,
      top_k: 5,
      metadata: { user_id: 'u1' },
      thinking: { type: 'enabled', budget_tokens: 2000 },
      cache_control: { type: 'ephemeral' },
      service_tier: 'auto',
    });
    assert.deepEqual(out, {
      model: 'gpt-x',
      messages: [{ role: 'user', content: 'hi' }],
      max_completion_tokens: 100,
      stop: ['END'],
      temperature: 0.3,
      top_p: 0.8,
      user: 'u1',
    });
    const legacy = tr({}, { useMaxTokensField: true });
    assert.equal(legacy.max_tokens, 100);
    assert.equal('max_completion_tokens' in legacy, false);
    rejects({ max_tokens: 'x' }, 'max_tokens');
  });

  test('streaming always asks for the usage chunk', () => {
    const out = tr({ stream: true });
    assert.equal(out.stream, true);
    assert.deepEqual(out.stream_options, { include_usage: true });
    assert.equal('stream_options' in tr({ stream: false }), false);
  });

  test('output_config.format json_schema → response_format', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    assert.deepEqual(tr({ output_config: { format: { type: 'json_schema', schema } } }).response_format, {
      type: 'json_schema',
      json_schema: { name: 'response', schema, strict: true },
    });
  });

  test('structural errors', () => {
    rejects({ messages: [] }, 'messages');
    rejects({ messages: [{ role: 'system', content: 'x' }] }, 'messages.0.role');
    rejects({ messages: [{ role: 'assistant', content: [{ type: 'server_tool_use', id: 's', name: 'web_search', input: {} }] }] }, 'messages.0.content.0');
  });
});
