import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { usdPerMTokToMicro } from '../../core/money.ts';
import { TOKEN_KINDS, type PriceVector } from '../types.ts';
import { ANTHROPIC_MODELS, isRetired } from './anthropic.ts';
import { PRICE_CORRECTIONS } from './sources.ts';
import { buildAliasIndex, loadDefaultCatalog, readGeneratedCatalog, resolveModel } from './index.ts';

const catalog = loadDefaultCatalog();
const usd = (p: PriceVector) => Object.fromEntries(TOKEN_KINDS.map((k) => [k, Number(p[k]) / 1e6]));

test('the default catalog prices at least 300 models from the major providers', () => {
  assert.ok(catalog.models.length >= 300, `only ${catalog.models.length} models`);
  assert.equal(catalog.prices.size, catalog.models.length);
  for (const m of catalog.models) assert.ok(catalog.prices.has(m.id), `${m.id} has no price`);
  const providers = new Set(catalog.models.map((m) => m.provider));
  for (const p of ['anthropic', 'openai', 'google', 'deepseek', 'mistral', 'xai', 'groq', 'together']) assert.ok(providers.has(p), `no ${p} models`);
  assert.match(catalog.takenAt, /^\d{4}-\d{2}-\d{2}$/);
  assert.ok(!Number.isNaN(Date.parse(catalog.takenAt)));
  assert.equal(catalog.sources.length, 2);
  assert.match(catalog.sources[1]!, /^@pydantic\/genai-prices@\d+\.\d+\.\d+/);
});

test('no model is priced at $0 and every price is a whole µUSD/MTok', () => {
  for (const [id, p] of catalog.prices) {
    for (const k of TOKEN_KINDS) assert.equal(typeof p[k], 'bigint', `${id}.${k}`);
    assert.ok(p.input > 0n || p.output > 0n, `${id} is free`);
    assert.ok(p.output > 0n, `${id} has a $0 output price`);
  }
});

test('every Anthropic model has all five published prices, and the official values', () => {
  for (const a of ANTHROPIC_MODELS) {
    for (const k of TOKEN_KINDS) assert.ok(a.prices[k] !== undefined && a.prices[k] !== '', `${a.id} lacks ${k}`);
    const m = catalog.models.find((x) => x.id === a.id);
    assert.equal(m?.provider, 'anthropic');
  }
  const expect = (id: string, input: number, cw5: number, cw1h: number, read: number, output: number) =>
    assert.deepEqual(usd(catalog.prices.get(id)!), { input, output, cache_write_5m: cw5, cache_write_1h: cw1h, cache_read: read }, id);
  expect('claude-opus-4-5-20251101', 5, 6.25, 10, 0.5, 25); // not the guide's $15/$75
  expect('claude-haiku-4-5-20251001', 1, 1.25, 2, 0.1, 5); // not the guide's $0.80/$4
  expect('claude-sonnet-4-5-20250929', 3, 3.75, 6, 0.3, 15);
  expect('claude-sonnet-4-6', 3, 3.75, 6, 0.3, 15);
  expect('claude-opus-4-6', 5, 6.25, 10, 0.5, 25);
  expect('claude-opus-4-20250514', 15, 18.75, 30, 1.5, 75);
  expect('claude-opus-4-1-20250805', 15, 18.75, 30, 1.5, 75);
  expect('claude-sonnet-5', 2, 2.5, 4, 0.2, 10);
  expect('claude-opus-5', 5, 6.25, 10, 0.5, 25);
  expect('claude-fable-5', 10, 12.5, 20, 1, 50);
  expect('claude-3-5-haiku-20241022', 0.8, 1, 1.6, 0.08, 4);
  expect('claude-3-haiku-20240307', 0.25, 0.3, 0.5, 0.03, 1.25); // published rounded cache prices
  expect('claude-opus-5-5', 4, 5, 8, 0.2, 20); // 0.05x cache read
  expect('claude-fable-5-1', 10, 12.5, 20, 0.25, 50); // 0.025x cache read
  // exact integers, not floats
  assert.equal(catalog.prices.get('claude-sonnet-4-5-20250929')!.cache_read, 300_000n);
  assert.equal(catalog.prices.get('claude-3-haiku-20240307')!.cache_write_5m, usdPerMTokToMicro('0.30'));
});

