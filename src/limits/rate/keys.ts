/**
 * Conventional bucket keys and a RateCheck builder, so the pipeline does not hand-roll them.
 *
 * Key layout: `<scope>:<id>:<rateClass>:<dim>` with scope `org` | `ws` | `key` and dim
 * `rpm` | `itpm` | `otpm`, e.g. `org:9f1c…:claude-sonnet-4:itpm`. Limits apply per
 * organization × rate class (models of one class share buckets, https://docs.claude.com/en/api/rate-limits); workspace
 * and API-key scopes add their own (lower) buckets on top — the org's always apply.
 */
import type { BucketRef, RateBucket, RateCheck, RateDimension, RateScope } from './limiter.ts';
import type { ClassLimits } from './tiers.ts';

const SCOPE_TAG: Record<RateScope, string> = { organization: 'org', workspace: 'ws', api_key: 'key' };
const DIM_TAG: Record<RateDimension, string> = { requests: 'rpm', input_tokens: 'itpm', output_tokens: 'otpm' };

export function bucketKey(scope: RateScope, id: string, rateClass: string, dimension: RateDimension): string {
  return `${SCOPE_TAG[scope]}:${id}:${rateClass}:${DIM_TAG[dimension]}`;
}

/** One scope's limits for the request's rate class; omit a dimension (or pass null) to not limit it there. */
export interface ScopeLimits {
  scope: RateScope;
  id: string;
  limits: Partial<ClassLimits>;
}

/**
 * The check for one request: per scope, a requests bucket (cost 1), an input bucket (cost =
 * estimated input tokens excluding cache reads) and an output bucket (cost 0).
 */
export function buildRateCheck(rateClass: string, scopes: readonly ScopeLimits[], inputTokensEstimate: number): RateCheck {
  const buckets: RateBucket[] = [];
  for (const s of scopes) {
    const { rpm, itpm, otpm } = s.limits;
    if (rpm != null) buckets.push({ key: bucketKey(s.scope, s.id, rateClass, 'requests'), dimension: 'requests', limit: rpm, cost: 1, scope: s.scope });
    if (itpm != null)
      buckets.push({
        key: bucketKey(s.scope, s.id, rateClass, 'input_tokens'),
        dimension: 'input_tokens',
        limit: itpm,
        cost: inputTokensEstimate,
        scope: s.scope,
      });
    if (otpm != null)
      buckets.push({ key: bucketKey(s.scope, s.id, rateClass, 'output_tokens'), dimension: 'output_tokens', limit: otpm, cost: 0, scope: s.scope });
  }
  return { buckets };
}

/** The refs of one dimension's buckets, for `adjust` (input) and `record` (output). */
export function bucketRefs(check: RateCheck, dimension: RateDimension): BucketRef[] {
  const out: BucketRef[] = [];
  for (const b of check.buckets) if (b.dimension === dimension) out.push({ key: b.key, limit: b.limit });
  return out;
}
