/**
 * Wire types for OpenAI Chat Completions (`POST /v1/chat/completions`): request body,
 * `ChatCompletion`, `ChatCompletionChunk` and `CompletionUsage`, plus the vendor usage extras
 * OpenAI-compatible upstreams send (DeepSeek, Groq, LiteLLM-style proxies).
 *
 * Hand-written from `openai` (openai-node) `resources/chat/completions/completions.ts` and the
 * reference (https://platform.openai.com/docs/api-reference/chat §1, §5). Nullable fields are typed nullable
 * because clients and compatible servers send explicit `null`s. test/types/sdk-wire.ts checks that
 * the SDK's request, `ChatCompletion` and `ChatCompletionChunk` types fit these.
 */

// ───────────────────────────── content parts ─────────────────────────────

/** `cache_control` is a non-OpenAI extension (LiteLLM/OpenRouter clients) honoured for Claude. */
export interface OpenaiCacheControl {
  type: 'ephemeral';
  ttl?: '5m' | '1h';
}

export interface ChatCompletionContentPartText {
  type: 'text';
  text: string;
  cache_control?: OpenaiCacheControl | null;
}

export interface ChatCompletionContentPartImage {
  type: 'image_url';
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' | null };
  cache_control?: OpenaiCacheControl | null;
}

export interface ChatCompletionContentPartInputAudio {
  type: 'input_audio';
  input_audio: { data: string; format: 'wav' | 'mp3' | string };
}

export interface ChatCompletionContentPartFile {
  type: 'file';
  file: { file_data?: string; file_id?: string; filename?: string };
  cache_control?: OpenaiCacheControl | null;
}

export interface ChatCompletionContentPartRefusal {
  type: 'refusal';
  refusal: string;
}

export type ChatCompletionContentPart =
  | ChatCompletionContentPartText
  | ChatCompletionContentPartImage
  | ChatCompletionContentPartInputAudio
  | ChatCompletionContentPartFile;

// ───────────────────────────── messages ─────────────────────────────

export type ChatCompletionRole = 'developer' | 'system' | 'user' | 'assistant' | 'tool' | 'function';

export interface ChatCompletionMessageFunctionToolCall {
  id: string;
  type: 'function';
  function: { name: string /** JSON-encoded arguments. */; arguments: string };
}

/** A call of a `custom` (free-form input) tool. */
export interface ChatCompletionMessageCustomToolCall {
  id: string;
  type: 'custom';
  custom: { name: string; input: string };
}

export type ChatCompletionMessageToolCall = ChatCompletionMessageFunctionToolCall | ChatCompletionMessageCustomToolCall;

export interface ChatCompletionSystemMessageParam {
  role: 'system';
  content: string | ChatCompletionContentPartText[];
  name?: string;
}

export interface ChatCompletionDeveloperMessageParam {
  role: 'developer';
  content: string | ChatCompletionContentPartText[];
  name?: string;
}

export interface ChatCompletionUserMessageParam {
  role: 'user';
  content: string | ChatCompletionContentPart[];
  name?: string;
}

export interface ChatCompletionAssistantMessageParam {
  role: 'assistant';
  content?: string | Array<ChatCompletionContentPartText | ChatCompletionContentPartRefusal> | null;
  tool_calls?: ChatCompletionMessageToolCall[] | null;
  refusal?: string | null;
  name?: string;
  /** DeepSeek / vLLM reasoning text (ignored on input). */
  reasoning_content?: string | null;
  /** Legacy. */
  function_call?: { name: string; arguments: string } | null;
}

export interface ChatCompletionToolMessageParam {
  role: 'tool';
  tool_call_id: string;
  content: string | ChatCompletionContentPartText[];
}

/** Legacy `function` role (deprecated by OpenAI). */
export interface ChatCompletionFunctionMessageParam {
  role: 'function';
  name: string;
  content: string | null;
}

export type ChatCompletionMessageParam =
  | ChatCompletionSystemMessageParam
  | ChatCompletionDeveloperMessageParam
  | ChatCompletionUserMessageParam
  | ChatCompletionAssistantMessageParam
  | ChatCompletionToolMessageParam
  | ChatCompletionFunctionMessageParam;

// ───────────────────────────── tools ─────────────────────────────

export interface ChatCompletionFunctionDefinition {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
  strict?: boolean | null;
}

export interface ChatCompletionFunctionTool {
  type: 'function';
  function: ChatCompletionFunctionDefinition;
  cache_control?: OpenaiCacheControl | null;
}

export interface ChatCompletionCustomTool {
  type: 'custom';
  custom: { name: string; description?: string; format?: unknown };
}

export type ChatCompletionTool = ChatCompletionFunctionTool | ChatCompletionCustomTool;

export type ChatCompletionNamedToolChoice = { type: 'function'; function: { name: string } };

export type ChatCompletionToolChoiceOption =
  | 'none'
  | 'auto'
  | 'required'
  | ChatCompletionNamedToolChoice
  | { type: 'allowed_tools'; allowed_tools: { mode: 'auto' | 'required'; tools: unknown[] } }
  | { type: 'custom'; custom: { name: string } };

export type ChatCompletionResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; json_schema: { name: string; description?: string; schema?: Record<string, unknown>; strict?: boolean | null } };

export interface ChatCompletionStreamOptions {
  include_usage?: boolean;
  include_obfuscation?: boolean;
}

