/**
 * Where each provider's prices come from and when a person last checked them against the
 * provider's own pricing page (`tollgate prices sources`). Corrections are hand-checked rows that
 * replace what the generated data says, because the provider changed its prices since.
 */
export interface ProviderSource {
  provider: string;
  url: string;
  /** Date the rows were last compared with the page (YYYY-MM-DD), or null: taken from the bundled data unchecked. */
  checkedAt: string | null;
  note: string;
}

export const PROVIDER_SOURCES: readonly ProviderSource[] = [
  { provider: 'anthropic', url: 'https://platform.claude.com/docs/en/about-claude/pricing', checkedAt: '2026-08-21', note: 'hand-checked catalog (anthropic.ts), incl. fast mode and data residency; late-2026 model pages for Fable 5.1, Opus 5.5, Sonnet 5.5' },
  { provider: 'openai', url: 'https://openai.com/api-priority-processing/', checkedAt: '2026-12-01', note: 'standard rows from @pydantic/genai-prices (as of 2026-11-26); priority rows checked against the priority-processing page; flex = Batch API rates' },
  { provider: 'deepseek', url: 'https://api-docs.deepseek.com/quick_start/pricing', checkedAt: '2026-12-01', note: 'deepseek-chat / deepseek-reasoner corrected to the V3.2 prices (cache hit $0.028, miss $0.28, output $0.42; no night discount since 2025-09-05)' },
  { provider: 'google', url: 'https://ai.google.dev/gemini-api/docs/pricing', checkedAt: null, note: '@pydantic/genai-prices data as of 2026-11-26, incl. the >200K long-context band and announced 2027-01-01 Flash prices' },
];
/** Providers of the generated catalog not listed above: bundled data, not re-checked by hand. */
export const UNCHECKED_NOTE = '@pydantic/genai-prices data (see models.generated.json prices_as_of); not re-checked by hand';

export interface PriceCorrection {
  model: string;
  prices: { input: string; output: string; cache_write_5m?: string; cache_write_1h?: string; cache_read: string };
  source: string;
}

export const PRICE_CORRECTIONS: readonly PriceCorrection[] = [
  // DeepSeek-V3.2 (api-docs.deepseek.com/quick_start/pricing, checked 2026-12-01): both endpoints
  // $0.28 cache miss / $0.028 cache hit / $0.42 output. DeepSeek has no cache-write fee: cache
  // writes bill as ordinary (cache-miss) input.
  { model: 'deepseek-chat', prices: { input: '0.28', output: '0.42', cache_read: '0.028' }, source: 'deepseek pricing page @2026-12-01' },
  { model: 'deepseek-reasoner', prices: { input: '0.28', output: '0.42', cache_read: '0.028' }, source: 'deepseek pricing page @2026-12-01' },
];
