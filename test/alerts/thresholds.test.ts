/** crossedThresholds / limitReached / parseThresholds: exact bigint edges, no floats. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossedThresholds, limitReached, parseThresholds } from '../../src/billing/alerts/thresholds.ts';
import { usdToPico } from '../../src/core/money.ts';

const $ = usdToPico;
const L = $('50');

test('reaching 80 % exactly ($40.00 of $50.00) crosses 80; one pico short does not', () => {
  assert.deepEqual(crossedThresholds($('39'), $('40'), L, [80]), [80]);
  assert.deepEqual(crossedThresholds($('39'), $('40') - 1n, L, [80]), []);
  // already exactly at the mark before: not crossed again
  assert.deepEqual(crossedThresholds($('40'), $('41'), L, [80]), []);
  // one pico below before, exactly at after
  assert.deepEqual(crossedThresholds($('40') - 1n, $('40'), L, [80]), [80]);
});

test('jumping past 50 and 80 at once returns both, ascending, once each', () => {
  assert.deepEqual(crossedThresholds(0n, $('45'), L, [80, 50]), [50, 80]);
  assert.deepEqual(crossedThresholds($('10'), $('60'), L, [80, 50, 80, 100]), [50, 80, 100]);
  assert.deepEqual(crossedThresholds($('26'), $('45'), L, [50, 80]), [80]);
});

test('no limit, a zero limit, no increase or a refund cross nothing', () => {
  assert.deepEqual(crossedThresholds(0n, $('1000'), null, [50, 80]), []);
  assert.deepEqual(crossedThresholds(0n, $('1000'), 0n, [50, 80]), []);
  assert.deepEqual(crossedThresholds($('45'), $('45'), L, [80]), []);
  assert.deepEqual(crossedThresholds($('45'), $('20'), L, [50, 80]), []);
  assert.deepEqual(crossedThresholds(0n, $('45'), L, []), []);
});

test('exact at pico scale and for limits that do not divide evenly', () => {
  // 80 % of 3 pico = 2.4 pico: 2 is below, 3 is at/above
  assert.deepEqual(crossedThresholds(0n, 2n, 3n, [80]), []);
  assert.deepEqual(crossedThresholds(2n, 3n, 3n, [80]), [80]);
  // 33 % of $0.01 = $0.0033 exactly
  assert.deepEqual(crossedThresholds(0n, $('0.0033'), $('0.01'), [33]), [33]);
  assert.deepEqual(crossedThresholds(0n, $('0.0033') - 1n, $('0.01'), [33]), []);
  // a large limit (~$9M) stays exact
  const big = 9_000_000n * 1_000_000_000_000n;
  assert.deepEqual(crossedThresholds(0n, (big * 80n) / 100n, big, [80]), [80]);
});

test('limitReached is the 100 % mark', () => {
  assert.equal(limitReached($('49.99'), L, L), true);
  assert.equal(limitReached($('49.99'), L - 1n, L), false);
  assert.equal(limitReached(L, L + 1n, L), false);
  assert.equal(limitReached(0n, $('1'), null), false);
});

test('invalid thresholds are refused loudly', () => {
  assert.throws(() => crossedThresholds(0n, 1n, 10n, [0]), RangeError);
  assert.throws(() => crossedThresholds(0n, 1n, 10n, [-5]), RangeError);
  assert.throws(() => crossedThresholds(0n, 1n, 10n, [12.5]), RangeError);
  assert.throws(() => crossedThresholds(0n, 1n, 10n, [Number.NaN]), RangeError);
});

test('parseThresholds reads the stored list', () => {
  assert.deepEqual(parseThresholds('80'), [80]);
  assert.deepEqual(parseThresholds('80, 50,80'), [50, 80]);
  assert.deepEqual(parseThresholds('', [75]), [75]);
  assert.deepEqual(parseThresholds(null), [80]);
  assert.throws(() => parseThresholds('50,abc'), RangeError);
  assert.throws(() => parseThresholds('0'), RangeError);
  assert.throws(() => parseThresholds('101'), RangeError);
});
