/**
 * Input-token estimation: fast counter agrees with gpt-tokenizer, body walking for both API
 * shapes, Claude margin, media constants, bounded cost on pathological input, the byte bound.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { countTextTokens, tokenCounterMode } from './token-count.ts';
import {
  BODY_INDEPENDENT_TOKENS,
  CLAUDE_TOKEN_MULTIPLIER,
  CLAUDE_TOOLS_PROMPT_TOKENS,
  EXACT_CHAR_BUDGET,
  IMAGE_TOKENS,
  MAX_TOKENS_PER_IMAGE,
  estimateInputTokens,
  inspectInput,
  maxInputTokensUpperBound,
} from './estimate.ts';

const NO_SPECIAL = { disallowedSpecial: new Set<string>() };

test('the fast counter is active and equals gpt-tokenizer on real text (no piece > 64 chars)', () => {
  assert.equal(tokenCounterMode(), 'fast');
  const sources = [
    readFileSync('node_modules/openai/README.md', 'utf8'),
    readFileSync('node_modules/typescript/lib/lib.es5.d.ts', 'utf8'),
    readFileSync('node_modules/typescript/lib/zh-cn/diagnosticMessages.generated.json', 'utf8'),
    'Grüße aus Köln! naïve café — “quotes” 🎉🎉 e\u0301 \t\t\n\r\n   x'.repeat(40),
  ];
  let chunks = 0;
  for (const src of sources) {
    for (let i = 0; i + 3000 <= Math.min(src.length, 150_000); i += 3000) {
      const s = src.slice(i, i + 3000);
      if (/\S{65,}|\s{65,}/.test(s)) continue; // sliced on purpose, compared separately below
      assert.equal(countTextTokens(s), countTokens(s, NO_SPECIAL), `${src.slice(0, 20)}@${i}`);
      chunks++;
    }
  }
  assert.ok(chunks > 50);
});

test('pieces longer than 64 characters: close to the library, and cost stays linear', () => {
  const rule = '*'.repeat(77) + '\n' + '─'.repeat(80) + '\n' + 'x'.repeat(300);
  const a = countTextTokens(rule);
  const b = countTokens(rule, NO_SPECIAL);
  assert.ok(Math.abs(a - b) <= 12, `${a} vs ${b}`);
  const t0 = performance.now();
  const n = countTextTokens('a'.repeat(200_000)); // ~2 minutes through the library's quadratic BPE
  assert.ok(n > 0 && performance.now() - t0 < 2000);
});

test('special-token text is plain text and never throws', () => {
  assert.ok(countTextTokens('<|endoftext|><|im_start|>') > 2);
  assert.ok(estimateInputTokens([{ role: 'user', content: '<|endoftext|>' }], 'openai') > 0);
});

test('OpenAI chat: text + per-message framing + reply priming', () => {
  const msgs = [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Hello there, how are you?' },
  ];
  const expected = 3 * 2 + 3 + countTokens('system') + countTokens('You are terse.') + countTokens('user') + countTokens('Hello there, how are you?');
  assert.equal(estimateInputTokens(msgs, 'openai'), expected);
  assert.equal(estimateInputTokens({ messages: msgs }, 'openai'), expected);
});

test('Claude: same text × the documented multiplier, plus the hidden tool prompt', () => {
  const body = { system: 'Be brief.', messages: [{ role: 'user', content: [{ type: 'text', text: 'What is 2+2?' }] }] };
  const base = 3 + 3 + countTokens('Be brief.') + countTokens('user') + countTokens('What is 2+2?');
  assert.equal(estimateInputTokens(body, 'claude'), Math.ceil(base * CLAUDE_TOKEN_MULTIPLIER));
  const tool = { name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } };
  const withTools = estimateInputTokens({ ...body, tools: [tool] }, 'claude');
  const toolText = countTokens(JSON.stringify(tool));
  assert.equal(withTools, Math.ceil((base + toolText) * CLAUDE_TOKEN_MULTIPLIER + CLAUDE_TOOLS_PROMPT_TOKENS.auto));
  const forced = estimateInputTokens({ ...body, tools: [tool], tool_choice: { type: 'any' } }, 'claude');
  assert.equal(forced - withTools, CLAUDE_TOOLS_PROMPT_TOKENS.forced - CLAUDE_TOOLS_PROMPT_TOKENS.auto);
});

test('images and documents use fixed estimates; base64 is never tokenized', () => {
  const b64 = 'A'.repeat(400_000);
  const claude = inspectInput(
    {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: b64 } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/x.png' } },
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: b64 } },
            { type: 'text', text: 'Describe.' },
          ],
        },
      ],
    },
    'claude',
  );
  assert.equal(claude.images, 2);
  assert.equal(claude.documents, 1);
  assert.ok(claude.tokens > 2 * IMAGE_TOKENS.claude && claude.tokens < 2 * IMAGE_TOKENS.claude + 20_000, String(claude.tokens));
  const oa = inspectInput(
    [
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: `data:image/png;base64,${b64}`, detail: 'low' } },
          { type: 'image_url', image_url: { url: 'https://example.com/y.jpg' } },
        ],
      },
    ],
    'openai',
  );
  assert.equal(oa.images, 2);
  assert.equal(oa.tokens, IMAGE_TOKENS.openaiLow + IMAGE_TOKENS.openai + 3 + 3 + countTokens('user'));
});

test('tool calls, tool results, thinking and unknown blocks are counted', () => {
  const openai = estimateInputTokens(
    [
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"q":"tollgate"}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'result text here' },
    ],
    'openai',
  );
  assert.ok(openai >= countTokens('lookup') + countTokens('{"q":"tollgate"}') + countTokens('result text here'));
  const claude = estimateInputTokens(
    {
      messages: [
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Let me think.', signature: 'sig' },
            { type: 'tool_use', id: 't', name: 'lookup', input: { q: 'x' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'found it' }] },
            { type: 'future_block', payload: 'abc' },
          ],
        },
      ],
    },
    'claude',
  );
  assert.ok(claude > 20);
});

test('malformed bodies never throw and never go negative', () => {
  for (const b of [{}, [], { messages: 'x' }, { messages: [null, 1, 'str', { content: 5 }] }, { system: [{ type: 'text' }], messages: [] }] as never[]) {
    for (const f of ['claude', 'openai'] as const) {
      const n = estimateInputTokens(b, f);
      assert.ok(Number.isSafeInteger(n) && n >= 0);
    }
  }
});

test('large prompts are sampled: bounded cost, close to the exact count', () => {
  const src = readFileSync('node_modules/typescript/lib/lib.dom.d.ts', 'utf8').slice(0, 400_000);
  const exact = countTextTokens(src);
  const t0 = performance.now();
  const est = estimateInputTokens([{ role: 'user', content: src }], 'openai');
  const ms = performance.now() - t0;
  assert.ok(src.length > EXACT_CHAR_BUDGET);
  assert.ok(Math.abs(est - exact) / exact < 0.1, `${est} vs ${exact}`);
  assert.ok(ms < 500, `${ms} ms`);
  const t1 = performance.now();
  estimateInputTokens([{ role: 'user', content: 'a'.repeat(5_000_000) }], 'claude');
  assert.ok(performance.now() - t1 < 1000);
});

test('maxInputTokensUpperBound: bytes + body-independent overhead + per-image allowance, garbage-safe', () => {
  assert.equal(maxInputTokensUpperBound(1000), 1000 + BODY_INDEPENDENT_TOKENS);
  assert.equal(maxInputTokensUpperBound(1000, 2), 1000 + BODY_INDEPENDENT_TOKENS + 2 * MAX_TOKENS_PER_IMAGE);
  assert.equal(maxInputTokensUpperBound(Number.NaN), BODY_INDEPENDENT_TOKENS);
  assert.equal(maxInputTokensUpperBound(-5, -1), BODY_INDEPENDENT_TOKENS);
});

test('the upper bound is above the estimate (text, CJK, emoji, punctuation-dense)', () => {
  for (const text of ['hello world '.repeat(500), '你好世界。'.repeat(500), '🎉🙂'.repeat(500), '!@#$%^&*()1 2 3 ;'.repeat(500)]) {
    for (const family of ['claude', 'openai'] as const) {
      const body = { messages: [{ role: 'user', content: text }] };
      const bytes = Buffer.byteLength(JSON.stringify(body));
      assert.ok(estimateInputTokens(body, family) <= maxInputTokensUpperBound(bytes), `${family} ${text.slice(0, 10)}`);
      assert.ok(countTokens(text) <= bytes); // the premise: ≥ 1 byte per token
    }
  }
});
