/**
 * The one small typed contract every upstream adapter fulfils. Shared types never import from
 * provider folders; provider folders import from here.
 */
import type { Surface } from '../wire/surface.ts';

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
  /** Customer model id (or alias) → upstream model id. */
  modelMap?: Record<string, string>;
  /** Lower is tried first (default: position in the configuration). */
  priority?: number;
  /** Share of the load among upstreams of equal priority (default 1). */
  weight?: number;
  timeouts?: UpstreamTimeouts;
}

/** Per-upstream timeouts (ms); unset fields use the gateway's defaults (config `pool.timeouts`). */
export interface UpstreamTimeouts {
  /** From sending the request to the response headers. */
  headersMs?: number;
  /** Between two chunks of a streamed response. */
  betweenEventsMs?: number;
  /** The whole attempt, headers to last byte. */
  totalMs?: number;
}

/** What an adapter needs to know about a model to route it (a catalog entry). */
export interface RoutableModel {
  id: string;
  aliases: readonly string[];
  provider: string;
}

export interface UpstreamAdapter {
  readonly name: string;
  readonly kind: string;
  /** The wire format it speaks. */
  readonly wire: Surface;
  readonly quirks: UpstreamQuirks;
  /** Absolute origin (scheme://host:port) for the connection pool. */
  readonly origin: string;
  /** Path for an operation, e.g. `/v1/messages`, `/v1/chat/completions`. */
  path(op: Operation): string;
  /** Auth and protocol headers for the upstream (never the customer's key). */
  headers(op: Operation, client: Record<string, string | string[] | undefined>): Record<string, string>;
  readonly priority: number;
  readonly weight: number;
  readonly timeouts: UpstreamTimeouts;
  /** The id sent upstream: the model map's entry for the id or an alias, else the id. */
  upstreamModel(model: RoutableModel): string;
  /** Whether the upstream serves the model: its id or any alias is listed (or `*` covers its provider). */
  serves(model: RoutableModel): boolean;
}
