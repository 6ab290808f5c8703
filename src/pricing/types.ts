/**
 * Catalog and price types. Prices are µUSD per million tokens (bigint) — see core/money.ts.
 */
export type TokenKind = 'input' | 'output' | 'cache_write_5m' | 'cache_write_1h' | 'cache_read';
export const TOKEN_KINDS: readonly TokenKind[] = ['input', 'output', 'cache_write_5m', 'cache_write_1h', 'cache_read'];

/** Per-token-kind price, µUSD per million tokens. */
export type PriceVector = Record<TokenKind, bigint>;

/** A model as the catalog knows it. */
export interface CatalogModel {
  /** Canonical id customers use (e.g. `claude-sonnet-4-5-20250929`, `gpt-4o`). */
  id: string;
  /** Provider family: anthropic, openai, google, deepseek, mistral, xai, meta, … */
  provider: string;
  /** Other names that resolve to this model (`claude-sonnet-4-5`). */
  aliases: string[];
  /** Rate-limit class (models in one class share token buckets), e.g. `claude-sonnet-4`. */
  rateClass: string;
  /** Human name for /v1/models. */
  displayName?: string;
  contextWindow?: number;
  maxOutputTokens?: number;
  /** Creation time (unix seconds) for /v1/models. */
  created?: number;
  /** Retired on the provider's first-party API from this instant (ISO date); refused there. */
  retiredOn?: string;
  /** `inference_geo` values the model accepts besides the default (Anthropic data residency: ['us']). */
  inferenceGeos?: readonly string[];
  /** The base price covers prompts (input + cache writes + cache reads) up to this many tokens. */
  basePriceMaxInputTokens?: number;
}

/** One line of a price sheet (import format), prices as decimal USD per million tokens. */
export interface PriceSheetEntry {
  model: string;
  input: string;
  output: string;
  cache_write_5m?: string;
  cache_write_1h?: string;
  cache_read?: string;
}
