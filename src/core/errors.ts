/**
 * The one error hierarchy. Every failure a caller can see is a GatewayError; each surface
 * (Anthropic, OpenAI, admin) renders it in its own envelope in exactly one place.
 *
 * `type` is Anthropic's error type (the richer union); `status` is the HTTP status;
 * `code` is a stable machine-readable string that the OpenAI envelope carries as `error.code`.
 * Every code is a row of the table in core/error-codes.ts (documented in docs/errors.md), and
 * every error is made by that row's factory: `fail.model_retired(message, opts)`. Only this
 * module constructs a GatewayError.
 */
import { ERROR_CODES, type ErrorCode, type ErrorSpec, type ErrorType } from './error-codes.ts';

export type { ErrorCode, ErrorType } from './error-codes.ts';

export interface GatewayErrorOptions {
  /** Extra response headers (retry-after, upstream rate-limit headers…). */
  headers?: Record<string, string>;
  /** Overrides the table's retry decision (`x-should-retry`) for this one error. */
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

  /** Not for use outside this module: make errors with `fail.<code>(…)`. */
  constructor(code: string, type: ErrorType, status: number, message: string, opts: GatewayErrorOptions = {}) {
    super(message, { cause: opts.cause });
    this.name = 'GatewayError';
    this.type = type;
    this.status = status;
    this.code = code;
    this.headers = { ...(opts.headers ?? {}) };
    if (opts.shouldRetry !== undefined) this.headers['x-should-retry'] = String(opts.shouldRetry);
    this.details = opts.details;
    this.param = opts.param;
  }
}

/** The codes with a fixed HTTP status: one factory each. */
export type FixedErrorCode = { [K in ErrorCode]: (typeof ERROR_CODES)[K]['status'] extends number ? K : never }[ErrorCode];
export type ErrorFactory = (message: string, opts?: GatewayErrorOptions) => GatewayError;

const factory =
  (code: string, spec: ErrorSpec & { status: number }): ErrorFactory =>
  (message, opts = {}) =>
    new GatewayError(code, spec.type, spec.status, message, { ...opts, shouldRetry: opts.shouldRetry ?? spec.retry });

/** One named factory per row of the table: `throw fail.model_retired(message, { param: 'model' })`. */
export const fail = Object.fromEntries(
  Object.entries(ERROR_CODES as Record<string, ErrorSpec>).flatMap(([code, spec]) =>
    typeof spec.status === 'number' ? [[code, factory(code, { ...spec, status: spec.status })]] : [],
  ),
) as { readonly [K in FixedErrorCode]: ErrorFactory };

/** Every code by name, for comparisons and stream error frames: `codes.upstream_account_error`. */
export const codes = Object.fromEntries(Object.keys(ERROR_CODES).map((c) => [c, c])) as { readonly [K in ErrorCode]: K };

/**
 * `upstream_<status>`: an upstream's error status passed on with the type it maps to (the code
 * names the upstream's status, so it has no fixed row).
 */
export function upstreamStatusError(status: number, type: ErrorType, message: string, opts: GatewayErrorOptions = {}): GatewayError {
  return new GatewayError(`upstream_${status}`, type, status, message, opts);
}

// The generic codes, by their historical names.
export const invalidRequest = fail.invalid_request;
export const authenticationError = fail.invalid_api_key;
export const permissionError = fail.permission_denied;
export const notFound = fail.not_found;
export const tooLarge = fail.request_too_large;
export const rateLimited = fail.rate_limit_exceeded;
export const internalError = fail.internal_error;
export const upstreamUnavailable = fail.upstream_unavailable;
export const serviceUnavailable = fail.service_unavailable;

/** At most `max` characters of client input, for echoing in an error message (with an ellipsis and the full length when cut). */
export function clip(input: string, max = 64): string {
  return input.length <= max ? input : `${input.slice(0, max)}… (${input.length} characters)`;
}

/** Anything thrown that is not a GatewayError becomes an opaque 500 (the cause is logged, never shown). */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  return internalError('Internal server error', { cause: err });
}
