import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../core/errors.ts';
import type { ChatCompletionRequest } from '../wire/openai.ts';
import { DROPPED_OPENAI_PARAMS, openaiToAnthropicRequest } from './openai-to-anthropic-request.ts';
import { SECTION7_ANTHROPIC_REQUEST, SECTION7_OPENAI_REQUEST, lookupTool } from './testdata/section7.ts';

const opts = { upstreamModel: 'claude-x', defaultMaxTokens: 4096 };
const tr = (req: Record<string, unknown>) =>
  openaiToAnthropicRequest({ model: 'gw-model', messages: [{ role: 'user', content: 'hi' }], ...req } as ChatCompletionRequest, opts);

function rejects(req: Record<string, unknown>, param: string, msg?: RegExp) {
  assert.throws(
    () => tr(req),
    (e: unknown) => {
      assert.ok(e instanceof GatewayError, 'GatewayError');
      assert.equal(e.status, 400);
      assert.equal(e.type, 'invalid_request_error');
      assert.equal(e.param, param);
      if (msg) assert.match(e.message, msg);
      return true;
    },
  );
}

describe('openaiToAnthropicRequest', () => {
  test('the worked translation example (OpenAI request → Anthropic)', () => {
    assert.deepEqual(openaiToAnthropicRequest(SECTION7_OPENAI_REQUEST as ChatCompletionRequest, opts), SECTION7_ANTHROPIC_REQUEST);
  });

  test('system + developer messages hoisted in order, parts become blocks, cache_control kept', () => {
    const out = tr({
      messages: [
        { role: 'system', content: 'A' },
        { role: 'user', content: 'q1' },
        {
          role: 'developer',
          content: [
            { type: 'text', text: 'B' },
            { type: 'text', text: 'C', cache_control: { type: 'ephemeral', ttl: '1h' } },
          ],
        },
        { role: 'assistant', content: 'a1' },
      ],
    });
    assert.deepEqual(out.system, [
      { type: 'text', text: 'A' },
      { type: 'text', text: 'B' },
      { type: 'text', text: 'C', cache_control: { type: 'ephemeral', ttl: '1h' } },
    ]);
    assert.deepEqual(out.messages, [
      { role: 'user', content: [{ type: 'text', text: 'q1' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'a1' }] },
    ]);
  });

  test('no system → no system field; model is the upstream model; default max_tokens', () => {
    const out = tr({});
    assert.equal('system' in out, false);
    assert.equal(out.model, 'claude-x');
    assert.equal(out.max_tokens, 4096);
  });

  test('max_completion_tokens ?? max_tokens ?? default', () => {
    assert.equal(tr({ max_tokens: 100 }).max_tokens, 100);
    assert.equal(tr({ max_tokens: 100, max_completion_tokens: 50 }).max_tokens, 50);
    assert.equal(tr({ max_tokens: null, max_completion_tokens: null }).max_tokens, 4096);
    rejects({ max_tokens: -1 }, 'max_tokens');
    rejects({ max_completion_tokens: 1.5 }, 'max_completion_tokens');
  });

  test('images: data URLs (png/jpeg/gif/webp, jpg alias), pdf → document, http(s) → url source', () => {
    const part = (url: string) => ({ type: 'image_url', image_url: { url, detail: 'high' } });
    const out = tr({
      messages: [
        {
          role: 'user',
          content: [
            part('data:image/jpeg;base64,AAA'),
            part('data:image/jpg;base64,BBB'),
            part('data:image/gif;base64,CCC'),
            part('data:image/webp;base64,DDD'),
            part('data:application/pdf;base64,PDF'),
            part('https://x.test/cat.png'),
          ],
        },
      ],
    });
    assert.deepEqual(out.messages[0]!.content, [
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: 'AAA' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: 'BBB' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/gif', data: 'CCC' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/webp', data: 'DDD' } },
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'PDF' } },
      { type: 'image', source: { type: 'url', url: 'https://x.test/cat.png' } },
    ]);
    rejects({ messages: [{ role: 'user', content: [part('data:image/bmp;base64,AAA')] }] }, 'messages[0].content[0]', /image\/bmp/);
    rejects({ messages: [{ role: 'user', content: [part('data:image/png,raw')] }] }, 'messages[0].content[0]', /base64/);
    rejects({ messages: [{ role: 'user', content: [part('ftp://x/y.png')] }] }, 'messages[0].content[0]');
  });

  test('file parts: inline PDF → document with title; file_id → 400', () => {
    const out = tr({ messages: [{ role: 'user', content: [{ type: 'file', file: { file_data: 'data:application/pdf;base64,JVBER', filename: 'a.pdf' } }] }] });
    assert.deepEqual(out.messages[0]!.content, [
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER' }, title: 'a.pdf' },
    ]);
    rejects({ messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-1' } }] }] }, 'messages[0].content[0]', /file_id/);
  });

  test('audio input → 400', () => {
    rejects({ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }] }] }, 'messages[0].content[0]', /Audio/);
  });

  test('assistant tool_calls → tool_use after text; empty arguments → {}', () => {
    const out = tr({
      tools: [lookupTool],
      messages: [
        { role: 'user', content: 'q' },
        {
          role: 'assistant',
          content: 'Let me look.',
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"q":"a"}' } },
            { id: 'c2', type: 'function', function: { name: 'lookup', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'r1' },
        { role: 'tool', tool_call_id: 'c2', content: [{ type: 'text', text: 'r2' }] },
        { role: 'user', content: 'thanks' },
      ],
    });
    assert.deepEqual(out.messages[1], {
      role: 'assistant',
      content: [
        { type: 'text', text: 'Let me look.' },
        { type: 'tool_use', id: 'c1', name: 'lookup', input: { q: 'a' } },
        { type: 'tool_use', id: 'c2', name: 'lookup', input: {} },
      ],
    });
    assert.deepEqual(out.messages[2], {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'c1', content: 'r1' },
        { type: 'tool_result', tool_use_id: 'c2', content: [{ type: 'text', text: 'r2' }] },
        { type: 'text', text: 'thanks' },
      ],
    });
    assert.equal(out.messages.length, 3);
  });

  test('tool_result blocks are moved FIRST in a merged user turn', () => {
    const out = tr({
      tools: [lookupTool],
      messages: [
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{}' } }] },
        { role: 'user', content: 'by the way' },
        { role: 'tool', tool_call_id: 'c1', content: 'r1' },
      ],
    });
    assert.deepEqual(out.messages[1]!.content, [
      { type: 'tool_result', tool_use_id: 'c1', content: 'r1' },
      { type: 'text', text: 'by the way' },
    ]);
  });

  test('invalid tool-call arguments → 400 naming the param', () => {
    const msgs = (args: string) => [
      { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'lookup', arguments: args } }] },
    ];
    rejects({ tools: [lookupTool], messages: msgs('{not json') }, 'messages[0].tool_calls[0].function.arguments', /valid JSON/);
    rejects({ tools: [lookupTool], messages: msgs('[1,2]') }, 'messages[0].tool_calls[0].function.arguments', /object/);
  });

  test('tool results or tool calls without tools → 400', () => {
    rejects(
      {
        messages: [
          { role: 'user', content: 'q' },
          { role: 'tool', tool_call_id: 'c1', content: 'r' },
        ],
      },
      'tools',
      /must also define `tools`/,
    );
    rejects(
      { messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'x', arguments: '{}' } }] }] },
      'tools',
    );
    rejects({ tools: [lookupTool], messages: [{ role: 'tool', content: 'r' }] }, 'messages[0].tool_call_id');
  });

  test('consecutive same-role turns merged; empty text dropped; final assistant trimmed', () => {
    const out = tr({
      messages: [
        { role: 'user', content: 'a' },
        { role: 'user', content: '' },
        { role: 'user', content: [{ type: 'text', text: 'b' }] },
        { role: 'assistant', content: 'x' },
        { role: 'assistant', content: 'The answer is  \n' },
      ],
    });
    assert.deepEqual(out.messages, [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'x' },
          { type: 'text', text: 'The answer is' },
        ],
      },
    ]);
  });

  test('tools: description, default schema, strict dropped, cache_control kept; custom tools → 400', () => {
    const out = tr({
      tools: [
        { type: 'function', function: { name: 'a', description: 'does a', parameters: { type: 'object', properties: {} }, strict: true } },
        { type: 'function', function: { name: 'b' } },
        { type: 'function', function: { name: 'c', parameters: { properties: { x: {} } } }, cache_control: { type: 'ephemeral' } },
      ],
    });
    assert.deepEqual(out.tools, [
      { name: 'a', description: 'does a', input_schema: { type: 'object', properties: {} } },
      { name: 'b', input_schema: { type: 'object', properties: {} } },
      { name: 'c', input_schema: { type: 'object', properties: { x: {} } }, cache_control: { type: 'ephemeral' } },
    ]);
    rejects({ tools: [{ type: 'custom', custom: { name: 'g' } }] }, 'tools[0]', /function tools/);
    rejects({ tools: [{ type: 'function', function: { name: 's', parameters: { type: 'string' } } }] }, 'tools[0].function.parameters');
  });

  test('tool_choice none/auto/required/named and parallel_tool_calls', () => {
    const tc = (tool_choice: unknown, extra: Record<string, unknown> = {}) => tr({ tools: [lookupTool], tool_choice, ...extra }).tool_choice;
    assert.deepEqual(tc('none'), { type: 'none' });
    assert.deepEqual(tc('auto'), { type: 'auto' });
    assert.deepEqual(tc('required'), { type: 'any' });
    assert.deepEqual(tc({ type: 'function', function: { name: 'lookup' } }), { type: 'tool', name: 'lookup' });
    assert.equal(tc(undefined), undefined);
    assert.deepEqual(tc(undefined, { parallel_tool_calls: false }), { type: 'auto', disable_parallel_tool_use: true });
    assert.deepEqual(tc('required', { parallel_tool_calls: false }), { type: 'any', disable_parallel_tool_use: true });
    assert.deepEqual(tc({ type: 'function', function: { name: 'lookup' } }, { parallel_tool_calls: false }), {
      type: 'tool',
      name: 'lookup',
      disable_parallel_tool_use: true,
    });
    assert.deepEqual(tc('none', { parallel_tool_calls: false }), { type: 'none' });
    assert.deepEqual(tc('auto', { parallel_tool_calls: true }), { type: 'auto' });
    rejects({ tools: [lookupTool], tool_choice: { type: 'function', function: { name: 'nope' } } }, 'tool_choice');
    rejects({ tools: [lookupTool], tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [] } } }, 'tool_choice');
    rejects({ tool_choice: 'required' }, 'tool_choice');
    assert.equal(tr({ tool_choice: 'none' }).tool_choice, undefined);
  });

  test('stop → stop_sequences; whitespace-only stop → 400', () => {
    assert.deepEqual(tr({ stop: 'END' }).stop_sequences, ['END']);
    assert.deepEqual(tr({ stop: ['a', 'b'] }).stop_sequences, ['a', 'b']);
    assert.equal(tr({ stop: null }).stop_sequences, undefined);
    assert.equal(tr({ stop: [] }).stop_sequences, undefined);
    rejects({ stop: ['\n'] }, 'stop', /non-whitespace/);
  });

  test('temperature clamped to [0,1]; top_p / top_k / thinking pass through', () => {
    assert.equal(tr({ temperature: 1.7 }).temperature, 1);
    assert.equal(tr({ temperature: 2 }).temperature, 1);
    assert.equal(tr({ temperature: 0.5 }).temperature, 0.5);
    assert.equal(tr({ temperature: -1 }).temperature, 0);
    assert.equal('temperature' in tr({ temperature: null }), false);
    rejects({ temperature: 'hot' }, 'temperature');
    const out = tr({ top_p: 0.9, top_k: 40, thinking: { type: 'enabled', budget_tokens: 2048 } });
    assert.equal(out.top_p, 0.9);
    assert.equal(out.top_k, 40);
    assert.deepEqual(out.thinking, { type: 'enabled', budget_tokens: 2048 });
  });

  test('user → metadata.user_id (safety_identifier as fallback); stream passes through', () => {
    assert.deepEqual(tr({ user: 'u-1' }).metadata, { user_id: 'u-1' });
    assert.deepEqual(tr({ safety_identifier: 'hash' }).metadata, { user_id: 'hash' });
    assert.equal(tr({}).metadata, undefined);
    assert.equal(tr({ stream: true }).stream, true);
    assert.equal(tr({ stream: false }).stream, false);
    assert.equal('stream' in tr({}), false);
  });

  test('rejected params: n>1, logprobs, top_logprobs, audio, response_format json, legacy functions, web search', () => {
    rejects({ n: 2 }, 'n', /n must be 1/);
    assert.doesNotThrow(() => tr({ n: 1 }));
    rejects({ logprobs: true }, 'logprobs');
    rejects({ top_logprobs: 3 }, 'top_logprobs');
    rejects({ audio: { voice: 'alloy', format: 'mp3' } }, 'audio');
    rejects({ modalities: ['text', 'audio'] }, 'modalities');
    rejects({ response_format: { type: 'json_object' } }, 'response_format', /json_object/);
    rejects({ response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } } }, 'response_format', /json_schema/);
    rejects({ functions: [{ name: 'f' }] }, 'functions');
    rejects({ function_call: 'auto' }, 'function_call');
    rejects({ messages: [{ role: 'function', name: 'f', content: 'x' }] }, 'messages[0].role');
    rejects({ web_search_options: {} }, 'web_search_options');
  });

  test('harmless params are dropped and listed in DROPPED_OPENAI_PARAMS', () => {
    const dropped = {
      seed: 1,
      presence_penalty: 0.5,
      frequency_penalty: 0.5,
      logit_bias: { 50256: -100 },
      store: true,
      metadata: { a: 'b' },
      service_tier: 'auto',
      prediction: { type: 'content', content: 'x' },
      response_format: { type: 'text' },
      logprobs: false,
      top_logprobs: 0,
      modalities: ['text'],
      reasoning_effort: 'low',
      verbosity: 'low',
      prompt_cache_key: 'k',
      stream_options: { include_usage: true },
    };
    const out = tr(dropped) as unknown as Record<string, unknown>;
    assert.deepEqual(Object.keys(out).sort(), ['max_tokens', 'messages', 'model']);
    for (const k of Object.keys(dropped)) {
      assert.ok(
        DROPPED_OPENAI_PARAMS.some((d) => d === k || d.startsWith(`${k} `)),
        `${k} documented`,
      );
    }
  });

  test('structural errors', () => {
    rejects({ messages: [] }, 'messages');
    rejects({ messages: [{ role: 'system', content: 'only system' }] }, 'messages', /at least one/);
    rejects({ messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role');
    rejects({ messages: [{ role: 'user', content: [{ type: 'video', video: {} }] }] }, 'messages[0].content[0]');
    rejects(
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache_control: { type: 'forever' } }] }] },
      'messages[0].content[0].cache_control',
    );
  });
});
