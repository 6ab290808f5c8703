/**
 * The premium options a request asks for, after its allow-list check: what the spend hold must
 * cover (surfaces/options/hold.ts) and what the upstream is expected to report back.
 */
export interface PremiumRequest {
  /** `speed: "fast"` (Anthropic fast mode). */
  fast: boolean;
  /** `inference_geo` other than the default ('us'), when asked for. */
  geo: string | null;
  /** OpenAI `service_tier` 'priority' | 'flex' when asked for. */
  serviceTier: 'priority' | 'flex' | null;
  /** Choices generated (`n`), ≥ 1. */
  choices: number;
  /** Most web searches the request can trigger (Σ web_search `max_uses`, or the default bound). */
  webSearches: number;
  /** Most input tokens server tools can add (web fetch content), beyond the body. */
  serverToolInputTokens: number;
}

export const standardRequest = (): PremiumRequest => ({ fast: false, geo: null, serviceTier: null, choices: 1, webSearches: 0, serverToolInputTokens: 0 });

/** What the model supports at a priced rate on this gateway (from its price rows and catalog entry). */
export interface ModelOptions {
  id: string;
  /** A fast-mode price row exists. */
  fast: boolean;
  /** inference_geo values priced (besides the default). */
  geos: readonly string[];
  /** OpenAI service tiers with price rows. */
  tiers: readonly ('priority' | 'flex')[];
}
