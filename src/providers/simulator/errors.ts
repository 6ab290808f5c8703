/**
 * Error envelopes of both wire formats and the request-id helpers.
 *
 * Anthropic: `{"type":"error","error":{"type","message"},"request_id":"req_…"}` plus a
 * `request-id` header. OpenAI: `{"error":{"message","type","param","code"}}` plus `x-request-id`.
 */
import { randomBytes } from 'node:crypto';
import type { Surface } from './types.ts';
import { profileOf } from '../../wire/surface.ts';

/** A validation/simulation failure that maps to an HTTP error response. */
export class SimulatorError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = 'SimulatorError';
  }
}

const ID_ALPHABET = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** A random base58-ish id body (24 chars), as in `req_011CSHoEeqs5C35K2UUqR7Fy`. */
export function randomIdBody(len = 24): string {
  const bytes = randomBytes(len);
  let s = '';
  for (const b of bytes) s += ID_ALPHABET[b % ID_ALPHABET.length];
  return s;
}

/** A fresh `req_…` request id. */
export const newRequestId = (): string => `req_011C${randomIdBody(20)}`;

/** The request-id headers a response carries on the given surface. */
export function requestIdHeaders(surface: Surface, rid: string): Record<string, string> {
  return { [profileOf(surface).requestIdHeader]: rid };
}

/** Anthropic `error.type` for an HTTP status. */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 409:
      return 'conflict_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 504:
      return 'timeout_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

/** OpenAI `error.type` for an HTTP status (OpenAI's own vocabulary). */
export function openaiErrorType(status: number): string {
  if (status === 401) return 'invalid_request_error';
  if (status === 429) return 'requests';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** Default human message for a status (used when a script gives only a status). */
export function defaultErrorMessage(status: number): string {
  switch (status) {
    case 401:
      return 'invalid x-api-key';
    case 404:
      return 'Not found';
    case 413:
      return 'Request exceeds the maximum allowed number of bytes.';
    case 429:
      return 'This request would exceed the rate limit for your organization. Please try again later.';
    case 500:
      return 'Internal server error';
    case 529:
      return 'Overloaded';
    default:
      return `Simulated error ${status}`;
  }
}

/** Anthropic error envelope. */
export function anthropicErrorBody(type: string, message: string, rid: string): Record<string, unknown> {
  return { type: 'error', error: { type, message }, request_id: rid };
}

/** OpenAI error envelope. */
export function openaiErrorBody(type: string, message: string, code: string | null = null, param: string | null = null): Record<string, unknown> {
  return { error: { message, type, param, code } };
}

/** The envelope for an error on a surface, with a default type/message derived from the status. */
export function errorBodyFor(
  surface: Surface,
  status: number,
  rid: string,
  type?: string,
  message?: string,
  param: string | null = null,
): Record<string, unknown> {
  const msg = message ?? defaultErrorMessage(status);
  if (surface === 'anthropic') return anthropicErrorBody(type ?? anthropicErrorType(status), msg, rid);
  const t = type ?? openaiErrorType(status);
  const code = status === 429 ? 'rate_limit_exceeded' : status === 401 ? 'invalid_api_key' : null;
  return openaiErrorBody(t, msg, code, param);
}
