/**
 * The default Anthropic catalog: official first-party list prices, hand-checked.
 *
 * Sources (public pages listed below):
 *  - §7.1 and §7.2: platform.claude.com `about-claude/pricing` at the HEAD snapshot of
 *    **2026-08-21**, plus Jan-2026 rows for models retired since. IDs, aliases and retirement dates
 *    come from `about-claude/models/overview` and `about-claude/model-deprecations` (Aug 2026).
 *  - §7.7: official model pages crawled later (Sept–Oct 2026), used only where official
 *    (Fable 5.1, Opus 5.5, Sonnet 5.5).
 *
 * Prices are decimal USD per million tokens, exactly as published per model (not derived from
 * multipliers): Haiku 3's cache prices are the published rounded $0.30 / $0.50 / $0.03, and the
 * late-2026 models' cache reads are 0.05× and 0.025×.
 *
 * Deliberately left out:
 *  - Claude Haiku 5.5: priced in two bands by prompt length (≤100K / >100K). The "From $0.10"
 *    headline is official but the band threshold and the band prices are third-party (UNVERIFIED),
 *    so the model has no default price and is refused until an operator imports one.
 *  - Mythos 5 / Mythos 5.1 (limited access; the reference gives no API id) and "Fable 5.2"
 *    (one third-party mention only).
 *  - Claude 3 Opus, 3 Sonnet, 3.5 Sonnet, 2.x: not in the reference's price tables.
 *
 * Retired models are kept with `retired: true` and `retiredOn`, so usage can still be priced
 * (re-rating, upstreams such as Bedrock or Vertex that still serve them); the router is expected
 * to refuse them on the first-party upstream, as Anthropic does (see `isRetired`).
 *
 * Context windows: 200K for models before 4.6 (the 1M beta for Sonnet 4/4.5 was retired on
 * 2026-04-30), 1M for 4.6 and later ("Claude 4.6 and later models … include the full 1M token
 * context window at standard pricing", pricing page @2026-08-21). Max output tokens are from
 * Anthropic's models overview for models up to 4.5; they are not in the reference, and are left
 * unset for 4.6 and later rather than guessed.
 */
import type { TokenKind } from '../types.ts';

/** Date of the HEAD price snapshot the main rows were taken from. */
export const ANTHROPIC_PRICES_TAKEN_AT = '2026-08-21';
/**
 * Newest dated late-2026 row (Fable 5.1, released 2026-09-01). The Opus 5.5 / Sonnet 5.5 pages are
 * undated Sept–Oct 2026 crawls; the unverified 2026-10-07 Sonnet 5.5 cache-read cut is not applied.
 */
export const ANTHROPIC_PRICES_LATEST_ROW = '2026-09-01';
export const ANTHROPIC_SOURCE = `anthropic: platform.claude.com about-claude/pricing @${ANTHROPIC_PRICES_TAKEN_AT} (HEAD snapshot) + official late-2026 model pages (Fable 5.1, Opus 5.5, Sonnet 5.5)`;

/** Decimal USD per million tokens, one per token kind. */
export type DecimalPrices = Record<TokenKind, string>;

export interface AnthropicCatalogEntry {
  /** Canonical id: the dated snapshot before 4.6, the dateless id from 4.6 on. */
  id: string;
  aliases: string[];
  displayName: string;
  /** Rate-limit pool (§6.1): Opus 4.x share one, Sonnet 4.x share one, … */
  rateClass: string;
  contextWindow: number;
  maxOutputTokens?: number;
  /** Unix seconds of the snapshot date, for dated ids only. */
  created?: number;
  prices: DecimalPrices;
  /** Where the prices come from. */
  priceSource: string;
  deprecatedOn?: string;
  /** Retired on Anthropic's first-party API (requests fail there). */
  retired?: true;
  retiredOn?: string;
  /** Announced "retirement not before" date for active models. */
  retirementNotBefore?: string;
  notes?: string[];
}

