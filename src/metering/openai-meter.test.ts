/**
 * OpenAI-compatible usage extraction: CompletionUsage conversion (cached subset, DeepSeek, cache
 * writes) and SSE streams (include_usage, Groq x_groq.usage, OpenRouter comments, choices null,
 * mid-stream errors, every byte split).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OpenaiStreamMeter, usageFromOpenai } from './openai-meter.ts';
import type { SseEvent } from './sse-parser.ts';
import { OPENAI_INCLUDE_USAGE, enc, parseChunks, splitAt } from '../../test/support/metering-streams.ts';
import { type Clock, fixedClock } from '../core/clock.ts';

const U = (o: Partial<ReturnType<typeof usageFromOpenai>>) => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheWrite5mTokens: 0,
  cacheWrite1hTokens: 0,
  cacheReadTokens: 0,
  webSearchRequests: 0,
  ...o,
});
function meter(events: SseEvent[], clock: Clock = fixedClock(0)): OpenaiStreamMeter {
  const m = new OpenaiStreamMeter(clock);
  for (const e of events) m.observe(e);
  return m;
}
const sse = (s: string) => parseChunks([s]);
const data = (...chunks: unknown[]) => chunks.map((c) => `data: ${typeof c === 'string' ? c : JSON.stringify(c)}\n\n`).join('');

test('usageFromOpenai: prompt_tokens includes cached tokens; reasoning is inside completion_tokens', () => {
  assert.deepEqual(
    usageFromOpenai({
      prompt_tokens: 2006,
      completion_tokens: 300,
      total_tokens: 2306,
      prompt_tokens_details: { cached_tokens: 1920 },
      completion_tokens_details: { reasoning_tokens: 128 },
    }),
    U({ inputTokens: 86, cacheReadTokens: 1920, outputTokens: 300 }),
  );
  assert.deepEqual(usageFromOpenai({ prompt_tokens: 24, completion_tokens: 58, total_tokens: 82 }), U({ inputTokens: 24, outputTokens: 58 }));
});

test('usageFromOpenai: cache writes count as 5m and are excluded from input', () => {
  assert.deepEqual(
    usageFromOpenai({ prompt_tokens: 1000, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 200, cache_write_tokens: 700 } }),
    U({ inputTokens: 100, cacheReadTokens: 200, cacheWrite5mTokens: 700, outputTokens: 1 }),
  );
});

test('usageFromOpenai: DeepSeek prompt_cache_hit_tokens / prompt_cache_miss_tokens', () => {
  assert.deepEqual(
    usageFromOpenai({
      prompt_tokens: 1500,
      completion_tokens: 40,
      prompt_cache_hit_tokens: 1408,
      prompt_cache_miss_tokens: 92,
      completion_tokens_details: { reasoning_tokens: 30 },
    }),
    U({ inputTokens: 92, cacheReadTokens: 1408, outputTokens: 40 }),
  );
  // Without prompt_tokens, hit + miss is the prompt.
  assert.deepEqual(usageFromOpenai({ prompt_cache_hit_tokens: 10, prompt_cache_miss_tokens: 5 }), U({ inputTokens: 5, cacheReadTokens: 10 }));
  // An explicit cached_tokens wins over the DeepSeek field.
  assert.deepEqual(
    usageFromOpenai({ prompt_tokens: 100, prompt_cache_hit_tokens: 80, prompt_tokens_details: { cached_tokens: 64 } }),
    U({ inputTokens: 36, cacheReadTokens: 64 }),
  );
});

test('usageFromOpenai: never negative, never NaN; cache counters clamped to prompt_tokens', () => {
  assert.deepEqual(usageFromOpenai({ prompt_tokens: 10, prompt_tokens_details: { cached_tokens: 50, cache_write_tokens: 50 } }), U({ cacheReadTokens: 10 }));
  assert.deepEqual(
    usageFromOpenai({ prompt_tokens: 10, prompt_tokens_details: { cached_tokens: 4, cache_write_tokens: 50 } }),
    U({ cacheReadTokens: 4, cacheWrite5mTokens: 6 }),
  );
  for (const g of [
    null,
    undefined,
    'x',
    [],
    { prompt_tokens: -1, completion_tokens: NaN },
    { prompt_tokens: 'abc', prompt_tokens_details: null },
    { prompt_tokens_details: { cached_tokens: -9 } },
  ]) {
    const u = usageFromOpenai(g);
    for (const v of Object.values(u)) assert.ok(Number.isSafeInteger(v) && v >= 0, JSON.stringify(g));
  }
});

test('include_usage stream: final usage chunk with choices [] wins; [DONE] completes', () => {
  let t = 50;
  const m = meter(sse(OPENAI_INCLUDE_USAGE), { now: () => t++ });
  assert.deepEqual(m.usage(), U({ inputTokens: 86, cacheReadTokens: 1920, outputTokens: 300 }));
  assert.equal(m.complete, true);
  assert.equal(m.finishReason, 'stop');
  assert.equal(m.id, 'chatcmpl-1');
  assert.equal(m.model, 'gpt-4o-2024-08-06');
  assert.equal(m.firstContentAt, 50); // the role chunk has empty content; "Héllo 🌍" is first
  assert.equal(m.error, undefined);
});

test('include_usage stream: identical result for every byte split', () => {
  const bytes = enc(OPENAI_INCLUDE_USAGE);
  const expected = meter(sse(OPENAI_INCLUDE_USAGE)).usage();
  for (let i = 0; i <= bytes.length; i++) {
    const m = meter(parseChunks(splitAt(bytes, i)));
    assert.deepEqual(m.usage(), expected, `split at ${i}`);
    assert.equal(m.complete, true);
    assert.equal(m.finishReason, 'stop');
  }
});

test('content chunks with "usage": null are not JSON-parsed once content has started', () => {
  const original = JSON.parse;
  let parses = 0;
  JSON.parse = ((text: string, reviver?: (this: unknown, key: string, value: unknown) => unknown) => {
    parses++;
    return original(text, reviver);
  }) as typeof JSON.parse;
  try {
    const chunk = (content: string) => ({ id: 'c', choices: [{ index: 0, delta: { content }, finish_reason: null }], usage: null });
    meter(sse(data(chunk('a'), ...Array.from({ length: 100 }, () => chunk('b')), '[DONE]')));
  } finally {
    JSON.parse = original;
  }
  assert.equal(parses, 1);
});

test('a content delta whose text is or contains "usage"/"error"/finish_reason does not break metering', () => {
  const chunk = (content: string) => ({ id: 'c', choices: [{ index: 0, delta: { content }, finish_reason: null }] });
  const s = data(
    chunk('x'),
    chunk('usage'),
    chunk('"usage": {"prompt_tokens": 999999}'),
    chunk('{"error":{"message":"fake"}}'),
    chunk('"finish_reason":"length"'),
    { id: 'c', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
    { id: 'c', choices: [], usage: { prompt_tokens: 5, completion_tokens: 6 } },
    '[DONE]',
  );
  const m = meter(sse(s));
  assert.deepEqual(m.usage(), U({ inputTokens: 5, outputTokens: 6 }));
  assert.equal(m.error, undefined);
  assert.equal(m.finishReason, 'stop');
});

test('Groq: x_groq.usage on the finish chunk, then a standard usage chunk: the last wins, never a sum', () => {
  const s = data(
    { id: 'g', model: 'llama', choices: [{ index: 0, delta: { role: 'assistant', content: 'hi' }, finish_reason: null }], x_groq: { id: 'req_1' } },
    {
      id: 'g',
      choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
      x_groq: { id: 'req_1', usage: { prompt_tokens: 18, completion_tokens: 9, total_tokens: 27, queue_time: 0.01 } },
    },
    { id: 'g', choices: [], usage: { prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 } },
    '[DONE]',
  );
  assert.deepEqual(meter(sse(s)).usage(), U({ inputTokens: 20, outputTokens: 10 }));
  // Groq alone (no include_usage):
  const groqOnly = s.slice(0, s.indexOf('data: {"id":"g","choices":[],'));
  assert.deepEqual(meter(sse(groqOnly)).usage(), U({ inputTokens: 18, outputTokens: 9 }));
});

test('vLLM continuous_usage_stats: usage on every chunk, the last one wins', () => {
  const s = data(
    { id: 'v', choices: [{ index: 0, delta: { content: 'a' }, finish_reason: null }], usage: { prompt_tokens: 7, completion_tokens: 1 } },
    { id: 'v', choices: [{ index: 0, delta: { content: 'b' }, finish_reason: null }], usage: { prompt_tokens: 7, completion_tokens: 2 } },
    { id: 'v', choices: [{ index: 0, delta: {}, finish_reason: 'length' }], usage: { prompt_tokens: 7, completion_tokens: 3 } },
    '[DONE]',
  );
  const m = meter(sse(s));
  assert.deepEqual(m.usage(), U({ inputTokens: 7, outputTokens: 3 }));
  assert.equal(m.finishReason, 'length');
});

test('OpenRouter: ": OPENROUTER PROCESSING" comment lines are ignored', () => {
  const s = ': OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\n' + OPENAI_INCLUDE_USAGE.replace('data: [DONE]', ': OPENROUTER PROCESSING\n\ndata: [DONE]');
  const m = meter(sse(s));
  assert.deepEqual(m.usage(), U({ inputTokens: 86, cacheReadTokens: 1920, outputTokens: 300 }));
  assert.equal(m.complete, true);
});

test('choices null or missing (TGI / usage-only chunks) are tolerated', () => {
  const s = data(
    { id: 't', choices: [{ index: 0, delta: { content: 'x' }, finish_reason: null }] },
    { id: 't', choices: null, usage: { prompt_tokens: 3, completion_tokens: 4 } },
    { id: 't', usage: { prompt_tokens: 3, completion_tokens: 5 } },
    { id: 't', choices: [null, 7, { index: 0, finish_reason: 'stop' }] },
  );
  const m = meter(sse(s));
  assert.deepEqual(m.usage(), U({ inputTokens: 3, outputTokens: 5 }));
  assert.equal(m.finishReason, 'stop');
  assert.equal(m.complete, false); // no [DONE]
});

test('mid-stream error: data chunk with an error key, event: error, OpenRouter finish_reason "error"', () => {
  const s = data(
    { id: 'e', choices: [{ index: 0, delta: { content: 'partial' }, finish_reason: null }] },
    { error: { message: 'Provider returned error', type: 'server_error', code: 502 } },
    '[DONE]',
  );
  const m = meter(sse(s));
  assert.deepEqual(m.error, { type: 'server_error', message: 'Provider returned error' });
  assert.equal(m.usage(), undefined);
  assert.deepEqual(meter(sse(data({ error: { message: 'boom', code: 500 } }))).error, { type: '500', message: 'boom' });
  assert.deepEqual(meter(sse('event: error\ndata: {"error":{"type":"overloaded_error","message":"Overloaded"}}\n\n')).error, {
    type: 'overloaded_error',
    message: 'Overloaded',
  });
  const or = meter(sse(data({ id: 'o', choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }] })));
  assert.equal(or.finishReason, 'error');
});

test('pretty-printed (Python json.dumps style) chunks are metered too', () => {
  const s =
    'data: {"id": "p", "choices": [{"index": 0, "delta": {"content": "a"}, "finish_reason": null}], "usage": null}\n\n' +
    'data: {"id": "p", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}], "usage": null}\n\n' +
    'data: {"id": "p", "choices": [], "usage": {"prompt_tokens": 11, "completion_tokens": 2}}\n\ndata: [DONE]\n\n';
  const m = meter(sse(s));
  assert.deepEqual(m.usage(), U({ inputTokens: 11, outputTokens: 2 }));
  assert.equal(m.finishReason, 'stop');
});

test('a stream cut before the usage chunk has no usage', () => {
  const cut = OPENAI_INCLUDE_USAGE.slice(0, OPENAI_INCLUDE_USAGE.indexOf('"choices":[]') - 60);
  const m = meter(sse(cut));
  assert.equal(m.usage(), undefined);
  assert.equal(m.complete, false);
});
