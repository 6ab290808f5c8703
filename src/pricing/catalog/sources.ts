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
  /** The models whose rows were compared on `checkedAt` (a check covers these, not the whole provider). */
  checkedModels?: readonly string[];
  note: string;
}

export const PROVIDER_SOURCES: readonly ProviderSource[] = [
  {
    provider: 'anthropic',
    url: 'https://platform.claude.com/docs/en/about-claude/pricing',
    checkedAt: '2026-08-21',
    note: 'hand-checked catalog (anthropic.ts), incl. fast mode and data residency; late-2026 model pages for Fable 5.1, Opus 5.5, Sonnet 5.5',
  },
  {
    provider: 'openai',
    url: 'https://openai.com/api-priority-processing/',
    checkedAt: '2026-12-01',
    note: 'standard rows from @pydantic/genai-prices (as of 2026-11-26), NOT re-checked: the standard pricing page (platform.openai.com/docs/pricing) was not in the search index on 2026-12-02; priority rows checked against the priority-processing page; flex = Batch API rates',
  },
  {
    provider: 'deepseek',
    url: 'https://api-docs.deepseek.com/quick_start/pricing',
    checkedAt: '2026-12-01',
    note: 'deepseek-chat / deepseek-reasoner corrected to the V3.2 prices (cache hit $0.028, miss $0.28, output $0.42; no night discount since 2025-09-05)',
  },
  {
    provider: 'google',
    url: 'https://ai.google.dev/gemini-api/docs/pricing',
    checkedAt: null,
    note: 'NOT re-checked: the official pricing page was not in the search index on 2026-12-02. Rows are @pydantic/genai-prices data as of 2026-11-26, incl. the >200K long-context band and announced 2027-01-01 Flash prices',
  },
  {
    provider: 'xai',
    url: 'https://docs.x.ai/developers/models',
    checkedAt: '2026-12-02',
    checkedModels: ['grok-4.3', 'grok-4-1-fast-reasoning', 'grok-4-1-fast-non-reasoning', 'grok-4.20-multi-agent'],
    note: 'partial check on 2026-12-02 against docs.x.ai (models table and the grok-4.3 model page; snapshot dates not shown): the listed models match. grok-4.3 band prices above 200K, grok-4.5, grok-4.6 and grok-4-0709 not found there (unchecked). grok-4.20: the page lists grok-4.20-0309-(non-)reasoning at $2.00 / $0.20 cached / $6.00, the rows say $1.25 / $0.20 / $2.50 with a 200K band; the page snapshot may predate the current price, so the rows are left as they are (open question)',
  },
  {
    provider: 'mistral',
    url: 'https://mistral.ai/pricing',
    checkedAt: null,
    note: 'NOT re-checked: the official pricing page was not in the search index on 2026-12-02 (third-party summaries disagree with each other, not used)',
  },
  {
    provider: 'groq',
    url: 'https://groq.com/pricing',
    checkedAt: null,
    note: 'NOT re-checked: the official pricing page was not in the search index on 2026-12-02',
  },
];

/**
 * Rows compared with the provider's own page (see `checkedModels` above) and found to match:
 * a test pins them, so a regenerated catalog that drifts from what was checked fails.
 * Decimal USD per million tokens.
 */
export interface CheckedRow {
  model: string;
  input: string;
  cache_read: string;
  output: string;
  /** Long-context band the page announces (largest prompt at the base price), when it does. */
  basePriceMaxInputTokens?: number;
  source: string;
}

const XAI = 'docs.x.ai/developers/models (models table) and docs.x.ai model page, checked 2026-12-02';
export const CHECKED_ROWS: readonly CheckedRow[] = [
  // "We charge different rates for requests which exceed the 200K context window"; the higher rates are not on the page snapshot.
  { model: 'grok-4.3', input: '1.25', cache_read: '0.2', output: '2.5', basePriceMaxInputTokens: 199999, source: XAI },
  { model: 'grok-4-1-fast-reasoning', input: '0.2', cache_read: '0.05', output: '0.5', source: XAI },
  { model: 'grok-4-1-fast-non-reasoning', input: '0.2', cache_read: '0.05', output: '0.5', source: XAI },
  { model: 'grok-4.20-multi-agent', input: '2', cache_read: '0.2', output: '6', source: XAI },
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
