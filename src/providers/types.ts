/**
 * The one small typed contract every upstream adapter fulfils. Shared types never import from
 * provider folders; provider folders import from here.
 */
export type Wire = 'anthropic' | 'openai';
export type Operation = 'messages' | 'count_tokens' | 'chat';

export interface UpstreamQuirks {
  /** The upstream rejects `role: "developer"` (DeepSeek, DeepInfra): send it as `system`. */
  noDeveloperRole?: boolean;
  /** Force `stream_options.include_usage` (billing needs the usage chunk); strip it from the client's stream if not asked. */
  forceIncludeUsage?: boolean;
  /** Send `max_tokens` instead of `max_completion_tokens`. */
  useMaxTokensField?: boolean;
}

/** What an operator configures (config file or `tollgate upstream add`). */
export interface UpstreamConfig {
  name: string;
  /** Adapter: anthropic | openai | openai-compatible flavours (deepseek, groq, openrouter, ollama, vllm, llamacpp, together). */
  kind: string;
  baseUrl: string;
  apiKey?: string;
  /** Customer-facing model ids this upstream serves ('*' = every model of its provider family). */
  models: string[] | '*';
  /** Customer model id → upstream model id. */
  modelMap?: Record<string, string>;
}

export interface UpstreamAdapter {
  readonly name: string;
  readonly kind: string;
  readonly wire: Wire;
  readonly quirks: UpstreamQuirks;
  /** Absolute origin (scheme://host:port) for the connection pool. */
  readonly origin: string;
  /** Path for an operation, e.g. `/v1/messages`, `/v1/chat/completions`. */
  path(op: Operation): string;
  /** Auth and protocol headers for the upstream (never the customer's key). */
  headers(op: Operation, client: Record<string, string | string[] | undefined>): Record<string, string>;
  upstreamModel(model: string): string;
  serves(model: string, provider: string): boolean;
}
