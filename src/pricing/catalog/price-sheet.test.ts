import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { deriveCachePrices, parsePriceSheet, PriceSheetError } from './price-sheet.ts';
import { loadDefaultCatalog } from './index.ts';

function problemsOf(text: string, filename: string): string[] {
  try {
    parsePriceSheet(text, filename, { isAnthropic: () => true });
  } catch (e) {
    assert.ok(e instanceof PriceSheetError, String(e));
    assert.equal(e.filename, filename);
    assert.ok(e.message.includes(e.problems[0]!));
    return e.problems;
  }
  assert.fail('expected a PriceSheetError');
}

test('JSON sheet: strings and numbers, explicit cache prices, defaults for effective_from', () => {
  const { entries } = parsePriceSheet(
    JSON.stringify({
      effective_from: '2026-09-01',
      currency: 'USD',
      note: 'reseller sheet',
      models: [
        { model: 'claude-sonnet-4-5-20250929', input: '3', output: 15, cache_write_5m: '3.75', cache_write_1h: 6, cache_read: '0.30', aliases: ['sonnet'] },
        { model: 'gpt-4o', input: 2.5, output: '10', cache_read: '1.25', effective_from: '2026-10-01T00:00:00Z' },
      ],
    }),
    'sheet.json',
  );
  assert.equal(entries.length, 2);
  assert.deepEqual(entries[0], {
    model: 'claude-sonnet-4-5-20250929',
    prices: { input: 3_000_000n, output: 15_000_000n, cache_write_5m: 3_750_000n, cache_write_1h: 6_000_000n, cache_read: 300_000n },
    effectiveFrom: '2026-09-01',
    aliases: ['sonnet'],
  });
  assert.equal(entries[1]!.effectiveFrom, '2026-10-01T00:00:00Z');
  assert.deepEqual(entries[1]!.derived, ['cache_write_5m', 'cache_write_1h']);
  assert.equal(entries[1]!.prices.cache_read, 1_250_000n);
  // A bare array is accepted too.
  assert.equal(parsePriceSheet('[{"model":"claude-m","input":"1","output":"2"}]', 'x.json').entries[0]!.prices.output, 2_000_000n);
});

test('CSV sheet: header row, empty cells, quoting, comments, aliases column', () => {
  const csv = [
    '\uFEFFmodel,input,output,cache_write_5m,cache_write_1h,cache_read',
    '# operator prices, Sept 2026',
    'claude-haiku-4-5-20251001,1,5,1.25,2,0.10',
    '',
    '"gpt-4o", 2.50 ,10,,,1.25',
    'claude-cheap,0.000003,0.000009,,,',
  ].join('\r\n');
  const { entries } = parsePriceSheet(csv, 'prices.csv');
  assert.deepEqual(
    entries.map((e) => e.model),
    ['claude-haiku-4-5-20251001', 'gpt-4o', 'claude-cheap'],
  );
  assert.deepEqual(entries[0]!.prices, { input: 1_000_000n, output: 5_000_000n, cache_write_5m: 1_250_000n, cache_write_1h: 2_000_000n, cache_read: 100_000n });
  assert.equal(entries[0]!.derived, undefined);
  assert.equal(entries[1]!.prices.input, 2_500_000n);
  assert.deepEqual(entries[2]!.prices, { input: 3n, output: 9n, cache_write_5m: 4n, cache_write_1h: 6n, cache_read: 0n });

  const extra = parsePriceSheet('input,model,output,effective_from,aliases\n3,claude-my-model,15,2026-09-01,a1; a2|a3\n', 'p.csv');
  assert.deepEqual(extra.entries[0]!.aliases, ['a1', 'a2', 'a3']);
  assert.equal(extra.entries[0]!.effectiveFrom, '2026-09-01');
});