const HEAD = 'about-claude/pricing @2026-08-21';
const JAN = 'about-claude/pricing @2026-01-15 (model retired since)';

/** input, 5m write, 1h write, cache read, output — the column order of the official table. */
function p(input: string, cw5m: string, cw1h: string, read: string, output: string): DecimalPrices {
  return { input, output, cache_write_5m: cw5m, cache_write_1h: cw1h, cache_read: read };
}
const day = (iso: string) => Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / 1000;

const OPUS_4_5_PRICES = p('5', '6.25', '10', '0.50', '25');
const SONNET_4_PRICES = p('3', '3.75', '6', '0.30', '15');
const OPUS_4_PRICES = p('15', '18.75', '30', '1.50', '75');

export const ANTHROPIC_MODELS: readonly AnthropicCatalogEntry[] = [
  // ── Fable ────────────────────────────────────────────────────────────────────────────
  {
    id: 'claude-fable-5',
    aliases: [],
    displayName: 'Claude Fable 5',
    rateClass: 'claude-fable-5',
    contextWindow: 1_000_000,
    prices: p('10', '12.50', '20', '1', '50'),
    priceSource: HEAD,
  },
  {
    id: 'claude-fable-5-1',
    aliases: [],
    displayName: 'Claude Fable 5.1',
    rateClass: 'claude-fable-5',
    contextWindow: 1_000_000,
    prices: p('10', '12.50', '20', '0.25', '50'),
    priceSource: 'official pricing page excerpt, Sept 2026 (released 2026-09-01)',
    notes: [
      'cache read is 0.025x ($0.25), not 0.1x',
      'id follows the dateless 4.6+ scheme; the rate-limit pool is assumed shared with Fable 5 (UNVERIFIED: no published pool for 5.1)',
    ],
  },
  // ── Opus ─────────────────────────────────────────────────────────────────────────────
  {
    id: 'claude-opus-5-5',
    aliases: [],
    displayName: 'Claude Opus 5.5',
    rateClass: 'claude-opus-5',
    contextWindow: 1_000_000,
    prices: p('4', '5', '8', '0.20', '20'),
    priceSource: 'official model page platform.claude.com/docs/zh-CN/models/opus-5-5/overview (late 2026)',
    notes: ['cache read is 0.05x ($0.20), not 0.1x', 'rate-limit pool assumed shared with Opus 5 (UNVERIFIED)'],
  },
  {
    id: 'claude-opus-5',
    aliases: [],
    displayName: 'Claude Opus 5',
    rateClass: 'claude-opus-5',
    contextWindow: 1_000_000,
    prices: OPUS_4_5_PRICES,
    priceSource: HEAD,
    notes: ['fast mode (speed:"fast") is $10/$50 and not covered by these rows'],
  },
  {
    id: 'claude-opus-4-8',
    aliases: [],
    displayName: 'Claude Opus 4.8',
    rateClass: 'claude-opus-4',
    contextWindow: 1_000_000,
    prices: OPUS_4_5_PRICES,
    priceSource: HEAD,
    notes: ['fast mode (speed:"fast") is $10/$50 and not covered by these rows'],
  },
  {
    id: 'claude-opus-4-7',
    aliases: [],
    displayName: 'Claude Opus 4.7',
    rateClass: 'claude-opus-4',
    contextWindow: 1_000_000,
    prices: OPUS_4_5_PRICES,
    priceSource: HEAD,
  },
  {
    id: 'claude-opus-4-6',
    aliases: [],
    displayName: 'Claude Opus 4.6',
    rateClass: 'claude-opus-4',
    contextWindow: 1_000_000,
    prices: OPUS_4_5_PRICES,
    priceSource: HEAD,
    notes: ['1M context at standard price since 2026-03-13 (before: $10/$37.50 over 200K input)'],
  },
  {
    id: 'claude-opus-4-5-20251101',
    aliases: ['claude-opus-4-5'],
    displayName: 'Claude Opus 4.5',
    rateClass: 'claude-opus-4',
    contextWindow: 200_000,
    maxOutputTokens: 64_000,
    created: day('2025-11-01'),
    prices: OPUS_4_5_PRICES,
    priceSource: HEAD,
    retirementNotBefore: '2026-11-24',
    notes: ['official $5/$25; guides quoting $15/$75 confuse it with Opus 4/4.1'],
  },
  {
    id: 'claude-opus-4-1-20250805',
    aliases: ['claude-opus-4-1'],
    displayName: 'Claude Opus 4.1',
    rateClass: 'claude-opus-4',
    contextWindow: 200_000,
    maxOutputTokens: 32_000,
    created: day('2025-08-05'),
    prices: OPUS_4_PRICES,
    priceSource: JAN,
    deprecatedOn: '2026-06-05',
    retired: true,
    retiredOn: '2026-08-05',
  },
  {
    id: 'claude-opus-4-20250514',
    aliases: ['claude-opus-4-0'],
    displayName: 'Claude Opus 4',
    rateClass: 'claude-opus-4',
    contextWindow: 200_000,
    maxOutputTokens: 32_000,
    created: day('2025-05-14'),
    prices: OPUS_4_PRICES,
    priceSource: JAN,
    retired: true,
    retiredOn: '2026-06-15',
  },
  // ── Sonnet ───────────────────────────────────────────────────────────────────────────
  {
    id: 'claude-sonnet-5-5',
    aliases: [],
    displayName: 'Claude Sonnet 5.5',
    rateClass: 'claude-sonnet-5',
    contextWindow: 1_000_000,
    prices: p('2', '2.50', '4', '0.20', '10'),
    priceSource: 'official model page (late 2026): $2/$10, cache read $0.20',
    notes: [
      'cache writes are not on the official excerpt; $2.50/$4 are the standard 1.25x/2x of $2 input',
      'a cut of cache read to $0.10 on 2026-10-07 is reported by third parties only (UNVERIFIED): import a price sheet with effective_from 2026-10-07 once confirmed',
      'rate-limit pool assumed shared with Sonnet 5 (UNVERIFIED)',
    ],
  },
  {
    id: 'claude-sonnet-5',
    aliases: [],
    displayName: 'Claude Sonnet 5',
    rateClass: 'claude-sonnet-5',
    contextWindow: 1_000_000,
    prices: p('2', '2.50', '4', '0.20', '10'),
    priceSource: HEAD,
    notes: ['$2/$10 has been the standard price since 2026-08-10 (the planned rise to $3/$15 was cancelled)'],
  },
  {
    id: 'claude-sonnet-4-6',
    aliases: [],
    displayName: 'Claude Sonnet 4.6',
    rateClass: 'claude-sonnet-4',
    contextWindow: 1_000_000,
    prices: SONNET_4_PRICES,
    priceSource: HEAD,
  },
  {
    id: 'claude-sonnet-4-5-20250929',
    aliases: ['claude-sonnet-4-5'],
    displayName: 'Claude Sonnet 4.5',
    rateClass: 'claude-sonnet-4',
    contextWindow: 200_000,
    maxOutputTokens: 64_000,
    created: day('2025-09-29'),
    prices: SONNET_4_PRICES,
    priceSource: HEAD,
    retirementNotBefore: '2026-09-29',
  },
  {
    id: 'claude-sonnet-4-20250514',
    aliases: ['claude-sonnet-4-0'],
    displayName: 'Claude Sonnet 4',
    rateClass: 'claude-sonnet-4',
    contextWindow: 200_000,
    maxOutputTokens: 64_000,
    created: day('2025-05-14'),
    prices: SONNET_4_PRICES,
    priceSource: JAN,
    retired: true,
    retiredOn: '2026-06-15',
  },
  {
    id: 'claude-3-7-sonnet-20250219',
    aliases: ['claude-3-7-sonnet-latest'],
    displayName: 'Claude Sonnet 3.7',
    rateClass: 'claude-sonnet-3-7',
    contextWindow: 200_000,
    maxOutputTokens: 64_000,
    created: day('2025-02-19'),
    prices: SONNET_4_PRICES,
    priceSource: JAN,
    retired: true,
    retiredOn: '2026-02-19',
  },
  // ── Haiku ────────────────────────────────────────────────────────────────────────────
  {
    id: 'claude-haiku-4-5-20251001',
    aliases: ['claude-haiku-4-5'],
    displayName: 'Claude Haiku 4.5',
    rateClass: 'claude-haiku-4-5',
    contextWindow: 200_000,
    maxOutputTokens: 64_000,
    created: day('2025-10-01'),
    prices: p('1', '1.25', '2', '0.10', '5'),
    priceSource: HEAD,
    retirementNotBefore: '2026-10-15',
    notes: ['official $1/$5; guides quoting $0.80/$4 confuse it with Haiku 3.5'],
  },
  {
    id: 'claude-3-5-haiku-20241022',
    aliases: ['claude-3-5-haiku-latest'],
    displayName: 'Claude Haiku 3.5',
    rateClass: 'claude-haiku-3-5',
    contextWindow: 200_000,
    maxOutputTokens: 8_192,
    created: day('2024-10-22'),
    prices: p('0.80', '1', '1.60', '0.08', '4'),
    priceSource: JAN,
    retired: true,
    retiredOn: '2026-02-19',
    notes: ['cache reads count towards ITPM for this model (§6.1 †)'],
  },
  {
    id: 'claude-3-haiku-20240307',
    aliases: [],
    displayName: 'Claude Haiku 3',
    rateClass: 'claude-haiku-3',
    contextWindow: 200_000,
    maxOutputTokens: 4_096,
    created: day('2024-03-07'),
    prices: p('0.25', '0.30', '0.50', '0.03', '1.25'),
    priceSource: JAN,
    retired: true,
    retiredOn: '2026-04-20',
    notes: ['published cache prices are rounded ($0.30 / $0.50 / $0.03), not 1.25x / 2x / 0.1x'],
  },
];

