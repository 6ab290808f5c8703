/**
 * Header formats (Anthropic, OpenAI, retry-after), 429 message and error, RateCheck builder.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../core/errors.ts';
import {
  anthropicRateHeaders,
  formatGoDuration,
  openaiRateHeaders,
  retryAfterHeaders,
  rfc3339Seconds,
  roundTokensRemaining,
} from '../../wire/rate-limit-headers.ts';
import type { RateRefusal, RateSnapshot } from './limiter.ts';
import { rateLimitError, rateLimitMessage } from './message.ts';
import { bucketRefs, buildRateCheck } from './keys.ts';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const snap: RateSnapshot = {
  requests: { key: 'r', limit: 50, remaining: 49, resetAt: NOW + 1200 },
  input_tokens: { key: 'i', limit: 40_000, remaining: 31_499, resetAt: NOW + 12_752 },
  output_tokens: { key: 'o', limit: 8_000, remaining: 2_000, resetAt: NOW + 45_000 },
};

describe('headers', () => {
  test('Go durations', () => {
    const table: Array<[number, string]> = [
      [0, '0s'],
      [12, '12ms'],
      [999, '999ms'],
      [1000, '1s'],
      [1500, '1.5s'],
      [60_000, '1m0s'],
      [360_000, '6m0s'],
      [252_172, '4m12.172s'],
      [3_600_000, '1h0m0s'],
      [83_909_144, '23h18m29.144s'],
      [-1500, '-1.5s'],
      [12.4, '12ms'],
    ];
    for (const [ms, s] of table) assert.equal(formatGoDuration(ms), s, `${ms}`);
  });

  test('RFC 3339 with seconds precision, rounded up', () => {
    assert.equal(rfc3339Seconds(NOW), '2026-01-15T12:00:00Z');
    assert.equal(rfc3339Seconds(NOW + 6001), '2026-01-15T12:00:07Z');
    assert.equal(rfc3339Seconds(NOW + 7000), '2026-01-15T12:00:07Z');
  });

  test('Anthropic headers', () => {
    assert.deepEqual(anthropicRateHeaders(snap, NOW), {
      'anthropic-ratelimit-requests-limit': '50',
      'anthropic-ratelimit-requests-remaining': '49',
      'anthropic-ratelimit-requests-reset': '2026-01-15T12:00:02Z',
      // output (2000/8000 = 25 %) is more restrictive than input (31499/40000 ≈ 79 %)
      'anthropic-ratelimit-tokens-limit': '8000',
      'anthropic-ratelimit-tokens-remaining': '2000',
      'anthropic-ratelimit-tokens-reset': '2026-01-15T12:00:45Z',
      'anthropic-ratelimit-input-tokens-limit': '40000',
      'anthropic-ratelimit-input-tokens-remaining': '31000',
      'anthropic-ratelimit-input-tokens-reset': '2026-01-15T12:00:13Z',
      'anthropic-ratelimit-output-tokens-limit': '8000',
      'anthropic-ratelimit-output-tokens-remaining': '2000',
      'anthropic-ratelimit-output-tokens-reset': '2026-01-15T12:00:45Z',
    });
    assert.deepEqual(anthropicRateHeaders({}, NOW), {});
  });

  test('token remaining rounds to the nearest thousand only for limits >= 10,000', () => {
    assert.equal(roundTokensRemaining(31_499, 40_000), 31_000);
    assert.equal(roundTokensRemaining(31_500, 40_000), 32_000);
    assert.equal(roundTokensRemaining(30_500, 30_500), 30_500, 'never above the limit');
    assert.equal(roundTokensRemaining(1_499, 8_000), 1_499);
    assert.equal(roundTokensRemaining(-3, 8_000), 0);
  });

  test('OpenAI headers', () => {
    assert.deepEqual(openaiRateHeaders(snap, NOW), {
      'x-ratelimit-limit-requests': '50',
      'x-ratelimit-remaining-requests': '49',
      'x-ratelimit-reset-requests': '1.2s',
      'x-ratelimit-limit-tokens': '8000',
      'x-ratelimit-remaining-tokens': '2000',
      'x-ratelimit-reset-tokens': '45s',
    });
    const inputOnly = openaiRateHeaders({ input_tokens: snap.input_tokens! }, NOW + 20_000);
    assert.equal(inputOnly['x-ratelimit-remaining-tokens'], '31499');
    assert.equal(inputOnly['x-ratelimit-reset-tokens'], '0s');
  });

  test('retry-after: whole seconds rounded up, min 1; retry-after-ms exact', () => {
    assert.deepEqual(retryAfterHeaders(1200), { 'retry-after': '2', 'retry-after-ms': '1200' });
    assert.deepEqual(retryAfterHeaders(1), { 'retry-after': '1', 'retry-after-ms': '1' });
    assert.deepEqual(retryAfterHeaders(60_000), { 'retry-after': '60', 'retry-after-ms': '60000' });
    assert.deepEqual(retryAfterHeaders(0), { 'retry-after': '1', 'retry-after-ms': '0' });
  });
});

describe('429 message and error', () => {
  const base: RateRefusal = { key: 'k', dimension: 'requests', limit: 50, cost: 1, scope: 'organization', exceedsLimit: false };

  test('messages name the limit, org and model', () => {
    assert.equal(
      rateLimitMessage(base, 'org_1', 'claude-opus-4-6'),
      "This request would exceed your organization's rate limit of 50 requests per minute (org: org_1, model: claude-opus-4-6). " +
        'You can see the response headers for current usage. Please try again later.',
    );
    const input = { ...base, dimension: 'input_tokens' as const, limit: 30_000, cost: 2_000, scope: 'workspace' as const };
    assert.match(
      rateLimitMessage(input, 'o', 'm'),
      /^This request would exceed your workspace's rate limit of 30,000 input tokens per minute \(org: o, model: m\)\. .*reduce the prompt length/,
    );
    const never = { ...input, scope: 'organization' as const, cost: 45_000, exceedsLimit: true };
    assert.match(rateLimitMessage(never, 'o', 'm'), /rate limit of 30,000 input tokens per minute .* alone needs 45,000 input tokens.*retrying will not help/);
  });

  test('rateLimitError: 429 with retry and surface headers; x-should-retry false when it can never pass', () => {
    const e = rateLimitError({ ok: false, refused: base, retryAfterMs: 1200, snapshot: snap }, { orgId: 'o', model: 'm', now: NOW, surface: 'anthropic' });
    assert.ok(e instanceof GatewayError);
    assert.equal(e.status, 429);
    assert.equal(e.type, 'rate_limit_error');
    assert.equal(e.headers['retry-after'], '2');
    assert.equal(e.headers['retry-after-ms'], '1200');
    assert.equal(e.headers['anthropic-ratelimit-requests-remaining'], '49');
    assert.equal(e.headers['x-should-retry'], undefined);
    const o = rateLimitError(
      { ok: false, refused: { ...base, cost: 99, exceedsLimit: true }, retryAfterMs: 5, snapshot: snap },
      { orgId: 'o', model: 'm', now: NOW, surface: 'openai' },
    );
    assert.equal(o.headers['x-ratelimit-reset-requests'], '1.2s');
    assert.equal(o.headers['x-should-retry'], 'false');
  });
});

describe('buildRateCheck', () => {
  test('org and workspace buckets per dimension; refs per dimension', () => {
    const c = buildRateCheck(
      'claude-sonnet-4',
      [
        { scope: 'organization', id: 'o1', limits: { rpm: 50, itpm: 40_000, otpm: 8_000 } },
        { scope: 'workspace', id: 'w1', limits: { itpm: 10_000 } },
      ],
      1234,
    );
    assert.deepEqual(c.buckets, [
      { key: 'org:o1:claude-sonnet-4:rpm', dimension: 'requests', limit: 50, cost: 1, scope: 'organization' },
      { key: 'org:o1:claude-sonnet-4:itpm', dimension: 'input_tokens', limit: 40_000, cost: 1234, scope: 'organization' },
      { key: 'org:o1:claude-sonnet-4:otpm', dimension: 'output_tokens', limit: 8_000, cost: 0, scope: 'organization' },
      { key: 'ws:w1:claude-sonnet-4:itpm', dimension: 'input_tokens', limit: 10_000, cost: 1234, scope: 'workspace' },
    ]);
    assert.deepEqual(bucketRefs(c, 'input_tokens'), [
      { key: 'org:o1:claude-sonnet-4:itpm', limit: 40_000 },
      { key: 'ws:w1:claude-sonnet-4:itpm', limit: 10_000 },
    ]);
  });
});
