/**
 * What a customer may ask an upstream for. Every request option that can change what the upstream
 * charges is either priced exactly or refused (docs/pricing.md, "Premium options and price bands"),
 * so the surfaces forward only body fields, `anthropic-beta` values and server-tool types on these
 * lists. The defaults cover what the official SDKs, the Claude Code CLI and the Vercel AI SDK send;
 * the operator extends them with `requestOptions` in the config (TOLLGATE_ALLOW_* env vars).
 */

/** Anthropic Messages body fields (price-relevant ones are checked value by value, see anthropic-options.ts). */
export const ANTHROPIC_FIELDS = [
  'model',
  'messages',
  'max_tokens',
  'system',
  'metadata',
  'stop_sequences',
  'stream',
  'temperature',
  'top_p',
  'top_k',
  'tools',
  'tool_choice',
  'thinking',
  'service_tier',
  'cache_control',
  'output_config',
  'output_format',
  'context_management',
  'speed',
  'inference_geo',
];

/**
 * `anthropic-beta` values that do not change the price of a request by themselves (the options they
 * unlock are checked on their own: `speed`, server tools). Includes everything the Claude Code CLI
 * (2.x) and @ai-sdk/anthropic send by default.
 */
export const ANTHROPIC_BETAS = [
  'claude-code-20250219',
  'interleaved-thinking-2025-05-14',
  'fine-grained-tool-streaming-2025-05-14',
  'context-management-2025-06-27',
  'context-1m-2025-08-07',
  'prompt-caching-2024-07-31',
  'extended-cache-ttl-2025-04-11',
  'prompt-caching-scope-2026-01-05',
  'token-efficient-tools-2025-02-19',
  'output-128k-2025-02-19',
  'pdfs-2024-09-25',
  'structured-outputs-2025-11-13',
  'structured-outputs-2025-12-15',
  'effort-2025-11-24',
  'advanced-tool-use-2025-11-20',
  'tool-search-tool-2025-10-19',
  'web-fetch-2025-09-10',
  'web-search-2025-03-05',
  'fast-mode-2026-02-01',
  'computer-use-2024-10-22',
  'computer-use-2025-01-24',
  'computer-use-2025-11-24',
  'code-execution-2025-05-22',
  'code-execution-2025-08-25',
  'code-execution-web-tools-2026-02-09',
  'search-results-2025-06-09',
  'model-context-window-exceeded-2025-08-26',
  'thinking-token-count-2026-05-13',
  'redact-thinking-2026-02-12',
  'mid-conversation-system-2026-04-07',
  'mid-conversation-system-clear-at-2026-08-21',
  'mid-conversation-tool-changes-2026-07-01',
  'mid-conversation-output-config-2026-07-01',
  'per-turn-control-2026-07-01',
  'inline-tools-2026-09-15',
  'advisor-tool-2026-03-01',
  'thinking-binding-controls-2026-08-01',
  'thinking-display-updates-2026-08-18',
  'cache-diagnosis-2026-04-07',
  'message-threads-2026-08-12',
  'task-budgets-2026-03-13',
];

/**
 * Tool `type` families (the type without its `_YYYYMMDD` version). `custom` is a client tool (also
 * a tool with no `type`). Client-executed tools cost only tokens; web search is billed per search
 * from `usage.server_tool_use`; web fetch costs tokens only. Code execution is accepted only where
 * Anthropic does not bill container hours (together with web_search/web_fetch 20260209+).
 */
export const ANTHROPIC_TOOL_TYPES = [
  'custom',
  'bash',
  'text_editor',
  'computer',
  'memory',
  'web_search',
  'web_fetch',
  'tool_search_tool_regex',
  'tool_search_tool_bm25',
];

/** Chat Completions body fields (OpenAI and the Vercel AI SDK); `n` and `service_tier` are checked by value. */
export const OPENAI_FIELDS = [
  'model',
  'messages',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'n',
  'stream',
  'stream_options',
  'stop',
  'presence_penalty',
  'frequency_penalty',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'user',
  'seed',
  'response_format',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'functions',
  'function_call',
  'store',
  'metadata',
  'reasoning_effort',
  'verbosity',
  'service_tier',
  'prompt_cache_key',
  'prompt_cache_retention',
  'safety_identifier',
  'prediction',
  'modalities',
];

export interface AllowLists {
  anthropicFields: ReadonlySet<string>;
  anthropicBetas: ReadonlySet<string>;
  anthropicToolTypes: ReadonlySet<string>;
  openaiFields: ReadonlySet<string>;
}

export interface AllowListExtensions {
  anthropicFields?: readonly string[];
  anthropicBetas?: readonly string[];
  anthropicToolTypes?: readonly string[];
  openaiFields?: readonly string[];
}

/** The defaults plus the operator's additions. */
export function buildAllowLists(extra: AllowListExtensions = {}): AllowLists {
  const set = (base: readonly string[], more: readonly string[] = []) => new Set([...base, ...more.map((s) => s.trim()).filter(Boolean)]);
  return {
    anthropicFields: set(ANTHROPIC_FIELDS, extra.anthropicFields),
    anthropicBetas: set(ANTHROPIC_BETAS, extra.anthropicBetas),
    anthropicToolTypes: set(ANTHROPIC_TOOL_TYPES, extra.anthropicToolTypes),
    openaiFields: set(OPENAI_FIELDS, extra.openaiFields),
  };
}

/** A tool type's family: `web_search_20250305` → `web_search`; no type → `custom`. */
export function toolFamily(type: unknown): string {
  if (type === undefined || type === null) return 'custom';
  return typeof type === 'string' ? type.replace(/_\d{8}$/, '') : String(type);
}