test('band-priced and unverified Anthropic models have no default price', () => {
  for (const name of ['claude-haiku-5-5', 'claude-fable-5-2']) assert.equal(resolveModel(catalog, name), undefined, name);
});

test('Anthropic aliases, rate classes and retirements', () => {
  const alias = (a: string, id: string) => assert.equal(resolveModel(catalog, a)?.id, id, a);
  alias('claude-sonnet-4-5', 'claude-sonnet-4-5-20250929');
  alias('claude-opus-4-5', 'claude-opus-4-5-20251101');
  alias('claude-haiku-4-5', 'claude-haiku-4-5-20251001');
  alias('claude-opus-4-0', 'claude-opus-4-20250514');
  alias('claude-sonnet-4-0', 'claude-sonnet-4-20250514');
  alias('claude-opus-4-1', 'claude-opus-4-1-20250805');
  alias('claude-3-7-sonnet-latest', 'claude-3-7-sonnet-20250219');
  alias('claude-3-5-haiku-latest', 'claude-3-5-haiku-20241022');
  alias('CLAUDE-SONNET-4-5', 'claude-sonnet-4-5-20250929'); // case-insensitive fallback
  for (const id of ['claude-opus-4-6', 'claude-sonnet-4-6', 'claude-opus-5']) {
    const m = resolveModel(catalog, id)!;
    assert.equal(m.id, id, '4.6+ dateless ids are canonical');
    assert.deepEqual(m.aliases, []);
  }
  const cls = (id: string) => catalog.models.find((m) => m.id === id)!.rateClass;
  for (const id of ['claude-opus-4-8', 'claude-opus-4-7', 'claude-opus-4-6', 'claude-opus-4-5-20251101']) assert.equal(cls(id), 'claude-opus-4');
  for (const id of ['claude-sonnet-4-6', 'claude-sonnet-4-5-20250929']) assert.equal(cls(id), 'claude-sonnet-4');
  assert.equal(cls('claude-opus-5'), 'claude-opus-5');
  assert.equal(cls('claude-sonnet-5'), 'claude-sonnet-5');
  assert.equal(cls('claude-haiku-4-5-20251001'), 'claude-haiku-4-5');

  const retired = catalog.models
    .filter((m) => m.retired)
    .map((m) => m.id)
    .sort();
  assert.deepEqual(retired, [
    'claude-3-5-haiku-20241022',
    'claude-3-7-sonnet-20250219',
    'claude-3-haiku-20240307',
    'claude-opus-4-1-20250805',
    'claude-opus-4-20250514',
    'claude-sonnet-4-20250514',
  ]);
  const opus41 = catalog.models.find((m) => m.id === 'claude-opus-4-1-20250805')!;
  assert.equal(opus41.retiredOn, '2026-08-05');
  assert.equal(isRetired(opus41, new Date('2026-08-04T23:59:59Z')), false);
  assert.equal(isRetired(opus41, new Date('2026-08-05T00:00:00Z')), true);
  assert.equal(isRetired(catalog.models.find((m) => m.id === 'claude-opus-4-5-20251101')!), false);
  assert.equal(catalog.models.find((m) => m.id === 'claude-sonnet-4-5-20250929')!.contextWindow, 200_000);
  assert.equal(catalog.models.find((m) => m.id === 'claude-sonnet-4-6')!.contextWindow, 1_000_000);
});

