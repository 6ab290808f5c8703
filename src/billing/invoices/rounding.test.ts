/** The rounding rule of invoices (docs/billing.md): one rounding of the subtotal, largest-remainder lines, tax on the rounded subtotal. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PICO_PER_CENT, picoToCents } from '../../core/money.ts';
import { apportionCents, centsToUsd, formatTaxRate, parseTaxRate, taxCents, totalsOf } from './rounding.ts';

test('lines apportioned by largest remainder always add up to the subtotal rounded once', () => {
  assert.deepEqual(apportionCents([333_333_333_333n, 333_333_333_333n, 333_333_333_334n]), [33n, 33n, 34n]);
  // Three lines of 0.4 ¢: rounding each would print 0 + 0 + 0 under a 1 ¢ subtotal.
  assert.deepEqual(apportionCents([4_000_000_000n, 4_000_000_000n, 4_000_000_000n]), [1n, 0n, 0n]);
  let x = 0x9e3779b9;
  const rnd = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  for (let i = 0; i < 2_000; i++) {
    const lines = Array.from({ length: 1 + (rnd() % 40) }, () => BigInt(rnd()) * BigInt(1 + (rnd() % 5000)) * (rnd() % 7 === 0 ? -1n : 1n));
    const cents = apportionCents(lines);
    const exact = lines.reduce((s, a) => s + a, 0n);
    assert.equal(
      cents.reduce((s, c) => s + c, 0n),
      picoToCents(exact),
    );
    lines.forEach((l, j) => {
      const d = l - cents[j]! * PICO_PER_CENT;
      assert.ok(d > -PICO_PER_CENT && d < PICO_PER_CENT, 'each line within a cent of its exact amount');
    });
  }
});

test('half away from zero, tax on the rounded subtotal, total = subtotal + tax', () => {
  const t = totalsOf([5_000_000_000n], 190_000n); // half a cent at 19 %
  assert.equal(t.subtotalCents, 1n);
  assert.equal(totalsOf([-5_000_000_000n], 0n).subtotalCents, -1n);
  assert.equal(taxCents(1_000n, 88_750n), 89n); // $10.00 × 8.875 % = 88.75 ¢ → 89 ¢
  assert.equal(taxCents(-1_000n, 88_750n), -89n);
  const u = totalsOf([12_345_678_901_234n, 1n], 88_750n);
  assert.equal(u.totalCents, u.subtotalCents + u.taxCents);
});

test('tax rates and amounts as decimal strings', () => {
  assert.equal(parseTaxRate('19'), 190_000n);
  assert.equal(parseTaxRate('8.875'), 88_750n);
  assert.equal(formatTaxRate(88_750n), '8.875');
  assert.equal(formatTaxRate(0n), '0');
  for (const bad of ['-1', '101', '1.23456', 'x', '']) assert.throws(() => parseTaxRate(bad));
  assert.equal(centsToUsd(-5n), '-0.05');
  assert.equal(centsToUsd(123_456n), '1234.56');
});
