/**
 * The one error hierarchy. Every failure a caller can see is a GatewayError; each surface
 * (Anthropic, OpenAI, admin) renders it in its own envelope in exactly one place.
 *
 * `type` is Anthropic's error type (the richer union); `status` is the HTTP status;
 * `code` is a stable machine-readable string (documented in docs/errors.md) that the OpenAI
 * envelope carries as `error.code`.
 */
export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'billing_error'
  | 'permission_error'
  | 'not_found_error'
  | 'conflict_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'timeout_error'
  | 'overloaded_error';

export interface GatewayErrorOptions {
  code?: string;
  /** Extra response headers (retry-after, x-should-retry, upstream rate-limit headers…). */
  headers?: Record<string, string>;
  /** Overrides the SDK's retry decision through `x-should-retry`. */
  shouldRetry?: boolean;
  /** Anthropic's `error.details` (e.g. `{error_code: 'enforced_spend_limit_reached'}`). */
  details?: Record<string, unknown>;
  /** The OpenAI envelope's `param`. */
  param?: string;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly type: ErrorType;
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  readonly details?: Record<string, unknown>;
  readonly param?: string;

  constructor(type: ErrorType, status: number, message: string, opts: GatewayErrorOptions = {}) {
    super(message, { cause: opts.cause });
    this.name = 'GatewayError';
    this.type = type;
    this.status = status;
    this.code = opts.code ?? type;
    this.headers = { ...(opts.headers ?? {}) };
    if (opts.shouldRetry !== undefined) this.headers['x-should-retry'] = String(opts.shouldRetry);
    this.details = opts.details;
    this.param = opts.param;
  }
}

export const invalidRequest = (message: string, opts?: GatewayErrorOptions) =>
  new GatewayError('invalid_request_error', 400, message, { code: 'invalid_request', ...opts });
export const authenticationError = (message: string, opts?: GatewayErrorOptions) =>
  new GatewayError('authentication_error', 401, message, { code: 'invalid_api_key', ...opts });
export const permissionError = (message: string, opts?: GatewayErrorOptions) =>
  new GatewayError('permission_error', 403, message, { code: 'permission_denied', ...opts });
export const notFound = (message: string, opts?: GatewayErrorOptions) =>
  new GatewayError('not_found_error', 404, message, { code: 'not_found', ...opts });
export const tooLarge = (message: string, opts?: GatewayErrorOptions) =>
  new GatewayError('request_too_large', 413, message, { code: 'request_too_large', ...opts });
export const rateLimited = (message: string, opts?: GatewayErrorOptions) =>
  new GatewayError('rate_limit_error', 429, message, { code: 'rate_limit_exceeded', ...opts });
export const internalError = (message: string, opts?: GatewayErrorOptions) =>
  new GatewayError('api_error', 500, message, { code: 'internal_error', ...opts });
export const upstreamUnavailable = (message: string, opts?: GatewayErrorOptions) =>
  new GatewayError('api_error', 502, message, { code: 'upstream_unavailable', ...opts });

export const serviceUnavailable = (message: string, opts?: GatewayErrorOptions) =>
  new GatewayError('api_error', 503, message, { code: 'service_unavailable', shouldRetry: true, ...opts });

/** At most `max` characters of client input, for echoing in an error message (with an ellipsis and the full length when cut). */
export function clip(input: string, max = 64): string {
  return input.length <= max ? input : `${input.slice(0, max)}… (${input.length} characters)`;
}

/** Anything thrown that is not a GatewayError becomes an opaque 500 (the cause is logged, never shown). */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  return internalError('Internal server error', { cause: err });
}
