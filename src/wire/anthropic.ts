/**
 * Wire types for the Anthropic Messages API (`POST /v1/messages`, `anthropic-version: 2023-06-01`):
 * request body, non-streaming response and SSE stream events.
 *
 * Hand-written from `@anthropic-ai/sdk` `resources/messages/messages.ts` and the reference
 * (https://docs.anthropic.com/en/api/messages §2–§3). Only what the gateway reads or writes is typed
 * precisely; server tools and server-tool result blocks stay loose because they are passed
 * through (Claude upstream) or rejected (OpenAI upstream), never interpreted. test/types/sdk-wire.ts
 * checks that the SDK's request, `Message` and stream-event types fit these.
 */

export type AnthropicRole = 'user' | 'assistant';

/** `ttl` defaults to `5m`. Longer TTLs must come before shorter ones in a request. */
export interface AnthropicCacheControl {
  type: 'ephemeral';
  ttl?: '5m' | '1h';
}

export type AnthropicImageMediaType = 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp';

export type AnthropicImageSource =
  | { type: 'base64'; media_type: AnthropicImageMediaType; data: string }
  | { type: 'url'; url: string }
  | { type: 'file'; file_id: string };

export type AnthropicDocumentSource =
  | { type: 'base64'; media_type: 'application/pdf'; data: string }
  | { type: 'url'; url: string }
  | { type: 'text'; media_type: 'text/plain'; data: string }
  | { type: 'content'; content: string | Array<AnthropicTextBlockParam | AnthropicImageBlockParam> }
  | { type: 'file'; file_id: string };

export interface AnthropicTextBlockParam {
  type: 'text';
  text: string;
  cache_control?: AnthropicCacheControl | null;
  citations?: unknown[] | null;
}

export interface AnthropicImageBlockParam {
  type: 'image';
  source: AnthropicImageSource;
  cache_control?: AnthropicCacheControl | null;
}

export interface AnthropicDocumentBlockParam {
  type: 'document';
  source: AnthropicDocumentSource;
  title?: string | null;
  context?: string | null;
  citations?: { enabled?: boolean } | null;
  cache_control?: AnthropicCacheControl | null;
}

/** `input` is an object when Claude produced it; clients may echo back anything. */
export interface AnthropicToolUseBlockParam {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
  cache_control?: AnthropicCacheControl | null;
  caller?: unknown;
  toolset_name?: string | null;
}

/** Names a tool found by the tool-search tool. */
export interface AnthropicToolReferenceBlockParam {
  type: 'tool_reference';
  tool_name: string;
  cache_control?: AnthropicCacheControl | null;
}

/** The browser tool's tabs after a call; passed through, never read. */
export interface AnthropicBrowserStateBlockParam {
  type: 'browser_state';
  tabs: unknown[];
  state_changes?: unknown[] | null;
  cache_control?: AnthropicCacheControl | null;
}

export interface AnthropicToolResultBlockParam {
  type: 'tool_result';
  tool_use_id: string;
  content?:
    | string
    | Array<
        | AnthropicTextBlockParam
        | AnthropicImageBlockParam
        | AnthropicDocumentBlockParam
        | AnthropicSearchResultBlockParam
        | AnthropicToolReferenceBlockParam
        | AnthropicBrowserStateBlockParam
      >;
  is_error?: boolean;
  cache_control?: AnthropicCacheControl | null;
  toolset_name?: string | null;
}

export interface AnthropicThinkingBlockParam {
  type: 'thinking';
  thinking: string;
  signature: string;
}

export interface AnthropicRedactedThinkingBlockParam {
  type: 'redacted_thinking';
  data: string;
}

/** A search result the client supplies for the model to cite. */
export interface AnthropicSearchResultBlockParam {
  type: 'search_result';
  source: string;
  title: string;
  content: AnthropicTextBlockParam[];
  citations?: { enabled?: boolean } | null;
  cache_control?: AnthropicCacheControl | null;
}

/** A server-tool call sent back in history; `caller` and `input` are passed through, never read. */
export interface AnthropicServerToolUseBlockParam {
  type: 'server_tool_use';
  id: string;
  name: string;
  input: unknown;
  caller?: unknown;
  cache_control?: AnthropicCacheControl | null;
}

