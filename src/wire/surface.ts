/**
 * The two API dialects the gateway speaks: to its clients (a surface: the API a request came in
 * on) and to its upstreams (the wire format an upstream speaks). Everything that differs between
 * them on the wire sits in one profile per dialect, so the code looks the profile up instead of
 * asking which dialect it has. What differs in metering an upstream's reply is in
 * `providers/wire-format.ts`.
 */
import type { GatewayError } from '../core/errors.ts';
import { anthropicErrorBody, anthropicErrorData, anthropicErrorEvent } from './anthropic-errors.ts';
import { openaiErrorBody, openaiErrorChunk, openaiErrorData } from './openai-errors.ts';
import { anthropicRateHeaders, openaiRateHeaders, type RateView } from './rate-limit-headers.ts';

export type Surface = 'anthropic' | 'openai';

export const SURFACES: readonly Surface[] = ['anthropic', 'openai'];

export function isSurface(s: string): s is Surface {
  return s === 'anthropic' || s === 'openai';
}

export interface SurfaceProfile {
  /** The response header that carries the gateway's request id. */
  readonly requestIdHeader: string;
  /** A GatewayError as the JSON body of an error reply. */
  errorBody(err: GatewayError, requestId: string): string;
  /** The data of an error event in a stream (an SSE event's `data`). */
  streamErrorData(type: string, message: string, code: string | null): string;
  /** An error event that ends a stream, as SSE text (`code`: where the dialect has one). */
  streamError(type: string, message: string, code?: string | null): string;
  /** Rate-limit headers for the caller's buckets. */
  rateHeaders(snapshot: RateView, now: number): Record<string, string>;
  /** A header every rate-limit header set of this dialect has (present: the set is attached). */
  readonly rateHeaderMarker: string;
}

const PROFILES: Record<Surface, SurfaceProfile> = {
  anthropic: {
    requestIdHeader: 'request-id',
    errorBody: anthropicErrorBody,
    streamErrorData: (type, message) => anthropicErrorData(type, message),
    streamError: (type, message) => anthropicErrorEvent(type, message),
    rateHeaders: anthropicRateHeaders,
    rateHeaderMarker: 'anthropic-ratelimit-requests-limit',
  },
  openai: {
    requestIdHeader: 'x-request-id',
    errorBody: (err) => openaiErrorBody(err),
    streamErrorData: openaiErrorData,
    streamError: (type, message, code = null) => openaiErrorChunk(type, message, code),
    rateHeaders: openaiRateHeaders,
    rateHeaderMarker: 'x-ratelimit-limit-requests',
  },
};

export function profileOf(surface: Surface): SurfaceProfile {
  return PROFILES[surface];
}
