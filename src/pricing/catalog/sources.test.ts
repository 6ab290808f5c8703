/**
 * The re-checked rows (sources.ts `CHECKED_ROWS`) are what the shipped catalog bills: a
 * regenerated `models.generated.json` that drifts from a price someone compared with the
 * provider's own page fails here. And `checked_at` is only claimed where rows were compared.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usdPerMTokToMicro } from '../../core/money.ts';
import { loadDefaultCatalog } from './index.ts';
import { CHECKED_ROWS, PROVIDER_SOURCES } from './sources.ts';

const catalog = loadDefaultCatalog();

test('every re-checked row is what the catalog bills (input, cached input, output, band)', () => {
  assert.ok(CHECKED_ROWS.length >= 4);
  for (const r of CHECKED_ROWS) {
    const p = catalog.prices.get(r.model);
    assert.ok(p, `${r.model} is not in the catalog`);
    assert.deepEqual(
      { input: p.input, cache_read: p.cache_read, output: p.output },
      { input: usdPerMTokToMicro(r.input), cache_read: usdPerMTokToMicro(r.cache_read), output: usdPerMTokToMicro(r.output) },
      `${r.model} drifted from ${r.source}`,
    );
    const m = catalog.models.find((x) => x.id === r.model)!;
    assert.equal(m.basePriceMaxInputTokens, r.basePriceMaxInputTokens, `${r.model} long-context band`);
  }
});

test('checked_at is claimed only for providers whose rows were compared, and each such row is pinned', () => {
  const pinned = new Set(CHECKED_ROWS.map((r) => r.model));
  for (const s of PROVIDER_SOURCES) {
    if (s.checkedAt === null) {
      assert.match(s.note, /NOT re-checked/, `${s.provider}: an unchecked provider says so and why`);
      assert.equal(s.checkedModels, undefined, `${s.provider}: no checked models without a date`);
      continue;
    }
    assert.match(s.checkedAt, /^\d{4}-\d{2}-\d{2}$/);
    for (const id of s.checkedModels ?? []) {
      assert.ok(pinned.has(id), `${s.provider}: ${id} is listed as checked but no row pins it`);
      assert.equal(catalog.models.find((m) => m.id === id)?.provider, s.provider, `${id} belongs to ${s.provider}`);
    }
  }
  for (const r of CHECKED_ROWS) {
    assert.ok(
      PROVIDER_SOURCES.some((s) => s.checkedAt !== null && s.checkedModels?.includes(r.model)),
      `${r.model} is pinned but no provider lists it as checked`,
    );
  }
});
