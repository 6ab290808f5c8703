/**
 * The 429 a refused rate check becomes. Wording follows Anthropic's 2026 message (reference
 * §5.4): "This request would exceed your organization's rate limit of 30,000 input tokens per
 * minute (org: …, model: …). …" — which is descriptive only; clients must not parse it.
 *
 * A request that can never pass (cost > limit, e.g. a prompt larger than the ITPM) is still a
 * 429 rate_limit_error as at Anthropic, but the message says so and `x-should-retry: false`
 * stops the SDKs from retrying in vain.
 */
import { type GatewayError, rateLimited } from '../../core/errors.ts';
import { retryAfterHeaders } from '../../wire/rate-limit-headers.ts';
import { profileOf, type Surface } from '../../wire/surface.ts';
import type { RateDecision, RateDimension, RateRefusal, RateScope } from './limiter.ts';

const UNIT: Record<RateDimension, string> = {
  requests: 'requests',
  input_tokens: 'input tokens',
  output_tokens: 'output tokens',
};

const OWNER: Record<RateScope, string> = {
  organization: "your organization's",
  workspace: "your workspace's",
  api_key: "this API key's",
};

const ADVICE: Record<RateDimension, string> = {
  requests: 'Please try again later.',
  input_tokens: 'Please reduce the prompt length or try again later.',
  output_tokens: 'Please try again later.',
};

const fmt = (n: number) => n.toLocaleString('en-US');

/** "This request would exceed your organization's rate limit of 50 requests per minute (org: …, model: …). …" */
export function rateLimitMessage(refused: RateRefusal, orgId: string, model: string): string {
  const unit = UNIT[refused.dimension];
  const head = `This request would exceed ${OWNER[refused.scope] ?? OWNER.organization} rate limit of ${fmt(refused.limit)} ${unit} per minute (org: ${orgId}, model: ${model}).`;
  if (refused.exceedsLimit) {
    return (
      `${head} The request alone needs ${fmt(refused.cost)} ${unit}, more than the limit allows, so retrying will not help.` +
      (refused.dimension === 'input_tokens' ? ' Please reduce the prompt length.' : '')
    );
  }
  return `${head} You can see the response headers for current usage. ${ADVICE[refused.dimension]}`;
}

export interface RateLimitErrorContext {
  orgId: string;
  /** The model as the client named it. */
  model: string;
  /** Clock time of the check (for reset headers). */
  now: number;
  /** Which header family to attach (the envelope is rendered by the surface). */
  surface: Surface;
}

/** The GatewayError (429 rate_limit_error) for a refused decision, with all headers attached. */
export function rateLimitError(decision: Extract<RateDecision, { ok: false }>, ctx: RateLimitErrorContext): GatewayError {
  const rate = profileOf(ctx.surface).rateHeaders(decision.snapshot, ctx.now);
  return rateLimited(rateLimitMessage(decision.refused, ctx.orgId, ctx.model), {
    headers: { ...rate, ...retryAfterHeaders(decision.retryAfterMs) },
    ...(decision.refused.exceedsLimit ? { shouldRetry: false } : {}),
  });
}
