import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.ts';
import { UpstreamHealth } from './health.ts';
import { coolDownMs, parseDuration, readRateWindow } from './rate-headers.ts';

test('the breaker opens on an error rate even without consecutive failures', () => {
  const clock = new ManualClock();
  const h = new UpstreamHealth({ failures: 100, errorRate: 0.5, window: 10, minRequests: 10, openMs: 1000 }, clock);
  for (let i = 0; i < 9; i++) {
    if (i % 2) h.failure('HTTP 500');
    else h.success(10);
  }
  assert.equal(h.snapshot().state, 'closed', 'fewer attempts than minRequests');
  h.failure('HTTP 500'); // 5 of 10 failed
  assert.equal(h.snapshot().state, 'open');
  assert.equal(h.available(), false);
  clock.advance(1000);
  assert.equal(h.available(), true, 'one probe');
  h.begin();
  assert.equal(h.available(), false, 'only one probe at a time');
  h.success(5);
  assert.equal(h.snapshot().state, 'closed');
});

test('rate-limit headers: headroom, reset and cool-downs in both dialects', () => {
  const now = Date.UTC(2026, 0, 1);
  assert.equal(parseDuration('6m0s'), 360_000);
  assert.equal(parseDuration('20ms'), 20);
  assert.ok(Number.isNaN(parseDuration('soon')));
  const oa = readRateWindow(
    {
      'x-ratelimit-limit-requests': '100',
      'x-ratelimit-remaining-requests': '25',
      'x-ratelimit-reset-requests': '2s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '900',
    },
    now,
  )!;
  assert.equal(oa.headroom, 0.25);
  assert.equal(oa.resetAt, now + 2000);
  const an = readRateWindow(
    {
      'anthropic-ratelimit-tokens-limit': '10',
      'anthropic-ratelimit-tokens-remaining': '0',
      'anthropic-ratelimit-tokens-reset': new Date(now + 5000).toISOString(),
    },
    now,
  )!;
  assert.deepEqual(an, { headroom: 0, resetAt: now + 5000 });
  assert.equal(readRateWindow({}, now), undefined);
  assert.equal(coolDownMs({ 'retry-after': '7' }, now, 1), 7000);
  assert.equal(coolDownMs({ 'retry-after-ms': '250', 'retry-after': '7' }, now, 1), 250);
  assert.equal(coolDownMs({}, now, 1234), 1234);
});