test('aliases resolve to existing ids, with no duplicates or collisions across the catalog', () => {
  const ids = new Set(catalog.models.map((m) => m.id));
  for (const [alias, id] of catalog.aliases) {
    assert.ok(ids.has(id), `${alias} -> missing ${id}`);
    assert.ok(!ids.has(alias), `alias ${alias} is also an id`);
    assert.equal(resolveModel(catalog, alias)?.id, id);
  }
  const names = new Map<string, string>();
  for (const m of catalog.models) {
    assert.equal(new Set(m.aliases).size, m.aliases.length, `${m.id} repeats an alias`);
    for (const n of [m.id, ...m.aliases]) {
      const k = n.toLowerCase();
      assert.ok(!names.has(k) || names.get(k) === m.id, `${n} names both ${names.get(k)} and ${m.id}`);
      names.set(k, m.id);
    }
  }
  assert.doesNotThrow(() => buildAliasIndex(catalog.models));
  assert.throws(
    () =>
      buildAliasIndex([
        { id: 'a', provider: 'x', aliases: ['b'], rateClass: 'a' },
        { id: 'B', provider: 'y', aliases: [], rateClass: 'B' },
      ]),
    /alias b of a already names B/,
  );
});

test('generated models: Anthropic excluded, cache prices default to input, tiers and upcoming rows kept', () => {
  const gen = readGeneratedCatalog();
  assert.equal(gen.notice, 'generated by scripts/gen-catalog.mjs, do not edit');
  assert.ok(gen.models.length >= 280);
  const corrected = new Set(PRICE_CORRECTIONS.map((c) => c.model));
  for (const g of gen.models) {
    assert.ok(!/claude/i.test(g.id) && g.provider !== 'anthropic', g.id);
    if (corrected.has(g.id)) continue; // hand-checked corrections (sources.ts) replace the generated prices
    const p = catalog.prices.get(g.id)!;
    assert.equal(p.input, usdPerMTokToMicro(g.prices.input), g.id);
    if (g.prices.cache_read === undefined) assert.equal(p.cache_read, p.input, `${g.id} cache_read defaults to input`);
    if (g.prices.cache_write_5m === undefined) assert.equal(p.cache_write_5m, p.input);
    if (g.prices.cache_write_1h === undefined) assert.equal(p.cache_write_1h, p.input);
  }
  const gpt4o = resolveModel(catalog, 'gpt-4o')!;
  assert.equal(gpt4o.provider, 'openai');
  assert.equal(catalog.prices.get('gpt-4o')!.cache_read, 1_250_000n);
  assert.equal(resolveModel(catalog, 'gpt-4o-2024-08-06')?.id, 'gpt-4o');
  const tiered = catalog.models.filter((m) => m.basePriceMaxInputTokens !== undefined);
  assert.ok(tiered.length > 0);
  for (const m of tiered)
    assert.ok(
      m.notes?.some((n) => n.includes('tiers')),
      m.id,
    );
});

test('the committed generated JSON matches scripts/gen-catalog.mjs output', (t) => {
  const require = createRequire(import.meta.url);
  try {
    require.resolve('@pydantic/genai-prices');
  } catch {
    t.skip('@pydantic/genai-prices is not installed');
    return;
  }
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const r = spawnSync(process.execPath, ['scripts/gen-catalog.mjs', '--check'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr || r.stdout);
  const pkg = JSON.parse(readFileSync(new URL('../../../node_modules/@pydantic/genai-prices/package.json', import.meta.url), 'utf8'));
  assert.equal(readGeneratedCatalog().source, `@pydantic/genai-prices@${pkg.version}`);
});

test('DeepSeek rows carry the V3.2 prices (Sept 2025 change), long-context and fast rows are in the catalog', () => {
  assert.deepEqual(catalog.prices.get('deepseek-chat'), {
    input: 280_000n,
    output: 420_000n,
    cache_write_5m: 280_000n,
    cache_write_1h: 280_000n,
    cache_read: 28_000n,
  });
  const long = catalog.extraRows.find((r) => r.model === 'gemini-2.5-pro' && r.variant === 'long-context')!;
  assert.equal(long.aboveInputTokens, 200_000);
  assert.equal(long.prices.input, 2_500_000n);
  const fast = catalog.extraRows.find((r) => r.model === 'claude-opus-5' && r.variant === 'fast')!;
  assert.equal(fast.prices.output, 50_000_000n);
  const announced = catalog.extraRows.filter((r) => r.variant === '' && r.effectiveFrom > 0);
  assert.ok(announced.some((r) => r.model === 'gemini-3.6-flash' && new Date(r.effectiveFrom).toISOString() === '2027-01-01T00:00:00.000Z'));
});
