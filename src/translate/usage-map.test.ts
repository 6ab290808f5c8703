import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { emptyUsage, type Usage } from '../metering/usage.ts';
import { mergeAnthropicDeltaUsage, usageFromAnthropic, usageFromOpenai, usageToAnthropic, usageToOpenai } from './usage-map.ts';

const u = (over: Partial<Usage>): Usage => ({ ...emptyUsage(), ...over });

describe('usageToOpenai', () => {
  test('prompt_tokens is cache-inclusive; cached/cache_write are subsets', () => {
    const out = usageToOpenai(u({ inputTokens: 20, cacheReadTokens: 1000, cacheWrite5mTokens: 300, outputTokens: 5 }));
    assert.deepEqual(out, {
      prompt_tokens: 1320,
      completion_tokens: 5,
      total_tokens: 1325,
      prompt_tokens_details: { cached_tokens: 1000, cache_write_tokens: 300 },
    });
  });

  test('1h and 5m writes are both counted as cache writes', () => {
    const out = usageToOpenai(u({ inputTokens: 1, cacheWrite5mTokens: 10, cacheWrite1hTokens: 100 }));
    assert.equal(out.prompt_tokens, 111);
    assert.equal(out.prompt_tokens_details?.cache_write_tokens, 110);
    assert.equal(out.total_tokens, 111);
  });
});

describe('usageFromOpenai', () => {
  test('round trip with cache reads and writes is exact', () => {
    const orig = u({ inputTokens: 20, cacheReadTokens: 1000, cacheWrite5mTokens: 300, outputTokens: 7 });
    assert.deepEqual(usageFromOpenai(usageToOpenai(orig)), orig);
  });

  test('1h writes come back as 5m writes (the OpenAI shape has no TTL split)', () => {
    const back = usageFromOpenai(usageToOpenai(u({ inputTokens: 3, cacheWrite1hTokens: 50, cacheWrite5mTokens: 5 })));
    assert.deepEqual(back, u({ inputTokens: 3, cacheWrite5mTokens: 55 }));
  });

  test('plain OpenAI usage: input = prompt - cached', () => {
    const back = usageFromOpenai({
      prompt_tokens: 1020,
      completion_tokens: 58,
      total_tokens: 1078,
      prompt_tokens_details: { cached_tokens: 1000 },
      completion_tokens_details: { reasoning_tokens: 40 },
    });
    assert.deepEqual(back, u({ inputTokens: 20, cacheReadTokens: 1000, outputTokens: 58 }));
  });

  test('never negative when details exceed prompt_tokens (cache counters clamped to the prompt)', () => {
    const back = usageFromOpenai({ prompt_tokens: 10, completion_tokens: 1, total_tokens: 11, prompt_tokens_details: { cached_tokens: 50 } });
    assert.equal(back.inputTokens, 0);
    assert.equal(back.cacheReadTokens, 10);
  });

  test('DeepSeek prompt_cache_hit_tokens / miss', () => {
    assert.deepEqual(
      usageFromOpenai({ prompt_tokens: 100, completion_tokens: 9, total_tokens: 109, prompt_cache_hit_tokens: 64, prompt_cache_miss_tokens: 36 }),
      u({ inputTokens: 36, cacheReadTokens: 64, outputTokens: 9 }),
    );
    // prompt_tokens missing: hit + miss
    assert.deepEqual(
      usageFromOpenai({ completion_tokens: 2, prompt_cache_hit_tokens: 10, prompt_cache_miss_tokens: 5 }),
      u({ inputTokens: 5, cacheReadTokens: 10, outputTokens: 2 }),
    );
  });

  test('null details and nulls from vendors count as 0', () => {
    const back = usageFromOpenai({
      prompt_tokens: 12,
      completion_tokens: null as unknown as number,
      total_tokens: 12,
      prompt_tokens_details: null,
      completion_tokens_details: null,
    });
    assert.deepEqual(back, u({ inputTokens: 12 }));
  });

  test('LiteLLM-style top-level cache fields are a fallback', () => {
    assert.deepEqual(
      usageFromOpenai({ prompt_tokens: 100, completion_tokens: 1, total_tokens: 101, cache_read_input_tokens: 60, cache_creation_input_tokens: 30 }),
      u({ inputTokens: 10, cacheReadTokens: 60, cacheWrite5mTokens: 30, outputTokens: 1 }),
    );
  });
});

describe('Anthropic usage', () => {
  test('usageFromAnthropic uses the 5m/1h breakdown', () => {
    assert.deepEqual(
      usageFromAnthropic({
        input_tokens: 20,
        output_tokens: 4,
        cache_read_input_tokens: 1000,
        cache_creation_input_tokens: 300,
        cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 200 },
        server_tool_use: { web_search_requests: 2 },
      }),
      u({ inputTokens: 20, outputTokens: 4, cacheReadTokens: 1000, cacheWrite5mTokens: 100, cacheWrite1hTokens: 200, webSearchRequests: 2 }),
    );
  });

  test('a total without breakdown is 5m; nulls are 0', () => {
    assert.deepEqual(
      usageFromAnthropic({ input_tokens: 1, output_tokens: 2, cache_creation_input_tokens: 300, cache_read_input_tokens: null }),
      u({ inputTokens: 1, outputTokens: 2, cacheWrite5mTokens: 300 }),
    );
  });

  test('usageToAnthropic ↔ usageFromAnthropic round trip', () => {
    const orig = u({ inputTokens: 20, outputTokens: 4, cacheReadTokens: 1000, cacheWrite5mTokens: 100, cacheWrite1hTokens: 200 });
    const wire = usageToAnthropic(orig);
    assert.equal(wire.cache_creation_input_tokens, 300);
    assert.deepEqual(wire.cache_creation, { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 200 });
    assert.deepEqual(usageFromAnthropic(wire), orig);
  });

  test('merge: non-null cumulative delta fields override message_start, never summed', () => {
    const start = { input_tokens: 2679, output_tokens: 1, cache_read_input_tokens: 5, cache_creation_input_tokens: 0 };
    const merged = mergeAnthropicDeltaUsage(start, {
      output_tokens: 510,
      input_tokens: 10682,
      cache_read_input_tokens: null,
      cache_creation_input_tokens: null,
    });
    assert.deepEqual(merged, { input_tokens: 10682, output_tokens: 510, cache_read_input_tokens: 5, cache_creation_input_tokens: 0 });
    assert.equal(start.output_tokens, 1, 'start object untouched');
  });
});