test('missing cache prices are derived exactly: 1.25x, 2x, 0.1x of input', () => {
  const { entries } = parsePriceSheet('model,input,output\na,3,15\nb,0.80,4\nc,0.25,1.25\nd,1.000001,1\n', 'd.csv', { isAnthropic: () => true });
  const p = Object.fromEntries(entries.map((e) => [e.model, e.prices]));
  assert.deepEqual([p.a!.cache_write_5m, p.a!.cache_write_1h, p.a!.cache_read], [3_750_000n, 6_000_000n, 300_000n]);
  assert.deepEqual([p.b!.cache_write_5m, p.b!.cache_write_1h, p.b!.cache_read], [1_000_000n, 1_600_000n, 80_000n]);
  // Haiku 3 from multipliers is $0.3125 / $0.50 / $0.025 (the official rounded prices must be given explicitly).
  assert.deepEqual([p.c!.cache_write_5m, p.c!.cache_write_1h, p.c!.cache_read], [312_500n, 500_000n, 25_000n]);
  // 1_000_001 µUSD: ×1.25 = 1_250_001.25 -> 1_250_001; ×0.1 = 100_000.1 -> 100_000 (half up).
  assert.deepEqual([p.d!.cache_write_5m, p.d!.cache_write_1h, p.d!.cache_read], [1_250_001n, 2_000_002n, 100_000n]);
  assert.deepEqual(entries[0]!.derived, ['cache_write_5m', 'cache_write_1h', 'cache_read']);
  // Rounding is half up at exactly .5.
  assert.deepEqual(deriveCachePrices(2n), { cache_write_5m: 3n, cache_write_1h: 4n, cache_read: 0n }); // 2.5 -> 3, 0.2 -> 0
  assert.deepEqual(deriveCachePrices(5n), { cache_write_5m: 6n, cache_write_1h: 10n, cache_read: 1n }); // 6.25 -> 6, 0.5 -> 1
  // Exact whenever representable: every multiple of 20 µUSD.
  for (let i = 0n; i < 2000n; i += 20n) {
    const d = deriveCachePrices(i);
    assert.equal(d.cache_write_5m * 4n, i * 5n);
    assert.equal(d.cache_read * 10n, i);
  }
});

test('JSON: every problem is listed at once, with the entry index and field', () => {
  const problems = problemsOf(
    JSON.stringify({
      effective_from: 'next week',
      bogus: true,
      models: [
        { model: 'ok', input: '1', output: '2' },
        { model: 'bad', input: '-1', output: '1.1234567', cache_write: '1' },
        { input: '1', output: '2' },
        'not an object',
        { model: 'ok', input: '1', output: '2' },
        { model: 'other', input: '1', output: '2', aliases: ['ok'] },
      ],
    }),
    'bad.json',
  );
  const expected = [
    /^top level: field effective_from: expected an ISO date/,
    /^top level: unknown field "bogus"/,
    /^models\[1\] \(bad\): field input: expected a non-negative decimal/,
    /^models\[1\] \(bad\): field output: expected a non-negative decimal .* "1\.1234567"/,
    /^models\[1\] \(bad\): unknown field "cache_write"/,
    /^models\[2\]: field model: required/,
    /^models\[3\]: expected an object/,
    /^models\[4\] \(ok\): duplicate of models\[0\]/,
    /^models\[5\] \(other\): field aliases: ok already names ok/,
  ];
  assert.equal(problems.length, expected.length, problems.join('\n'));
  expected.forEach((re, i) => {
    assert.match(problems[i]!, re);
  });
  assert.deepEqual(problemsOf('{"models": [', 'broken.json').length, 1);
  assert.match(problemsOf('{"models": [', 'broken.json')[0]!, /^not valid JSON/);
  assert.match(problemsOf('[]', 'empty.json')[0]!, /no entries/);
  assert.match(problemsOf('{"currency":"EUR","models":[{"model":"m","input":"1","output":"1"}]}', 'eur.json')[0]!, /only USD/);
});

