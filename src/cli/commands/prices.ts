/** `tollgate prices list|import` and `tollgate estimate` — the price book. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { microToUsd, picoToUsd, formatCents } from '../../core/money.ts';
import type { Usage } from '../../metering/usage.ts';
import { loadDefaultCatalog } from '../../pricing/catalog/index.ts';
import { parsePriceSheet } from '../../pricing/catalog/price-sheet.ts';
import { costBreakdown } from '../../pricing/cost.ts';
import { ModelRegistry } from '../../pricing/models.ts';
import { PriceBook } from '../../pricing/price-book.ts';
import { PricingService } from '../../pricing/service.ts';
import { priceUsage } from '../../pricing/variants.ts';
import { PROVIDER_SOURCES, UNCHECKED_NOTE } from '../../pricing/catalog/sources.ts';
import type { PriceVector } from '../../pricing/types.ts';
import { withContext } from '../context.ts';
import { iso, print, table } from '../output.ts';

const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`expected a non-negative integer, got ${v}`);
  return n;
};
const vec = (p: PriceVector) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, microToUsd(v)]));

export function registerPrices(program: Command): void {
  const prices = program.command('prices').description('the price book (USD per million tokens)');

  prices
    .command('list')
    .description('current and historical price rows')
    .option('--model <model>', 'one model (id or alias)')
    .option('--all', 'include superseded rows')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async ({ store, clock, actor }) => {
        const svc = new PricingService(store.db, clock, actor);
        const catalog = loadDefaultCatalog();
        const reg = new ModelRegistry(catalog.models, await svc.loadAliases());
        const model = o.model ? (reg.resolve(o.model)?.id ?? o.model) : undefined;
        const rows = await svc.list(model);
        const book = new PriceBook(rows, await svc.loadAdjustments());
        const current = new Set(rows.map((r) => book.list(r.model, clock.now())?.id));
        const out = rows
          .filter((r) => o.all || current.has(r.id))
          .map((r) => ({
            model: r.model,
            group: r.group || null,
            ...vec(r.prices),
            effective_from: iso(r.effectiveFrom),
            source: r.source,
            current: current.has(r.id),
          }));
        print(o.json, out, () => table(out, ['model', 'input', 'output', 'cache_write_5m', 'cache_write_1h', 'cache_read', 'effective_from', 'source']));
      }),
    );

  prices
    .command('import')
    .description('import a price sheet (JSON or CSV); adds effective-dated rows, never rewrites history')
    .argument('<file>')
    .option('--effective <date>', "when the prices take effect (default: now, or the sheet's effective_from)")
    .option('--group <group>', 'price group these rows apply to (reseller customer group)')
    .option('--backdate', 'allow an effective date in the past (re-prices nothing already billed, but changes what history says applied)')
    .option('--json', 'machine-readable output')
    .action((file, o) =>
      withContext(async ({ store, clock, actor }) => {
        const svc0 = new PricingService(store.db, clock, actor);
        const reg = new ModelRegistry(loadDefaultCatalog().models, await svc0.loadAliases());
        const isAnthropic = (m: string) => (reg.resolve(m)?.provider ?? (/^claude/i.test(m) ? 'anthropic' : '')) === 'anthropic';
        const sheet = parsePriceSheet(readFileSync(file, 'utf8'), file, { isAnthropic });
        const t = o.effective ? Date.parse(o.effective) : clock.now();
        if (Number.isNaN(t)) throw new Error(`--effective: not a date: ${o.effective}`);
        const rows = sheet.entries.map((e) => ({
          model: e.model,
          prices: e.prices,
          effectiveFrom: e.effectiveFrom ? Date.parse(e.effectiveFrom) : t,
          source: `import:${file.split('/').pop()}`,
          group: o.group ?? '',
        }));
        // A row effective in the past would silently change which price history says applied.
        const past = rows.filter((r) => r.effectiveFrom < clock.now() - 60_000);
        if (past.length && !o.backdate) {
          throw new Error(
            `${past.length} row(s) take effect in the past (${[...new Set(past.map((r) => iso(r.effectiveFrom)))].slice(0, 3).join(', ')}): pass --backdate to import them anyway`,
          );
        }
        const aliases = sheet.entries.flatMap((e) => (e.aliases ?? []).map((a) => ({ alias: a, model: e.model })));
        const n = await new PricingService(store.db, clock, actor).addPrices(rows, aliases);
        print(
          o.json,
          { imported: n, models: rows.map((r) => r.model), aliases: aliases.length },
          () => `imported ${n} price rows (${aliases.length} aliases) from ${file}`,
        );
      }),
    );

  prices
    .command('sources')
    .description("where each provider's prices come from and when they were last checked against its pricing page")
    .option('--json', 'machine-readable output')
    .action((o) => {
      const catalog = loadDefaultCatalog();
      const listed = new Set(PROVIDER_SOURCES.map((s) => s.provider));
      const others = [...new Set(catalog.models.map((m) => m.provider))].filter((p) => !listed.has(p)).sort();
      const out = [
        ...PROVIDER_SOURCES.map((s) => ({ provider: s.provider, checked_at: s.checkedAt, checked_models: s.checkedModels ?? null, url: s.url, note: s.note })),
        ...others.map((p) => ({ provider: p, checked_at: null, checked_models: null, url: null, note: UNCHECKED_NOTE })),
      ];
      print(o.json, out, () => table(out, ['provider', 'checked_at', 'url', 'note']));
    });

  program
    .command('estimate')
    .description('cost of a request with the given token counts')
    .requiredOption('--model <model>', 'model id or alias')
    .requiredOption('--input <n>', 'uncached input tokens', int)
    .requiredOption('--output <n>', 'output tokens', int)
    .option('--cache-write <n>', '5-minute cache write tokens', int, 0)
    .option('--cache-write-1h <n>', '1-hour cache write tokens', int, 0)
    .option('--cache-read <n>', 'cache read tokens', int, 0)
    .option('--prices <file>', 'price with this sheet instead of the price book')
    .option('--speed <speed>', 'as the upstream reports it: standard | fast')
    .option('--geo <geo>', 'inference_geo as reported (e.g. us)')
    .option('--service-tier <tier>', 'service tier as reported (priority | flex)')
    .option('--group <group>', 'customer price group')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async ({ store, clock, actor }) => {
        let model: string;
        let p: PriceVector | undefined;
        let variant = '';
        const usage: Usage = {
          inputTokens: o.input,
          outputTokens: o.output,
          cacheWrite5mTokens: o.cacheWrite,
          cacheWrite1hTokens: o.cacheWrite1h,
          cacheReadTokens: o.cacheRead,
          webSearchRequests: 0,
        };
        if (o.speed) usage.speed = o.speed;
        if (o.geo) usage.inferenceGeo = o.geo;
        if (o.serviceTier) usage.serviceTier = o.serviceTier;
        if (o.prices) {
          const sheet = parsePriceSheet(readFileSync(o.prices, 'utf8'), o.prices);
          const hit = sheet.entries.find((e) => e.model === o.model || (e.aliases ?? []).includes(o.model));
          model = hit?.model ?? o.model;
          p = hit?.prices;
        } else {
          const svc = new PricingService(store.db, clock, actor);
          const reg = new ModelRegistry(loadDefaultCatalog().models, await svc.loadAliases());
          const entry = reg.resolve(o.model);
          model = entry?.id ?? o.model;
          const resolved = new PriceBook(await svc.loadRows(), await svc.loadAdjustments()).resolve(model, o.group ?? null, clock.now());
          // The same rule as the gateway's settlement: variant rows, long-context band, residency.
          if (resolved && entry) {
            const priced = priceUsage(usage, resolved, entry);
            p = priced.prices;
            variant = priced.variant;
          } else p = resolved?.prices;
        }
        if (!p) throw new Error(`no price for model ${o.model}${o.prices ? ` in ${o.prices}` : ''}`);
        const b = costBreakdown(usage, p);
        const out = {
          model,
          price_variant: variant,
          cost_usd: picoToUsd(b.total),
          cost_cents_rounded: formatCents(b.total),
          breakdown: b.lines
            .filter((l) => l.tokens > 0)
            .map((l) => ({ kind: l.kind, tokens: l.tokens, usd_per_mtok: microToUsd(l.unitPrice), cost_usd: picoToUsd(l.cost) })),
        };
        print(o.json, out, () => `${model}: $${out.cost_usd}\n${table(out.breakdown)}`);
      }),
    );
}

/** `tollgate prices group set|list` — reseller customer groups priced relative to list. */
export function registerPriceGroups(program: Command): void {
  const prices = program.commands.find((c) => c.name() === 'prices')!;
  const group = prices.command('group').description('customer groups: a discount or markup on list price (per-model overrides: prices import --group)');
  group
    .command('set')
    .requiredOption('--group <name>', 'group name')
    .option('--discount <percent>', 'percent under list, e.g. 20')
    .option('--markup <percent>', 'percent over list')
    .option('--effective <date>', 'when it takes effect (default now)')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async ({ store, clock, actor }) => {
        // Decimal, never float: "20.1" is 2010 basis points exactly (20.1 * 100 is 2010.0000000000002).
        const given = o.discount ?? o.markup;
        const m = /^(\d{1,6})(?:\.(\d{1,2}))?$/.exec(String(given ?? '').trim());
        if (!m || (o.discount !== undefined && o.markup !== undefined))
          throw new Error('give --discount or --markup as a percentage with at most two decimals, e.g. 20 or 20.1');
        const bps = (Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'))) * (o.discount !== undefined ? -1 : 1);
        if (bps <= -10_000) throw new Error('--discount must be under 100 %');
        const pct = bps / 100;
        const t = o.effective ? Date.parse(o.effective) : clock.now();
        if (Number.isNaN(t)) throw new Error(`--effective: not a date: ${o.effective}`);
        await new PricingService(store.db, clock, actor).setGroupAdjustment(o.group, bps, t);
        const out = { group: o.group, adjustment_percent: pct, effective_from: iso(t) };
        print(o.json, out, () => `group ${o.group}: ${pct > 0 ? '+' : ''}${pct} % on list price from ${out.effective_from}`);
      }),
    );
  group
    .command('list')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async ({ store, clock, actor }) => {
        const rows = (await new PricingService(store.db, clock, actor).loadAdjustments()).map((a) => ({
          group: a.group,
          adjustment_percent: a.bps / 100,
          effective_from: iso(a.effectiveFrom),
        }));
        print(o.json, rows, () => table(rows));
      }),
    );
}
