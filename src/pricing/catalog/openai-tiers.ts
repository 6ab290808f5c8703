/**
 * OpenAI service tiers as price rows (variants `priority` and `flex`), applied when the response's
 * `service_tier` says the request ran on that tier. A model without a row for a tier refuses
 * `service_tier` set to it (400 unsupported_option).
 *
 * - Priority: openai.com/api-priority-processing (the table "excludes long context": priority
 *   requests are priced only below the model's long-context band), checked 2026-12-01.
 * - Flex: platform.openai.com/docs/guides/flex-processing — "priced at Batch API rates", i.e. half
 *   the standard input, cached-input and output prices, for the models the guide lists.
 */
export interface TierRow {
  model: string;
  tier: 'priority' | 'flex';
  /** Decimal USD per million tokens. */
  prices: { input: string; cache_read: string; output: string };
  source: string;
}

const PRIORITY = 'openai priority processing: openai.com/api-priority-processing @2026-12-01';
const FLEX = 'openai flex processing (Batch API rates): platform.openai.com/docs/guides/flex-processing @2026-12-01';
const pr = (model: string, input: string, cache_read: string, output: string): TierRow => ({
  model,
  tier: 'priority',
  prices: { input, cache_read, output },
  source: PRIORITY,
});
const fx = (model: string, input: string, cache_read: string, output: string): TierRow => ({
  model,
  tier: 'flex',
  prices: { input, cache_read, output },
  source: FLEX,
});

export const OPENAI_TIER_PRICES: readonly TierRow[] = [
  pr('gpt-5.5', '12.50', '1.25', '75'),
  pr('gpt-5.4', '5', '0.50', '30'),
  pr('gpt-5.4-mini', '1.50', '0.15', '9'),
  pr('gpt-5.2', '3.50', '0.35', '28'),
  pr('gpt-5.1', '2.50', '0.25', '20'),
  pr('gpt-5', '2.50', '0.25', '20'),
  pr('gpt-5-mini', '0.45', '0.045', '3.60'),
  pr('gpt-4.1', '3.50', '0.875', '14'),
  fx('gpt-5', '0.625', '0.0625', '5'),
  fx('gpt-5-mini', '0.125', '0.0125', '1'),
  fx('gpt-5-nano', '0.025', '0.0025', '0.20'),
  fx('o3', '1', '0.25', '4'),
  fx('o4-mini', '0.55', '0.1375', '2.20'),
];