test('CSV: every problem is listed at once, with the line and field', () => {
  const problems = problemsOf(
    [
      'model,input,output,cache_write_5m,cache_write_1h,cache_read',
      'a,3,15,,,',
      'b,three,15,,,0.3',
      ',1,2',
      'c,1,2,1,1,1,1',
      'a,3,15',
      'd,1,,,,',
      'e e,1,2',
    ].join('\n'),
    'bad.csv',
  );
  const expected = [
    /^line 3 \(b\): field input: expected a non-negative decimal .* "three"/,
    /^line 4: field model: required/,
    /^line 5: 7 cells but the header has 6 columns/,
    /^line 7 \(d\): field output: required/,
    /^line 8 \(e e\): field model: must not contain whitespace/,
    /^line 6 \(a\): duplicate of line 2/,
  ];
  assert.equal(problems.length, expected.length, problems.join('\n'));
  expected.forEach((re, i) => {
    assert.match(problems[i]!, re);
  });

  const header = problemsOf('model,price,output,cache_write\nx,1,2,3\n', 'h.csv');
  assert.equal(header.length, 2);
  assert.match(header[0]!, /^line 1: unknown columns "price", "cache_write"/);
  assert.match(header[1]!, /^line 1: header lacks required column input/);
});

test('the seed guide price sheet parses (the guide prices, not the official ones)', () => {
  const text = readFileSync(new URL('../../../examples/guide-prices.json', import.meta.url), 'utf8');
  const { entries } = parsePriceSheet(text, 'guide-prices.json');
  const byModel = new Map(entries.map((e) => [e.model, e]));
  assert.deepEqual(
    [...byModel.keys()],
    ['claude-opus-4-5-20251101', 'claude-sonnet-4-5-20250929', 'claude-haiku-4-5-20251001', 'claude-opus-4-20250514', 'claude-sonnet-4-20250514'],
  );
  assert.deepEqual(byModel.get('claude-opus-4-5-20251101')!.prices, {
    input: 15_000_000n,
    output: 75_000_000n,
    cache_write_5m: 18_750_000n,
    cache_write_1h: 30_000_000n,
    cache_read: 1_500_000n,
  });
  assert.equal(byModel.get('claude-haiku-4-5-20251001')!.prices.input, 800_000n);
  assert.equal(byModel.get('claude-haiku-4-5-20251001')!.prices.output, 4_000_000n);
  assert.equal(byModel.get('claude-sonnet-4-5-20250929')!.prices.input, 3_000_000n);

  // Every model and alias in the guide sheet exists in the default catalog, and the guide's
  // Opus 4.5 / Haiku 4.5 prices differ from the official list prices there.
  const catalog = loadDefaultCatalog();
  for (const e of entries) {
    assert.ok(catalog.prices.has(e.model), e.model);
    for (const a of e.aliases ?? []) assert.equal(catalog.aliases.get(a), e.model, a);
  }
  assert.notEqual(catalog.prices.get('claude-opus-4-5-20251101')!.input, byModel.get('claude-opus-4-5-20251101')!.prices.input);
  assert.notEqual(catalog.prices.get('claude-haiku-4-5-20251001')!.input, byModel.get('claude-haiku-4-5-20251001')!.prices.input);
});

test('non-Anthropic models: cache_read is required (no Anthropic 0.1x), cache writes default to input', () => {
  assert.throws(
    () => parsePriceSheet('model,input,output\ngpt-4o,2.50,10\n', 'p.csv'),
    (e: any) => e instanceof PriceSheetError && /gpt-4o\): field cache_read: required for non-Anthropic/.test(e.message),
  );
  const { entries } = parsePriceSheet('model,input,output,cache_read\ngpt-4o,2.50,10,1.25\n', 'p.csv');
  assert.deepEqual(entries[0]!.prices, {
    input: 2_500_000n,
    output: 10_000_000n,
    cache_write_5m: 2_500_000n,
    cache_write_1h: 2_500_000n,
    cache_read: 1_250_000n,
  });
});
