/**
 * Normalised token usage of one request, in Anthropic's semantics:
 * `inputTokens` EXCLUDES cache reads and cache writes (billable input is the sum of the three).
 * OpenAI-style usage (prompt_tokens includes cached tokens) is converted into this shape by
 * the metering extractors, never the other way round inside billing.
 */
export interface Usage {
  /** Uncached input tokens (after the last cache breakpoint). */
  inputTokens: number;
  /** All output tokens, thinking/reasoning included. */
  outputTokens: number;
  /** Tokens written to a 5-minute cache entry. */
  cacheWrite5mTokens: number;
  /** Tokens written to a 1-hour cache entry. */
  cacheWrite1hTokens: number;
  /** Tokens read from the cache. */
  cacheReadTokens: number;
  /** Server-side web search requests (billed per request). */
  webSearchRequests: number;
  /** Server-side web fetch requests (Anthropic `server_tool_use.web_fetch_requests`; tokens only, no fee). */
  webFetchRequests?: number;
  /** Server-side code execution requests (Anthropic `server_tool_use.code_execution_requests`). */
  codeExecutionRequests?: number;
  /** How the upstream says it ran — the price variant is chosen from these, not from the request. */
  /** Anthropic `usage.speed`: 'standard' | 'fast'. */
  speed?: string;
  /** Anthropic `usage.service_tier` ('standard' | 'priority' | 'batch') or OpenAI's response `service_tier` ('default' | 'priority' | 'flex' | …). */
  serviceTier?: string;
  /** Anthropic `usage.inference_geo` ('global' | 'us' | …). */
  inferenceGeo?: string;
  /** OpenAI-wire usage that split its cache writes by TTL itself (else settlement applies the requested TTL). */
  cacheTtlReported?: boolean;
}

export const emptyUsage = (): Usage => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheWrite5mTokens: 0,
  cacheWrite1hTokens: 0,
  cacheReadTokens: 0,
  webSearchRequests: 0,
});

export const cacheWriteTokens = (u: Usage) => u.cacheWrite5mTokens + u.cacheWrite1hTokens;
/** All input the upstream processed: uncached + cache writes + cache reads. */
export const totalInputTokens = (u: Usage) => u.inputTokens + cacheWriteTokens(u) + u.cacheReadTokens;