/** Result types of Anthropic's server tools, in the response and sent back in history. */
export type AnthropicServerToolResultType =
  | 'web_search_tool_result'
  | 'web_fetch_tool_result'
  | 'code_execution_tool_result'
  | 'bash_code_execution_tool_result'
  | 'text_editor_code_execution_tool_result'
  | 'tool_search_tool_result';

/** A server-tool result sent back in history; `content` is passed through, never read. */
export interface AnthropicServerToolResultBlockParam {
  type: AnthropicServerToolResultType;
  tool_use_id: string;
  content: unknown;
  cache_control?: AnthropicCacheControl | null;
}

/** A file uploaded into the code-execution container. */
export interface AnthropicContainerUploadBlockParam {
  type: 'container_upload';
  file_id: string;
  cache_control?: AnthropicCacheControl | null;
}

/** Blocks only Anthropic-hosted tools use: passed through to Claude, rejected for OpenAI upstreams. */
export type AnthropicServerBlockParam =
  | AnthropicSearchResultBlockParam
  | AnthropicServerToolUseBlockParam
  | AnthropicServerToolResultBlockParam
  | AnthropicContainerUploadBlockParam;

export type AnthropicContentBlockParam =
  | AnthropicTextBlockParam
  | AnthropicImageBlockParam
  | AnthropicDocumentBlockParam
  | AnthropicToolUseBlockParam
  | AnthropicToolResultBlockParam
  | AnthropicThinkingBlockParam
  | AnthropicRedactedThinkingBlockParam
  | AnthropicServerBlockParam;

export interface AnthropicMessageParam {
  role: AnthropicRole;
  content: string | AnthropicContentBlockParam[];
}

export interface AnthropicInputSchema {
  type: 'object';
  properties?: unknown;
  required?: string[] | null;
  [key: string]: unknown;
}

/** A client (custom) tool; `type` is optional on the wire (`'custom'` when present). */
export interface AnthropicCustomTool {
  type?: 'custom' | null;
  name: string;
  description?: string;
  input_schema: AnthropicInputSchema;
  cache_control?: AnthropicCacheControl | null;
}

/**
 * Anthropic-hosted tools (`web_search_20250305`, `bash_20250124`, …): no `input_schema`; other
 * settings pass through unread. Toolsets (`browser_toolset_20260801`, …) have no `name`.
 */
export interface AnthropicServerTool {
  type: string;
  name?: string;
  cache_control?: AnthropicCacheControl | null;
}

export type AnthropicTool = AnthropicCustomTool | AnthropicServerTool;

export type AnthropicToolChoice =
  | { type: 'auto'; disable_parallel_tool_use?: boolean }
  | { type: 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' };

export type AnthropicThinkingConfig =
  | { type: 'enabled'; budget_tokens: number; display?: 'summarized' | 'omitted' | null }
  | { type: 'disabled' }
  | { type: 'adaptive'; display?: 'summarized' | 'omitted' | null }
  | { type: 'between_tools' };

export interface AnthropicMessagesRequest {
  model: string;
  /** Required by Anthropic. `0` is allowed (cache pre-warm) except with stream/thinking. */
  max_tokens: number;
  messages: AnthropicMessageParam[];
  system?: string | AnthropicTextBlockParam[];
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  top_k?: number;
  metadata?: { user_id?: string | null };
  stream?: boolean;
  thinking?: AnthropicThinkingConfig;
  /** Top-level "automatic caching" breakpoint. */
  cache_control?: AnthropicCacheControl | null;
  service_tier?: 'auto' | 'standard_only';
  inference_geo?: string | null;
  container?: unknown;
  mcp_servers?: unknown[];
  output_config?: { effort?: string | null; format?: unknown } | null;
}

// ───────────────────────────── response ─────────────────────────────

export type AnthropicStopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal' | 'model_context_window_exceeded';

export interface AnthropicCacheCreation {
  ephemeral_5m_input_tokens: number;
  ephemeral_1h_input_tokens: number;
}

export interface AnthropicServerToolUsage {
  web_search_requests: number;
  web_fetch_requests?: number;
}

/** `input_tokens` EXCLUDES both cache counters; billable input is the sum of the three. */
export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation?: AnthropicCacheCreation | null;
  server_tool_use?: AnthropicServerToolUsage | null;
  service_tier?: 'standard' | 'priority' | 'batch' | null;
  inference_geo?: string | null;
  output_tokens_details?: { thinking_tokens?: number } | null;
}

