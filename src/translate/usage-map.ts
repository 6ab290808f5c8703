/**
 * Usage conversions between the normalised `Usage` (Anthropic semantics: `inputTokens` EXCLUDES
 * cache reads and writes) and the two wire shapes.
 *
 * OpenAI convention (reference openai-translation.md §1.3, §3.4): `prompt_tokens` is
 * cache-INCLUSIVE and `prompt_tokens_details.cached_tokens` ⊂ `prompt_tokens`. We follow it
 * exactly, and additionally report cache writes in `prompt_tokens_details.cache_write_tokens`
 * (openai-node's `CompletionUsage` field) so that the round trip
 * Usage → CompletionUsage → Usage is exact — except the 5m/1h split of cache writes, which the
 * OpenAI shape cannot carry: on the way back every cache write counts as 5m.
 *
 * All readers are defensive: non-numbers, negatives and NaN count as 0 (vendors send nulls).
 */
import type { Usage } from '../metering/usage.ts';
import type { AnthropicMessageDeltaUsage, AnthropicUsage } from '../wire/anthropic.ts';
import type { CompletionUsage } from '../wire/openai.ts';

/** A finite, non-negative number, else 0. */
export function tokenCount(v: unknown): number {
  return typeof v === 'number' && v > 0 && Number.isFinite(v) ? v : 0;
}

const has = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Normalised → OpenAI `CompletionUsage` (cache-inclusive prompt_tokens). */
export function usageToOpenai(u: Usage): CompletionUsage {
  const writes = u.cacheWrite5mTokens + u.cacheWrite1hTokens;
  const prompt = u.inputTokens + writes + u.cacheReadTokens;
  return {
    prompt_tokens: prompt,
    completion_tokens: u.outputTokens,
    total_tokens: prompt + u.outputTokens,
    prompt_tokens_details: { cached_tokens: u.cacheReadTokens, cache_write_tokens: writes },
  };
}

/**
 * OpenAI(-compatible) usage → normalised.
 * - cache reads: `prompt_tokens_details.cached_tokens`, else DeepSeek `prompt_cache_hit_tokens`,
 *   else a top-level `cache_read_input_tokens` (LiteLLM-style proxies).
 * - cache writes: `prompt_tokens_details.cache_write_tokens`, else top-level
 *   `cache_creation_input_tokens`; all counted as 5m writes.
 * - `prompt_tokens` missing but DeepSeek hit/miss present → hit + miss.
 * - inputTokens = prompt − reads − writes, clamped at 0.
 */
/** Parsing usage is metering's job; translation re-exports the one implementation. */
export { usageFromOpenai } from '../metering/openai-meter.ts';

/**
 * Anthropic wire usage → normalised. The 5m/1h split comes from `cache_creation` when present;
 * `cache_creation_input_tokens` is authoritative for the total (any part not covered by the
 * 1h figure is a 5m write), so a total without a breakdown counts as 5m.
 */
export { usageFromAnthropic } from '../metering/anthropic-meter.ts';

/** Normalised → Anthropic wire usage (what `/v1/messages` clients see). */
export function usageToAnthropic(u: Usage): AnthropicUsage {
  const out: AnthropicUsage = {
    input_tokens: u.inputTokens,
    cache_creation_input_tokens: u.cacheWrite5mTokens + u.cacheWrite1hTokens,
    cache_read_input_tokens: u.cacheReadTokens,
    cache_creation: {
      ephemeral_5m_input_tokens: u.cacheWrite5mTokens,
      ephemeral_1h_input_tokens: u.cacheWrite1hTokens,
    },
    output_tokens: u.outputTokens,
  };
  if (u.webSearchRequests > 0) out.server_tool_use = { web_search_requests: u.webSearchRequests };
  return out;
}

/**
 * Streaming: usage from `message_start`, overridden by the non-null CUMULATIVE fields of a
 * `message_delta` (never summed). Returns a new object; `start` may be undefined.
 */
export function mergeAnthropicDeltaUsage(start: AnthropicUsage | undefined, delta: AnthropicMessageDeltaUsage): AnthropicUsage {
  const out: AnthropicUsage = start ? { ...start } : { input_tokens: 0, output_tokens: 0 };
  if (has(delta.output_tokens)) out.output_tokens = delta.output_tokens;
  if (has(delta.input_tokens)) out.input_tokens = delta.input_tokens;
  if (has(delta.cache_read_input_tokens)) out.cache_read_input_tokens = delta.cache_read_input_tokens;
  if (has(delta.cache_creation_input_tokens)) out.cache_creation_input_tokens = delta.cache_creation_input_tokens;
  if (delta.server_tool_use) out.server_tool_use = delta.server_tool_use;
  return out;
}
