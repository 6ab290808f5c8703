/**
 * Recorded upstream streams and helpers shared by the metering tests (not a test file itself).
 */
import { SseParser, type SseEvent, type SseParserOptions } from '../../src/metering/sse-parser.ts';

/** anthropic-api.md §3.3, verbatim. */
export const ANTHROPIC_LITERAL = `event: message_start
data: {"type":"message_start","message":{"id":"msg_01XYZ","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5-20250929","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":2051,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},"output_tokens":1,"service_tier":"standard"}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: ping
data: {"type":"ping"}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"!"}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":2051,"output_tokens":15}}

event: message_stop
data: {"type":"message_stop"}

`;

/** A stream whose text deltas carry emoji, CJK and a combining accent (multi-byte UTF-8). */
export const ANTHROPIC_UNICODE = `event: message_start
data: {"type":"message_start","message":{"id":"msg_uni","type":"message","role":"assistant","content":[],"model":"claude-opus-4-7","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":100,"cache_read_input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":40,"ephemeral_1h_input_tokens":60},"output_tokens":2}}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"👋🏽 你好，世界"}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"café – 𝔘𝔫𝔦 ✓"}}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":{"output_tokens":7}}

event: message_stop
data: {"type":"message_stop"}

`;

/** OpenAI with stream_options.include_usage (openai-translation.md §1.4), with a non-ASCII delta. */
export const OPENAI_INCLUDE_USAGE = [
  '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"usage":null}',
  '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"content":"Héllo 🌍"},"logprobs":null,"finish_reason":null}],"usage":null}',
  '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"content":" 日本"},"logprobs":null,"finish_reason":null}],"usage":null}',
  '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}',
  '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[],"usage":{"prompt_tokens":2006,"completion_tokens":300,"total_tokens":2306,"prompt_tokens_details":{"cached_tokens":1920,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":128,"audio_tokens":0}}}',
  '[DONE]',
]
  .map((d) => `data: ${d}\n\n`)
  .join('');

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Parses `chunks` with a fresh parser (push each, then end) and returns every event. */
export function parseChunks(chunks: Iterable<Uint8Array | string>, opts?: SseParserOptions): SseEvent[] {
  const p = new SseParser(opts);
  const out: SseEvent[] = [];
  for (const c of chunks) out.push(...p.push(c));
  out.push(...p.end());
  return out;
}

/** The byte stream split at offset `i` into two chunks. */
export function splitAt(bytes: Uint8Array, i: number): Uint8Array[] {
  return [bytes.subarray(0, i), bytes.subarray(i)];
}

/** The byte stream cut into pseudo-random chunks (deterministic per seed). */
export function randomChunks(bytes: Uint8Array, seed: number, maxLen = 17): Uint8Array[] {
  let x = seed * 2654435761 + 1;
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; ) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const n = 1 + (x % maxLen);
    out.push(bytes.subarray(i, i + n));
    i += n;
  }
  return out;
}
