/**
 * An upstream's non-2xx reply, re-rendered as a GatewayError in the client's envelope (never
 * passed through verbatim). Nothing is billed. What the upstream says about the operator's own
 * account — its credentials, billing, quota and rate limits, with the account's ids and balances
 * — is the operator's business: the client gets a generic message with the right status and the
 * retry hint, and the operator gets the original in the log. What it says about the request
 * (400, 404, 413, 422) is kept, scrubbed of anything that looks like an account id, a key hint,
 * an e-mail address or an amount of money, and cut short. Only retry hints travel as headers (the
 * upstream's own rate-limit headers describe the operator's account, not the customer's).
 */
import { type ErrorType, fail, type GatewayError, upstreamStatusError } from '../core/errors.ts';
import type { Surface } from '../wire/surface.ts';
import { wireFormat } from './wire-format.ts';

const PASS_HEADERS = ['retry-after', 'retry-after-ms', 'x-should-retry'];

export function retryHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of PASS_HEADERS) {
    const v = h[k];
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

const TYPES = new Set<ErrorType>([
  'invalid_request_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'api_error',
  'timeout_error',
  'overloaded_error',
]);

const TYPE_BY_STATUS: Record<number, ErrorType> = {
  400: 'invalid_request_error',
  404: 'not_found_error',
  413: 'request_too_large',
  422: 'invalid_request_error',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

const SCRUB: Array<[RegExp, string]> = [
  [/\b(?:sk|rk|pk)-[A-Za-z0-9_*.-]{3,}/g, '[key]'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '[id]'],
  [/\b(?:org|proj|project|user|acct|account|team|ws|wrkspc|workspace|apikey|key)[-_][A-Za-z0-9_-]{4,}/gi, '[id]'],
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[email]'],
  [/[$€£]\s?\d[\d,]*(?:\.\d+)?/g, '[amount]'],
];

/** A client-safe version of an upstream message about the request. */
export function scrubUpstreamMessage(message: string, max = 300): string {
  let m = message;
  for (const [re, by] of SCRUB) m = m.replace(re, by);
  return m.length > max ? `${m.slice(0, max)}…` : m;
}

/** Words by which providers say "this is about your (the operator's) account". */
const ACCOUNT_WORDS =
  /credit balance|billing|quota|insufficient|payment|plan and billing|organization has been disabled|account (?:is|has been) (?:disabled|suspended|deactivated)|spend limit|usage limit/i;

export type UpstreamErrorLog = (fields: Record<string, unknown>, message: string) => void;

/** Parses an upstream error body (either envelope) into a GatewayError fit for the client. */
export function upstreamError(status: number, bodyText: string, wire: Surface, headers: Record<string, string>, log?: UpstreamErrorLog): GatewayError {
  let message = '';
  let upstreamType: string | undefined;
  let upstreamCode: string | undefined;
  try {
    const e = JSON.parse(bodyText)?.error;
    if (e && typeof e.message === 'string') message = e.message;
    if (typeof e?.type === 'string') upstreamType = e.type;
    if (typeof e?.code === 'string') upstreamCode = e.code;
  } catch {
    /* not JSON: no message */
  }
  const about = `${upstreamType ?? ''} ${upstreamCode ?? ''} ${message}`;
  if (status === 401 || status === 403) {
    log?.({ upstreamStatus: status, upstreamMessage: message.slice(0, 500) }, "the upstream rejected the gateway's credentials");
    return fail.upstream_auth_failed("The upstream rejected the gateway's credentials");
  }
  if (
    status === 402 ||
    (status < 500 && status !== 429 && ACCOUNT_WORDS.test(about)) ||
    upstreamType === 'billing_error' ||
    upstreamCode === 'insufficient_quota'
  ) {
    log?.({ upstreamStatus: status, upstreamMessage: message.slice(0, 500) }, "the upstream refused the gateway's account");
    return fail.upstream_account_error(
      "The upstream provider refused this request because of the gateway operator's account with it, not because of your request. Retrying will not help until the operator fixes it.",
    );
  }
  if (status === 429) {
    return fail.upstream_429('The upstream provider is rate limiting this gateway; retry shortly', { headers });
  }
  if (status === 529 || upstreamType === 'overloaded_error') {
    return upstreamStatusError(status, 'overloaded_error', 'The upstream is overloaded; retry shortly', { headers });
  }
  if (status >= 500) {
    return upstreamStatusError(status, TYPE_BY_STATUS[status] ?? 'api_error', `The upstream returned an error (HTTP ${status})`, { headers });
  }
  let type: ErrorType = TYPE_BY_STATUS[status] ?? 'invalid_request_error';
  if (wireFormat(wire).sharesErrorTypes && upstreamType && TYPES.has(upstreamType as ErrorType)) type = upstreamType as ErrorType;
  const text = message ? scrubUpstreamMessage(message) : `Upstream returned HTTP ${status}`;
  return upstreamStatusError(status, type, text, { headers });
}