/**
 * Fast mode (`speed: "fast"`, beta fast-mode-2026-02-01): Opus 5 and Opus 4.8 at $10 / $50, flat
 * across the whole context window; the cache multipliers stack on top (1.25× / 2× / 0.1× of $10).
 * Opus 4.6 fast mode ($30 / $150, 6×) was withdrawn on 2026-06-29: such requests run and bill at
 * standard rates and `usage.speed` says so. (platform.claude.com about-claude/pricing @2026-08-21.)
 */
export const ANTHROPIC_FAST_PRICES: Readonly<Record<string, { prices: DecimalPrices; source: string }>> = {
  'claude-opus-5': { prices: p('10', '12.50', '20', '1', '50'), source: 'anthropic fast mode: about-claude/pricing @2026-08-21' },
  'claude-opus-4-8': { prices: p('10', '12.50', '20', '1', '50'), source: 'anthropic fast mode: about-claude/pricing @2026-08-21' },
};

/**
 * Data residency: `inference_geo: "us"` is accepted by Claude 4.6 and later (older models answer
 * 400) and costs 1.1× on every token kind (about-claude/pricing @2026-08-21, "Data residency").
 */
const US = ['us'] as const;
export const DATA_RESIDENCY_GEOS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  [
    'claude-fable-5',
    'claude-fable-5-1',
    'claude-opus-5-5',
    'claude-opus-5',
    'claude-opus-4-8',
    'claude-opus-4-7',
    'claude-opus-4-6',
    'claude-sonnet-5-5',
    'claude-sonnet-5',
    'claude-sonnet-4-6',
  ].map((id) => [id, US]),
);

/** True when the model is retired on its provider's first-party API at `at` (default: now). */
export function isRetired(m: { retiredOn?: string }, at: Date = new Date()): boolean {
  return m.retiredOn !== undefined && at.getTime() >= Date.parse(m.retiredOn);
}
