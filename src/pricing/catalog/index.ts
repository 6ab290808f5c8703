/**
 * The default model catalog shipped with the gateway: the hand-checked Anthropic catalog
 * (`anthropic.ts`, wins on any clash) merged with the generated multi-provider catalog
 * (`models.generated.json`, from `@pydantic/genai-prices` through `scripts/gen-catalog.mjs`).
 *
 * Importing this module does nothing; `loadDefaultCatalog()` reads and validates the data.
 *
 * Missing cache prices: a generated model without a published cache price gets its **input**
 * price for `cache_read`, `cache_write_5m` and `cache_write_1h` — the provider has no cache
 * discount we know of, so cached tokens bill like ordinary input; never $0 (a price is $0 only
 * where the source says so, and zero-priced entries are not generated at all).
 * (The operator's price-sheet import is different: it derives missing cache prices from input
 * with the standard 1.25× / 2× / 0.1× multipliers, see `price-sheet.ts`.)
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { usdPerMTokToMicro } from '../../core/money.ts';
import type { CatalogModel, PriceVector, TokenKind } from '../types.ts';
import { ANTHROPIC_FAST_PRICES, ANTHROPIC_MODELS, ANTHROPIC_PRICES_LATEST_ROW, ANTHROPIC_SOURCE, DATA_RESIDENCY_GEOS } from './anthropic.ts';
import { OPENAI_TIER_PRICES } from './openai-tiers.ts';
import { PRICE_CORRECTIONS } from './sources.ts';

export { ANTHROPIC_MODELS, ANTHROPIC_PRICES_TAKEN_AT, ANTHROPIC_SOURCE, isRetired } from './anthropic.ts';

/** A catalog model with the extra facts the default catalog knows. */
export interface DefaultCatalogModel extends CatalogModel {
  /** Which price set it came from: `anthropic` (hand-checked) or `generated`. */
  source: 'anthropic' | 'generated';
  /** The source marks it deprecated (generated catalog). */
  deprecated?: boolean;
  deprecatedOn?: string;
  /** Retired on the provider's first-party API: the router should refuse it there. */
  retired?: boolean;
  retiredOn?: string;
  retirementNotBefore?: string;
  /**
   * The price is the provider's base band, valid for prompts (input incl. cache tokens) up to
   * this many tokens; longer prompts cost more upstream. Refuse or re-price above it.
   */
  basePriceMaxInputTokens?: number;
  /** Announced later prices (generated catalog), for the price book's effective-dated rows. */
  upcoming?: Array<{ effectiveFrom: string; prices: PriceVector }>;
  notes?: string[];
}

/** A price row beyond each model's standard one: a variant (fast, long-context, priority, flex) or an announced change. */
export interface CatalogExtraRow {
  model: string;
  /** '' = a standard row (an announced price change). */
  variant: '' | 'fast' | 'long-context' | 'priority' | 'flex';
  prices: PriceVector;
  /** 0 = from the beginning of time, else unix ms. */
  effectiveFrom: number;
  aboveInputTokens?: number;
  /** Where the row comes from (becomes the row's `source`, prefixed `catalog:`). */
  source: string;
}

export interface DefaultCatalog {
  /** Variant rows and announced (upcoming) price changes, as effective-dated rows. */
  extraRows: CatalogExtraRow[];
  models: DefaultCatalogModel[];
  /** Canonical model id -> list price (µUSD per million tokens). Aliases are not keys. */
  prices: Map<string, PriceVector>;
  /** Version date of the catalog (YYYY-MM-DD): the newest date among its sources. */
  takenAt: string;
  sources: string[];
  /** Alias -> canonical id (exact spelling, as published). */
  aliases: Map<string, string>;
}

