/**
 * Price book persistence: rows are only ever inserted (a change adds a row; history is never
 * rewritten). Also model aliases and reseller price groups.
 */
import type { Kysely, Selectable } from 'kysely';
import type { DB } from '../store/schema.ts';
import { recordChange } from '../store/change-log.ts';
import { SYSTEM, type Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/log.ts';
import type { PriceVector } from './types.ts';
import type { GroupAdjustment, PriceRow } from './price-book.ts';
import type { CatalogExtraRow } from './catalog/index.ts';
import type { Clock } from '../core/clock.ts';

export interface NewPrice {
  model: string;
  prices: PriceVector;
  effectiveFrom: number;
  source: string;
  group?: string;
  /** '' (default) = standard row; else a price variant. */
  variant?: string;
  aboveInputTokens?: number;
}

const toRow = (r: Selectable<DB['prices']>): PriceRow => ({
  id: BigInt(r.id),
  model: r.model,
  group: r.price_group,
  effectiveFrom: Number(r.effective_from),
  source: r.source,
  variant: r.variant ?? '',
  ...(r.above_input_tokens != null ? { aboveInputTokens: Number(r.above_input_tokens) } : {}),
  prices: { input: r.input, output: r.output, cache_write_5m: r.cache_write_5m, cache_write_1h: r.cache_write_1h, cache_read: r.cache_read },
});

export class PricingService {
  constructor(
    private db: Kysely<DB>,
    private clock: Clock,
    private actor: Actor = SYSTEM,
  ) {}

  async loadRows(): Promise<PriceRow[]> {
    return (await this.db.selectFrom('prices').selectAll().orderBy('id').execute()).map(toRow);
  }

  async loadAliases(): Promise<Map<string, string>> {
    const rows = await this.db.selectFrom('model_aliases').selectAll().execute();
    return new Map(rows.map((r) => [r.alias, r.model]));
  }

  async loadAdjustments(): Promise<GroupAdjustment[]> {
    return (await this.db.selectFrom('price_groups').selectAll().execute()).map((r) => ({
      group: r.name,
      bps: Number(r.bps),
      effectiveFrom: Number(r.effective_from),
    }));
  }

  async list(model?: string): Promise<PriceRow[]> {
    let q = this.db.selectFrom('prices').selectAll().orderBy('model').orderBy('effective_from');
    if (model) q = q.where('model', '=', model);
    return (await q.execute()).map(toRow);
  }

  /** Inserts rows (one transaction). Returns how many were added. */
  async addPrices(rows: NewPrice[], aliases: Array<{ alias: string; model: string }> = []): Promise<number> {
    if (!rows.length && !aliases.length) return 0;
    const t = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += 200) {
        await trx
          .insertInto('prices')
          .values(
            rows.slice(i, i + 200).map((r) => ({
              model: r.model,
              price_group: r.group ?? '',
              input: r.prices.input,
              output: r.prices.output,
              cache_write_5m: r.prices.cache_write_5m,
              cache_write_1h: r.prices.cache_write_1h,
              cache_read: r.prices.cache_read,
              effective_from: r.effectiveFrom,
              source: r.source,
              created_at: t,
              variant: r.variant ?? '',
              above_input_tokens: r.aboveInputTokens ?? null,
            })),
          )
          .execute();
      }
      for (const a of aliases) {
        await trx
          .insertInto('model_aliases')
          .values({ alias: a.alias, model: a.model, created_at: t })
          .onConflict((oc) => oc.column('alias').doUpdateSet({ model: a.model }))
          .execute();
      }
      const groups = [...new Set(rows.map((r) => r.group ?? ''))];
      await recordAudit(trx, this.actor, t, {
        orgId: null,
        action: 'prices.import',
        targetType: 'prices',
        targetId: groups.map((g) => g || 'list').join(','),
        after: {
          rows: rows.length,
          sources: [...new Set(rows.map((r) => r.source))],
          // Every row's prices for small imports; the model list for large ones (the shipped catalog).
          ...(rows.length <= 50
            ? { prices: rows.map((r) => ({ model: r.model, group: r.group || null, effective_from: r.effectiveFrom, ...r.prices })) }
            : { models: rows.length <= 2000 ? rows.map((r) => r.model) : undefined }),
          aliases: aliases.length ? aliases : undefined,
        },
      });
      await recordChange(trx, 'prices', t);
    });
    return rows.length;
  }

  /**
   * Seeds the shipped catalog: a model's first catalog row applies from the beginning of time;
   * a later catalog version with different prices adds a row effective from its own date.
   */
  async seedCatalog(prices: Map<string, PriceVector>, takenAt: string, extra: readonly CatalogExtraRow[] = []): Promise<number> {
    const source = `catalog:${takenAt}`;
    const existing = await this.db
      .selectFrom('prices')
      .select(['model', 'source', 'input', 'output', 'cache_write_5m', 'cache_write_1h', 'cache_read', 'effective_from', 'variant'])
      .where('source', 'like', 'catalog%')
      .where('price_group', '=', '')
      .execute();
    // Variant rows and announced changes: each (model, variant, effective date, source) once.
    const seen = new Set(existing.map((r) => `${r.model}\0${r.variant}\0${r.effective_from}\0${r.source}`));
    const extraRows: NewPrice[] = [];
    for (const x of extra) {
      const src = `catalog:${x.source}`;
      if (seen.has(`${x.model}\0${x.variant}\0${x.effectiveFrom}\0${src}`)) continue;
      extraRows.push({
        model: x.model,
        prices: x.prices,
        effectiveFrom: x.effectiveFrom,
        source: src,
        variant: x.variant,
        ...(x.aboveInputTokens !== undefined ? { aboveInputTokens: x.aboveInputTokens } : {}),
      });
    }
    const latest = new Map<string, (typeof existing)[number]>();
    for (const r of existing) {
      if (r.variant || r.source.includes(' announced')) continue;
      const l = latest.get(r.model);
      if (!l || r.effective_from >= l.effective_from) latest.set(r.model, r);
    }
    const takenMs = Date.parse(takenAt);
    const rows: NewPrice[] = [];
    for (const [model, p] of prices) {
      const l = latest.get(model);
      if (!l) {
        rows.push({ model, prices: p, effectiveFrom: 0, source });
        continue;
      }
      const same =
        l.input === p.input &&
        l.output === p.output &&
        l.cache_write_5m === p.cache_write_5m &&
        l.cache_write_1h === p.cache_write_1h &&
        l.cache_read === p.cache_read;
      if (!same && l.source !== source) rows.push({ model, prices: p, effectiveFrom: takenMs, source });
    }
    return this.addPrices([...rows, ...extraRows]);
  }

  async setGroupAdjustment(group: string, bps: number, effectiveFrom: number): Promise<void> {
    const t = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('price_groups').selectAll().where('name', '=', group).orderBy('effective_from', 'desc').executeTakeFirst();
      await trx.insertInto('price_groups').values({ name: group, bps, effective_from: effectiveFrom, created_at: t }).execute();
      await recordAudit(trx, this.actor, t, {
        orgId: null,
        action: 'prices.group',
        targetType: 'price_group',
        targetId: group,
        before: before && { bps: before.bps, effective_from: before.effective_from },
        after: { bps, effective_from: effectiveFrom },
      });
      await recordChange(trx, 'prices', t);
    });
  }
}
