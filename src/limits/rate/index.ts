/**
 * Rate limiting: public API.
 *
 * Typical use in the request pipeline:
 *   const tier = tierForSpend(schedule, org.totalSpendPico);
 *   const check = buildRateCheck(model.rateClass, [{ scope: 'organization', id: org.id, limits: limitsFor(schedule, tier, model.rateClass) }], estimatedInput);
 *   const d = await limiter.check(check);
 *   if (!d.ok) throw rateLimitError(d, { orgId, model: requested, now, surface });
 *   … respond with anthropicRateHeaders(d.snapshot, now) / openaiRateHeaders(d.snapshot, now) …
 *   after usage is known: limiter.adjust(bucketRefs(check, 'input_tokens'), actualInput - estimatedInput);
 *                         limiter.record(bucketRefs(check, 'output_tokens'), outputTokens);
 */
export {
  type RateDimension,
  type RateScope,
  type RateBucket,
  type RateCheck,
  type BucketRef,
  type DimensionSnapshot,
  type RateSnapshot,
  type RateRefusal,
  type RateDecision,
  type RateLimiter,
  RATE_DIMENSIONS,
} from './limiter.ts';
export { MemoryRateLimiter, type MemoryRateLimiterOptions } from './memory.ts';
export { RedisRateLimiter, type RedisRateLimiterOptions } from './redis.ts';
export {
  type BucketState,
  TICKS_PER_TOKEN,
  WINDOW_MS,
  refill,
  debit,
  msUntilFull,
  msUntilAvailable,
  msUntilPositive,
  remainingTokens,
} from './bucket.ts';
export {
  type ClassLimits,
  type TierDefinition,
  type TierSchedule,
  DEFAULT_RATE_CLASS,
  DEFAULT_TIER_SCHEDULE,
  tierForSpend,
  tierDefinition,
  limitsFor,
  tierScheduleSchema,
  parseTierSchedule,
  tierScheduleToJson,
} from './tiers.ts';
export {
  anthropicRateHeaders,
  openaiRateHeaders,
  retryAfterHeaders,
  formatGoDuration,
  rfc3339Seconds,
  roundTokensRemaining,
  mostRestrictiveTokens,
} from '../../wire/rate-limit-headers.ts';
export { rateLimitMessage, rateLimitError, type RateLimitErrorContext } from './message.ts';
export { bucketKey, buildRateCheck, bucketRefs, type ScopeLimits } from './keys.ts';
