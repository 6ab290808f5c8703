/**
 * An upstream's non-2xx reply: passed through unchanged when the client speaks the upstream's
 * wire format; otherwise re-rendered as the same error in the client's envelope. Nothing is billed.
 * Only retry hints travel with it (the upstream's own rate-limit headers describe the operator's
 * account, not the customer's).
 */
import { GatewayError, type ErrorType } from '../../core/errors.ts';
import type { Wire } from '../../providers/types.ts';

const PASS_HEADERS = ['retry-after', 'retry-after-ms', 'x-should-retry'];

export function retryHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of PASS_HEADERS) { const v = h[k]; if (typeof v === 'string') out[k] = v; }
  return out;
}

const TYPE_BY_STATUS: Record<number, ErrorType> = {
  400: 'invalid_request_error', 401: 'api_error', 402: 'api_error', 403: 'api_error', 404: 'not_found_error',
  413: 'request_too_large', 429: 'rate_limit_error', 500: 'api_error', 504: 'timeout_error', 529: 'overloaded_error',
};

/** Parses an upstream error body (either envelope) into a GatewayError with the upstream's status. */
export function upstreamError(status: number, bodyText: string, wire: Wire, headers: Record<string, string>): GatewayError {
  let message = `Upstream returned HTTP ${status}`;
  let type: ErrorType = TYPE_BY_STATUS[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  try {
    const j = JSON.parse(bodyText);
    const e = j?.error;
    if (e && typeof e.message === 'string') message = e.message;
    if (wire === 'anthropic' && typeof e?.type === 'string' && status !== 401 && status !== 403) type = e.type as ErrorType;
  } catch { /* keep the generic message */ }
  // An upstream auth failure is the operator's misconfiguration, never the customer's key: 502.
  if (status === 401 || status === 403) return new GatewayError('api_error', 502, 'The upstream rejected the gateway\'s credentials', { code: 'upstream_auth_failed' });
  return new GatewayError(type, status, message, { code: `upstream_${status}`, headers });
}
