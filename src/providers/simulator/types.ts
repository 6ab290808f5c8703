/**
 * Wire types of the simulated upstream: the subset of Anthropic Messages and OpenAI Chat
 * Completions shapes the simulator produces, plus the options shared by its generators.
 * Bodies coming in are untyped JSON (`unknown`) and are validated by the generators.
 */

/** Anthropic `cache_creation` breakdown by TTL. */
export interface CacheCreation {
  ephemeral_5m_input_tokens: number;
  ephemeral_1h_input_tokens: number;
}

/** Anthropic `usage` as the simulator reports it (real field names). */
export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: CacheCreation;
  service_tier?: 'standard' | 'priority' | 'batch';
  server_tool_use?: { web_search_requests?: number; web_fetch_requests?: number; [k: string]: number | undefined };
  [extra: string]: unknown;
}

/** Fields a caller may force into the reported Anthropic usage (anything omitted is simulated). */
export interface UsageOverride {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation?: Partial<CacheCreation>;
  service_tier?: AnthropicUsage['service_tier'];
  server_tool_use?: AnthropicUsage['server_tool_use'];
  /** Any other field is passed through verbatim (e.g. output_tokens_details, inference_geo). */
  [extra: string]: unknown;
}

/** OpenAI `CompletionUsage`. */
export interface OpenaiUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; audio_tokens?: number; cache_write_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number; [k: string]: number | undefined };
  [extra: string]: unknown;
}

export type AnthropicStopReason = 'end_turn' | 'max_tokens' | 'stop_sequence';
export type OpenaiFinishReason = 'stop' | 'length';

/** A non-streaming Anthropic `Message`. */
export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: Array<{ type: 'text'; text: string }>;
  stop_reason: AnthropicStopReason;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

/** One SSE event: `event:` name and the JSON `data` payload. */
export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** A non-streaming OpenAI `chat.completion`. */
export interface OpenaiCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: { role: 'assistant'; content: string; refusal: null };
    logprobs: null;
    finish_reason: OpenaiFinishReason;
  }>;
  usage: OpenaiUsage;
  system_fingerprint: string;
}

/** A `chat.completion.chunk` (the streaming unit). */
export interface OpenaiChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  system_fingerprint: string;
  choices: Array<{
    index: number;
    delta: { role?: 'assistant'; content?: string };
    logprobs: null;
    finish_reason: OpenaiFinishReason | null;
  }>;
  usage?: OpenaiUsage | null;
}

/** Per-call knobs for the generators (the fake upstream sets these from its script). */
export interface GenerateOptions {
  /** Reply text to use instead of the deterministic one (still limited by max_tokens / stop). */
  text?: string;
  /** Target length (code points) of the generated reply before limits. Default 160. */
  textChars?: number;
  /** Force reported Anthropic usage fields (also mapped onto OpenAI usage). */
  usage?: UsageOverride;
  /** Force reported OpenAI usage fields verbatim (applied after `usage` mapping). */
  openaiUsage?: Partial<OpenaiUsage>;
}

/** The surface a request belongs to, which decides error envelopes and SSE framing. */
import type { Surface } from '../../wire/surface.ts';

export type { Surface };

/**
 * A fully computed HTTP response, before it is written. JSON responses carry `body`;
 * SSE responses carry `frames`, each one complete SSE event text ending in a blank line.
 */
export interface SimResponse {
  surface: Surface;
  status: number;
  headers: Record<string, string>;
  body?: string;
  frames?: string[];
}