const Decimal = z.string().regex(/^\d+(\.\d{1,6})?$/, 'decimal USD per million tokens, at most 6 decimals');
const GenPrices = z.strictObject({
  input: Decimal,
  output: Decimal,
  cache_write_5m: Decimal.optional(),
  cache_write_1h: Decimal.optional(),
  cache_read: Decimal.optional(),
});
const GenModel = z.strictObject({
  id: z.string().min(1),
  provider: z.string().min(1),
  aliases: z.array(z.string().min(1)),
  rateClass: z.string().min(1),
  displayName: z.string().optional(),
  contextWindow: z.number().int().positive().optional(),
  prices: GenPrices,
  basePriceMaxInputTokens: z.number().int().positive().optional(),
  longContextPrices: GenPrices.optional(),
  deprecated: z.literal(true).optional(),
  upcoming: z.array(z.strictObject({ effective_from: z.iso.date(), prices: GenPrices })).optional(),
  notes: z.array(z.string()).optional(),
});
const GenDoc = z.object({
  notice: z.string(),
  generated_at: z.string(),
  source: z.string(),
  prices_as_of: z.iso.date(),
  models: z.array(GenModel),
});
export type GeneratedCatalog = z.infer<typeof GenDoc>;

const GENERATED_URL = new URL('./models.generated.json', import.meta.url);

/** Reads and validates `models.generated.json`. */
export function readGeneratedCatalog(text: string = readFileSync(GENERATED_URL, 'utf8')): GeneratedCatalog {
  const r = GenDoc.safeParse(JSON.parse(text));
  if (!r.success) throw new Error(`models.generated.json is invalid (regenerate with node scripts/gen-catalog.mjs): ${z.prettifyError(r.error)}`);
  return r.data;
}

/** Converts decimal prices; missing cache prices default to the input price. */
function vector(p: z.infer<typeof GenPrices>): PriceVector {
  const input = usdPerMTokToMicro(p.input);
  const opt = (v: string | undefined) => (v === undefined ? input : usdPerMTokToMicro(v));
  return {
    input,
    output: usdPerMTokToMicro(p.output),
    cache_write_5m: opt(p.cache_write_5m),
    cache_write_1h: opt(p.cache_write_1h),
    cache_read: opt(p.cache_read),
  };
}

function anthropicVector(p: Record<TokenKind, string>): PriceVector {
  return {
    input: usdPerMTokToMicro(p.input),
    output: usdPerMTokToMicro(p.output),
    cache_write_5m: usdPerMTokToMicro(p.cache_write_5m),
    cache_write_1h: usdPerMTokToMicro(p.cache_write_1h),
    cache_read: usdPerMTokToMicro(p.cache_read),
  };
}

/**
 * Builds alias -> id, throwing if any name (compared case-insensitively) would resolve to two
 * models, or an alias names another model's id.
 */
export function buildAliasIndex(models: readonly CatalogModel[]): Map<string, string> {
  const owner = new Map<string, string>(); // lower-case name -> id
  const problems: string[] = [];
  for (const m of models) {
    const k = m.id.toLowerCase();
    const prev = owner.get(k);
    if (prev !== undefined) problems.push(`id ${m.id} duplicates ${prev}`);
    else owner.set(k, m.id);
  }
  const aliases = new Map<string, string>();
  for (const m of models) {
    for (const a of m.aliases) {
      const k = a.toLowerCase();
      const prev = owner.get(k);
      if (prev !== undefined && prev !== m.id) problems.push(`alias ${a} of ${m.id} already names ${prev}`);
      else if (prev === undefined) owner.set(k, m.id);
      if (a !== m.id) aliases.set(a, m.id);
    }
  }
  if (problems.length) throw new Error(`catalog name collisions:\n  ${problems.join('\n  ')}`);
  return aliases;
}

/** Resolves a model name (id or alias; exact spelling first, then case-insensitive). */
export function resolveModel<M extends CatalogModel>(catalog: { models: M[] }, name: string): M | undefined {
  let exact: M | undefined;
  let folded: M | undefined;
  const l = name.toLowerCase();
  for (const m of catalog.models) {
    if (m.id === name || m.aliases.includes(name)) {
      exact = m;
      break;
    }
    if (!folded && (m.id.toLowerCase() === l || m.aliases.some((a) => a.toLowerCase() === l))) folded = m;
  }
  return exact ?? folded;
}

