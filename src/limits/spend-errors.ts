/**
 * The errors a customer sees at a spend limit, modelled on Anthropic's (https://docs.anthropic.com/en/api/errors):
 * customer-set limits and an exhausted credit balance are 400 invalid_request_error; the usage
 * tier's monthly ceiling is 429 with `details.error_code = enforced_spend_limit_reached` and no
 * retry-after. All carry `x-should-retry: false`, so the SDKs do not retry in vain. The OpenAI
 * surface renders the same status with a stable `code`.
 */
import { codes, fail, type GatewayError } from '../core/errors.ts';
import { formatUsd } from '../core/money.ts';

const resumes = (ms: number) => {
  const d = new Date(ms);
  return `${d.toISOString().slice(0, 10)} at 00:00 UTC`;
};

export function creditBalanceTooLow(available: bigint, worstCase: bigint): GatewayError {
  const tooBig = available > 0n;
  return fail.credit_balance_too_low(
    tooBig
      ? `Your credit balance is too low for this request: ${formatUsd(available)} is available (after requests in flight) and its maximum cost is ${formatUsd(worstCase)}. Lower max_tokens or purchase credits.`
      : 'Your credit balance is too low to access this API. Please purchase credits or ask your administrator to add some.',
    { details: { error_code: codes.credit_balance_too_low } },
  );
}

export function usageLimitReached(scope: 'org' | 'workspace' | 'key', resumeAt: number, headroom: bigint, worstCase: bigint): GatewayError {
  const what =
    scope === 'org'
      ? 'your specified API usage limits'
      : scope === 'workspace'
        ? 'your specified workspace API usage limits'
        : 'the monthly usage limit of this API key';
  const msg =
    headroom > 0n
      ? `This request's maximum cost (${formatUsd(worstCase)}) would exceed ${what} (${formatUsd(headroom)} left this month). Lower max_tokens, or raise the limit.`
      : `You have reached ${what}. You will regain access on ${resumes(resumeAt)}.`;
  const code = scope === 'org' ? codes.usage_limit_reached : scope === 'workspace' ? codes.workspace_usage_limit_reached : codes.key_usage_limit_reached;
  return fail[code](msg, { details: { error_code: code, resets_at: new Date(resumeAt).toISOString() } });
}

export function tierSpendCapReached(resumeAt: number): GatewayError {
  return fail.enforced_spend_limit_reached(
    `You have reached your API usage limits: your organization has crossed its monthly API usage threshold, set based on your organization's API tier. You will regain access on ${resumes(resumeAt)}.`,
    { details: { error_code: codes.enforced_spend_limit_reached } },
  );
}