// ───────────────────────────── request ─────────────────────────────

export interface ChatCompletionRequest {
  model: string;
  messages: ChatCompletionMessageParam[];
  max_completion_tokens?: number | null;
  /** @deprecated by OpenAI in favour of `max_completion_tokens`; still the only one many servers know. */
  max_tokens?: number | null;
  stream?: boolean | null;
  stream_options?: ChatCompletionStreamOptions | null;
  temperature?: number | null;
  top_p?: number | null;
  stop?: string | string[] | null;
  n?: number | null;
  tools?: ChatCompletionTool[];
  tool_choice?: ChatCompletionToolChoiceOption;
  parallel_tool_calls?: boolean;
  response_format?: ChatCompletionResponseFormat;
  user?: string;
  safety_identifier?: string | null;
  prompt_cache_key?: string | null;
  prompt_cache_retention?: string | null;
  seed?: number | null;
  frequency_penalty?: number | null;
  presence_penalty?: number | null;
  logit_bias?: Record<string, number> | null;
  logprobs?: boolean | null;
  top_logprobs?: number | null;
  metadata?: Record<string, string> | null;
  store?: boolean | null;
  service_tier?: string | null;
  prediction?: unknown;
  modalities?: Array<'text' | 'audio'> | null;
  audio?: unknown;
  reasoning_effort?: string | null;
  verbosity?: string | null;
  web_search_options?: unknown;
  /** Legacy function calling (rejected on the Claude path; use `tools`). */
  functions?: unknown[];
  function_call?: unknown;
  /** Extension (Anthropic compat layer `extra_body`): passed through to Claude. */
  thinking?: unknown;
  /** Extension (vLLM / `extra_body`): passed through to Claude. */
  top_k?: number | null;
}

// ───────────────────────────── usage ─────────────────────────────

export interface CompletionUsage {
  /** Cache-INCLUSIVE prompt size (OpenAI convention). */
  prompt_tokens: number;
  /** Includes reasoning tokens. */
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: {
    /** Subset of `prompt_tokens` read from the cache. */
    cached_tokens?: number | null;
    /** Subset of `prompt_tokens` written to the cache. */
    cache_write_tokens?: number | null;
    audio_tokens?: number | null;
  } | null;
  completion_tokens_details?: {
    reasoning_tokens?: number | null;
    audio_tokens?: number | null;
    accepted_prediction_tokens?: number | null;
    rejected_prediction_tokens?: number | null;
  } | null;
}

/** Non-standard usage fields seen from OpenAI-compatible upstreams. */
export interface OpenaiUsageExtras {
  /** DeepSeek: cache hits / misses (hit + miss = prompt_tokens). */
  prompt_cache_hit_tokens?: number | null;
  prompt_cache_miss_tokens?: number | null;
  /** LiteLLM-style proxies fronting Anthropic. */
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  /** Groq timings (ignored). */
  queue_time?: number;
  prompt_time?: number;
  completion_time?: number;
  total_time?: number;
}

export type OpenaiUsageLike = Partial<CompletionUsage> & OpenaiUsageExtras;

// ───────────────────────────── response ─────────────────────────────

export type ChatCompletionFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

export interface ChatCompletionMessage {
  role: 'assistant';
  content: string | null;
  refusal: string | null;
  tool_calls?: ChatCompletionMessageToolCall[];
  /** DeepSeek / vLLM extension. */
  reasoning_content?: string | null;
}

export interface ChatCompletionChoice {
  index: number;
  message: ChatCompletionMessage;
  finish_reason: ChatCompletionFinishReason | null;
  logprobs: unknown | null;
  /** vLLM extension: the matched stop string (or token id). */
  stop_reason?: string | number | null;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: ChatCompletionChoice[];
  usage?: CompletionUsage;
  system_fingerprint?: string | null;
  service_tier?: string | null;
}

// ───────────────────────────── stream ─────────────────────────────

export interface ChatCompletionChunkToolCallDelta {
  /** Index among the TOOL CALLS of the choice (not among content blocks). */
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface ChatCompletionChunkDelta {
  /** Always `'assistant'` from OpenAI, but typed as wide as the SDK's. */
  role?: Exclude<ChatCompletionRole, 'function'>;
  content?: string | null;
  refusal?: string | null;
  tool_calls?: ChatCompletionChunkToolCallDelta[];
  reasoning_content?: string | null;
}

export interface ChatCompletionChunkChoice {
  index: number;
  delta: ChatCompletionChunkDelta;
  finish_reason: ChatCompletionFinishReason | null;
  logprobs?: unknown | null;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  /** `[]` on the include_usage chunk; some servers send null or omit it. */
  choices: ChatCompletionChunkChoice[];
  /** `null` on every chunk but the usage chunk when `include_usage` was requested. */
  usage?: CompletionUsage | null;
  system_fingerprint?: string | null;
  /** Groq puts streaming usage here on the finish chunk. */
  x_groq?: { id?: string; usage?: OpenaiUsageLike | null };
}

/** OpenAI error envelope (also sent mid-stream as a `data:` frame). */
export interface OpenaiErrorBody {
  message: string;
  type: string;
  param?: string | null;
  code?: string | number | null;
}

export interface OpenaiErrorResponse {
  error: OpenaiErrorBody;
}
