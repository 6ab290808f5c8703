/**
 * What one proxied request reports to metrics and traces, gathered as it runs. The HTTP front
 * creates it for the inference surfaces only and hangs it on the response (one small object per
 * request, no closures); the exchange steps fill in what they learn. Times are
 * `performance.now()` milliseconds (monotonic).
 */
import type { ServerResponse } from 'node:http';
import type { Span } from '@opentelemetry/api';
import type { Surface } from '../wire/surface.ts';

export const OBS = Symbol('tollgate.obs');

export class RequestObs {
  /** Catalog model id, once resolved (never client input: label cardinality stays bounded). */
  model = '';
  upstream = '';
  stream = false;
  upstreamStart = 0;
  upstreamHeaders = 0;
  upstreamEnd = 0;
  /** First body byte written to the client (streams). */
  firstByte = 0;
  inputTokens = 0;
  outputTokens = 0;
  responseModel = '';
  span: Span | undefined = undefined;
  constructor(
    readonly surface: Surface,
    readonly start: number,
  ) {}
}

export function obsOf(res: ServerResponse): RequestObs | undefined {
  return (res as unknown as { [OBS]?: RequestObs })[OBS];
}

export function attachObs(res: ServerResponse, o: RequestObs): void {
  (res as unknown as { [OBS]?: RequestObs })[OBS] = o;
}

/** Why a request was refused, as the refusals counter labels it. */
export type RefusalReason = 'rate' | 'spend' | 'auth' | 'bad_request' | 'unavailable';

const SPEND_CODES = /credit_balance|usage_limit|spend_limit|suspended/;

export function refusalReason(status: number, type: string, code: string): RefusalReason | undefined {
  if (SPEND_CODES.test(code) || type === 'billing_error') return 'spend';
  if (status === 429) return 'rate';
  if (status === 401 || status === 403) return 'auth';
  if (status >= 400 && status < 500) return 'bad_request';
  if (status === 503 || status === 529) return 'unavailable';
  return undefined;
}
