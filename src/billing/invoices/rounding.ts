/**
 * The one rounding rule of statements and invoices (docs/billing.md):
 *
 *  1. Every line's amount is exact (pico-USD): tokens × µUSD per million tokens.
 *  2. The subtotal is the exact sum of the lines, rounded once to cents, half away from zero.
 *  3. Line amounts in cents are apportioned by the largest-remainder method: each line gets its
 *     exact amount rounded down to the cent, and the cents still missing to reach the rounded
 *     subtotal go, one each, to the lines with the largest remainders (ties: the earlier line).
 *     So the printed lines always add up to the printed subtotal, and no line is off by a cent or more.
 *  4. Tax is the rounded subtotal × the org's rate, rounded half away from zero to cents.
 *  5. Total = subtotal + tax (cents).
 *
 * @example
 * apportionCents([333333333333n, 333333333333n, 333333333334n]) // [33n, 33n, 34n]: $1.00 in three lines
 */
import { PICO_PER_CENT, picoToCents } from '../../core/money.ts';

const floorDiv = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b));

export function apportionCents(amounts: bigint[]): bigint[] {
  const total = picoToCents(amounts.reduce((s, a) => s + a, 0n));
  const floors = amounts.map((a) => floorDiv(a, PICO_PER_CENT));
  let missing = total - floors.reduce((s, f) => s + f, 0n);
  const order = amounts.map((a, i) => ({ i, rem: a - floors[i]! * PICO_PER_CENT })).sort((x, y) => (x.rem === y.rem ? x.i - y.i : x.rem > y.rem ? -1 : 1));
  const out = [...floors];
  for (const o of order) {
    if (missing <= 0n) break;
    out[o.i]! += 1n;
    missing -= 1n;
  }
  return out;
}

/** A signed amount × rate (1/10,000 of a percent), rounded half away from zero. */
export function taxCents(subtotalCents: bigint, rateE4: bigint): bigint {
  const num = subtotalCents * rateE4;
  const den = 1_000_000n;
  const neg = num < 0n;
  const a = neg ? -num : num;
  const r = (a + den / 2n) / den;
  return neg ? -r : r;
}

export interface Totals {
  subtotalExact: bigint;
  subtotalCents: bigint;
  lineCents: bigint[];
  taxCents: bigint;
  totalCents: bigint;
}

export function totalsOf(amounts: bigint[], rateE4: bigint): Totals {
  const subtotalExact = amounts.reduce((s, a) => s + a, 0n);
  const subtotalCents = picoToCents(subtotalExact);
  const lineCents = apportionCents(amounts);
  const tax = taxCents(subtotalCents, rateE4);
  return { subtotalExact, subtotalCents, lineCents, taxCents: tax, totalCents: subtotalCents + tax };
}

/** "19" / "8.875" percent → 1/10,000 of a percent. */
export function parseTaxRate(s: string): bigint {
  const m = /^(\d{1,3})(?:\.(\d{1,4}))?$/.exec(s.trim());
  if (!m || Number(s) > 100) throw new Error(`tax rate: a percentage from 0 to 100 with at most 4 decimals, got ${JSON.stringify(s)}`);
  return BigInt(m[1]!) * 10_000n + BigInt((m[2] ?? '').padEnd(4, '0'));
}

export function formatTaxRate(e4: bigint): string {
  const whole = e4 / 10_000n;
  const frac = (e4 % 10_000n).toString().padStart(4, '0').replace(/0+$/, '');
  return `${whole}${frac ? '.' + frac : ''}`;
}

/** Cents as a decimal string ("12.34", "-0.05"). */
export function centsToUsd(c: bigint): string {
  const neg = c < 0n;
  const a = neg ? -c : c;
  return `${neg ? '-' : ''}${a / 100n}.${(a % 100n).toString().padStart(2, '0')}`;
}
