/**
 * Tier schedule: default table, selection by spend, class fallback, JSON config.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { usdToPico } from '../../core/money.ts';
import { DEFAULT_TIER_SCHEDULE as S, limitsFor, parseTierSchedule, tierForSpend, tierScheduleToJson } from './tiers.ts';

describe('tiers', () => {
  test('tier selection by total-spend thresholds ($0/$50/$200/$500)', () => {
    const at = (usd: string) => tierForSpend(S, usdToPico(usd));
    assert.equal(at('0'), 1);
    assert.equal(at('49.999999999999'), 1);
    assert.equal(at('50'), 2);
    assert.equal(at('199.99'), 2);
    assert.equal(at('200'), 3);
    assert.equal(at('499.99'), 3);
    assert.equal(at('500'), 4);
    assert.equal(at('1000000'), 4);
    assert.equal(tierForSpend(S, -5n), 1, 'below every threshold → lowest tier');
  });

  test('default table: guide RPM/TPM, ITPM = TPM, OTPM = TPM / 5, Sonnet row as default', () => {
    assert.deepEqual(limitsFor(S, 1, 'claude-sonnet-4'), { rpm: 50, itpm: 40_000, otpm: 8_000 });
    assert.deepEqual(limitsFor(S, 1, 'claude-opus-4'), { rpm: 50, itpm: 20_000, otpm: 4_000 });
    assert.deepEqual(limitsFor(S, 2, 'claude-opus-4'), { rpm: 1_000, itpm: 40_000, otpm: 8_000 });
    assert.deepEqual(limitsFor(S, 3, 'claude-sonnet-4'), { rpm: 2_000, itpm: 160_000, otpm: 32_000 });
    assert.deepEqual(limitsFor(S, 4, 'claude-opus-4'), { rpm: 4_000, itpm: 200_000, otpm: 40_000 });
    assert.deepEqual(limitsFor(S, 4, 'claude-haiku-4'), limitsFor(S, 4, 'claude-sonnet-4'));
    assert.deepEqual(limitsFor(S, 2, 'gpt-4o'), { rpm: 1_000, itpm: 80_000, otpm: 16_000 });
    assert.deepEqual(limitsFor(S, 1, 'toString'), limitsFor(S, 1, 'default'), 'no prototype lookups');
    assert.throws(() => limitsFor(S, 9, 'claude-opus-4'), /unknown rate-limit tier 9/);
  });

  test('monthly spend ceilings $100/$500/$1,000/$200,000', () => {
    assert.deepEqual(
      S.tiers.map((t) => t.monthlySpendCapPico),
      ['100', '500', '1000', '200000'].map(usdToPico),
    );
    assert.deepEqual(
      S.tiers.map((t) => t.minSpendPico),
      ['0', '50', '200', '500'].map(usdToPico),
    );
  });

  test('JSON config round-trips and is validated', () => {
    assert.deepEqual(parseTierSchedule(JSON.parse(JSON.stringify(tierScheduleToJson(S)))), S);
    const custom = parseTierSchedule({
      tiers: [
        { tier: 2, minSpendUsd: '25.5', monthlySpendCapUsd: null, limits: { default: { rpm: 100, itpm: 1000, otpm: 200 } } },
        { tier: 1, name: 'Free', minSpendUsd: 0, monthlySpendCapUsd: '10', limits: { default: { rpm: 5, itpm: 500, otpm: 100 } } },
      ],
    });
    assert.deepEqual(
      custom.tiers.map((t) => [t.tier, t.name]),
      [
        [1, 'Free'],
        [2, 'Tier 2'],
      ],
    );
    assert.equal(custom.tiers[1]!.minSpendPico, usdToPico('25.5'));
    assert.equal(custom.tiers[1]!.monthlySpendCapPico, null);
    assert.equal(tierForSpend(custom, usdToPico('30')), 2);

    const bad = (tiers: unknown[]) => assert.throws(() => parseTierSchedule({ tiers }));
    const lim = { default: { rpm: 1, itpm: 1, otpm: 1 } };
    bad([]);
    bad([{ tier: 1, minSpendUsd: '5', monthlySpendCapUsd: null, limits: lim }]); // lowest not at $0
    bad([{ tier: 1, minSpendUsd: '0', monthlySpendCapUsd: null, limits: { x: lim.default } }]); // no default
    bad([{ tier: 1, minSpendUsd: '0', monthlySpendCapUsd: null, limits: { default: { rpm: 0, itpm: 1, otpm: 1 } } }]);
    bad([{ tier: 1, minSpendUsd: '0', monthlySpendCapUsd: 'ten', limits: lim }]);
    bad([
      { tier: 1, minSpendUsd: '0', monthlySpendCapUsd: null, limits: lim },
      { tier: 2, minSpendUsd: '0', monthlySpendCapUsd: null, limits: lim },
    ]); // thresholds not rising
    bad([
      { tier: 1, minSpendUsd: '0', monthlySpendCapUsd: null, limits: lim },
      { tier: 1, minSpendUsd: '9', monthlySpendCapUsd: null, limits: lim },
    ]); // duplicate tier
    bad([{ tier: 1, minSpendUsd: '0', monthlySpendCapUsd: null, limits: lim, extra: 1 }]);
  });
});