/** `message_delta.usage`: every count is CUMULATIVE; the input-side ones are nullable. */
export interface AnthropicMessageDeltaUsage {
  output_tokens: number;
  input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  server_tool_use?: AnthropicServerToolUsage | null;
  output_tokens_details?: { thinking_tokens?: number } | null;
}

export interface AnthropicTextBlock {
  type: 'text';
  text: string;
  citations?: unknown[] | null;
}

export interface AnthropicToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
}

export interface AnthropicThinkingBlock {
  type: 'thinking';
  thinking: string;
  signature: string;
}

export interface AnthropicRedactedThinkingBlock {
  type: 'redacted_thinking';
  data: string;
}

export interface AnthropicServerToolUseBlock {
  type: 'server_tool_use';
  id: string;
  name: string;
  input: unknown;
}

/** Results of server tools (`web_search_tool_result`, `bash_code_execution_tool_result`, …). */
export interface AnthropicServerToolResultBlock {
  type: AnthropicServerToolResultType;
  tool_use_id: string;
  content: unknown;
}

/** A file the code-execution tool wrote into its container. */
export interface AnthropicContainerUploadBlock {
  type: 'container_upload';
  file_id: string;
}

export type AnthropicContentBlock =
  | AnthropicTextBlock
  | AnthropicToolUseBlock
  | AnthropicThinkingBlock
  | AnthropicRedactedThinkingBlock
  | AnthropicServerToolUseBlock
  | AnthropicServerToolResultBlock
  | AnthropicContainerUploadBlock;

export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicContentBlock[];
  stop_reason: AnthropicStopReason | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

// ───────────────────────────── stream ─────────────────────────────

export type AnthropicContentBlockDelta =
  | { type: 'text_delta'; text: string }
  | { type: 'input_json_delta'; partial_json: string }
  | { type: 'thinking_delta'; thinking: string }
  | { type: 'signature_delta'; signature: string }
  | { type: 'citations_delta'; citation: unknown };

export interface AnthropicMessageStartEvent {
  type: 'message_start';
  message: AnthropicMessage;
}

export interface AnthropicContentBlockStartEvent {
  type: 'content_block_start';
  index: number;
  content_block: AnthropicContentBlock;
}

export interface AnthropicContentBlockDeltaEvent {
  type: 'content_block_delta';
  index: number;
  delta: AnthropicContentBlockDelta;
}

export interface AnthropicContentBlockStopEvent {
  type: 'content_block_stop';
  index: number;
}

export interface AnthropicMessageDeltaEvent {
  type: 'message_delta';
  delta: { stop_reason: AnthropicStopReason | null; stop_sequence: string | null };
  usage: AnthropicMessageDeltaUsage;
}

export interface AnthropicMessageStopEvent {
  type: 'message_stop';
}

export interface AnthropicPingEvent {
  type: 'ping';
}

export interface AnthropicErrorBody {
  type: string;
  message: string;
}

/** Mid-stream error (after HTTP 200): `event: error` / `{"type":"error","error":{type,message}}`. */
export interface AnthropicErrorEvent {
  type: 'error';
  error: AnthropicErrorBody;
}

export type AnthropicStreamEvent =
  | AnthropicMessageStartEvent
  | AnthropicContentBlockStartEvent
  | AnthropicContentBlockDeltaEvent
  | AnthropicContentBlockStopEvent
  | AnthropicMessageDeltaEvent
  | AnthropicMessageStopEvent
  | AnthropicPingEvent
  | AnthropicErrorEvent;

/** Non-streaming error envelope. */
export interface AnthropicErrorResponse {
  type: 'error';
  error: AnthropicErrorBody;
  request_id?: string;
}
