/** Renders a GatewayError in OpenAI's envelope: `{error:{message,type,param,code}}`. */
import type { GatewayError } from '../core/errors.ts';

const OPENAI_TYPE: Record<string, string> = {
  invalid_request_error: 'invalid_request_error',
  authentication_error: 'authentication_error',
  billing_error: 'insufficient_quota',
  permission_error: 'permission_error',
  not_found_error: 'invalid_request_error',
  conflict_error: 'invalid_request_error',
  request_too_large: 'invalid_request_error',
  rate_limit_error: 'rate_limit_error',
  api_error: 'server_error',
  timeout_error: 'server_error',
  overloaded_error: 'server_error',
};

export function openaiErrorBody(err: GatewayError): string {
  return JSON.stringify({ error: { message: err.message, type: OPENAI_TYPE[err.type] ?? err.type, param: err.param ?? null, code: err.code } });
}

/** The data of a mid-stream error chunk. */
export function openaiErrorData(type: string, message: string, code: string | null = null): string {
  return JSON.stringify({ error: { message, type, param: null, code } });
}

/** A mid-stream error chunk (the openai SDK throws on `data: {"error":…}`). */
export function openaiErrorChunk(type: string, message: string, code: string | null = null): string {
  return `data: ${openaiErrorData(type, message, code)}\n\n`;
}