/** Loads the default catalog: Anthropic (wins) + generated. */
export function loadDefaultCatalog(): DefaultCatalog {
  const gen = readGeneratedCatalog();
  const models: DefaultCatalogModel[] = [];
  const prices = new Map<string, PriceVector>();
  const taken = new Set<string>();
  const extraRows: CatalogExtraRow[] = [];

  for (const a of ANTHROPIC_MODELS) {
    const m: DefaultCatalogModel = {
      id: a.id,
      provider: 'anthropic',
      aliases: [...a.aliases],
      rateClass: a.rateClass,
      displayName: a.displayName,
      contextWindow: a.contextWindow,
      source: 'anthropic',
    };
    if (a.maxOutputTokens !== undefined) m.maxOutputTokens = a.maxOutputTokens;
    if (a.created !== undefined) m.created = a.created;
    if (a.deprecatedOn) m.deprecatedOn = a.deprecatedOn;
    if (a.retired) {
      m.retired = true;
      m.retiredOn = a.retiredOn;
    }
    if (a.retirementNotBefore) m.retirementNotBefore = a.retirementNotBefore;
    if (a.notes) m.notes = [...a.notes];
    const geos = DATA_RESIDENCY_GEOS[a.id];
    if (geos) m.inferenceGeos = geos;
    const fast = ANTHROPIC_FAST_PRICES[a.id];
    if (fast) extraRows.push({ model: a.id, variant: 'fast', prices: anthropicVector(fast.prices), effectiveFrom: 0, source: fast.source });
    models.push(m);
    prices.set(a.id, anthropicVector(a.prices));
    for (const n of [a.id, ...a.aliases]) taken.add(n.toLowerCase());
  }

  for (const g of gen.models) {
    // The generator already leaves Anthropic models out; this guard keeps Anthropic's names authoritative.
    if (taken.has(g.id.toLowerCase())) continue;
    const m: DefaultCatalogModel = {
      id: g.id,
      provider: g.provider,
      rateClass: g.rateClass,
      source: 'generated',
      aliases: g.aliases.filter((a) => !taken.has(a.toLowerCase())),
    };
    if (g.displayName !== undefined) m.displayName = g.displayName;
    if (g.contextWindow !== undefined) m.contextWindow = g.contextWindow;
    if (g.deprecated) m.deprecated = true;
    if (g.basePriceMaxInputTokens !== undefined) m.basePriceMaxInputTokens = g.basePriceMaxInputTokens;
    if (g.longContextPrices && g.basePriceMaxInputTokens !== undefined) {
      extraRows.push({
        model: g.id,
        variant: 'long-context',
        prices: vector(g.longContextPrices),
        effectiveFrom: 0,
        aboveInputTokens: g.basePriceMaxInputTokens,
        source: `${gen.source} tiers`,
      });
    }
    if (g.upcoming) {
      m.upcoming = g.upcoming.map((u) => ({ effectiveFrom: u.effective_from, prices: vector(u.prices) }));
      for (const u of m.upcoming)
        extraRows.push({
          model: g.id,
          variant: '',
          prices: u.prices,
          effectiveFrom: Date.parse(`${u.effectiveFrom}T00:00:00Z`),
          source: `${gen.source} announced`,
        });
    }
    if (g.notes) m.notes = [...g.notes];
    models.push(m);
    prices.set(g.id, vector(g.prices));
    for (const n of [m.id, ...m.aliases]) taken.add(n.toLowerCase());
  }

  for (const c of PRICE_CORRECTIONS) if (prices.has(c.model)) prices.set(c.model, vector(c.prices));
  for (const t of OPENAI_TIER_PRICES) {
    if (!prices.has(t.model)) continue;
    extraRows.push({ model: t.model, variant: t.tier, prices: vector(t.prices), effectiveFrom: 0, source: t.source });
  }
  const aliases = buildAliasIndex(models);
  const takenAt = [ANTHROPIC_PRICES_LATEST_ROW, gen.prices_as_of].sort().at(-1)!;
  return {
    extraRows,
    models,
    prices,
    takenAt,
    sources: [ANTHROPIC_SOURCE, `${gen.source} (bundled data, prices in effect on ${gen.prices_as_of}; ${gen.notice})`],
    aliases,
  };
}
