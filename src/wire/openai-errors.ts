/** Renders a GatewayError in OpenAI's envelope: `{error:{message,type,param,code}}`. */
import type { GatewayError } from '../core/errors.ts';
import { OPENAI_ERROR_TYPE } from '../core/error-codes.ts';

export function openaiErrorBody(err: GatewayError): string {
  return JSON.stringify({ error: { message: err.message, type: OPENAI_ERROR_TYPE[err.type], param: err.param ?? null, code: err.code } });
}

/** The data of a mid-stream error chunk. */
export function openaiErrorData(type: string, message: string, code: string | null = null): string {
  return JSON.stringify({ error: { message, type, param: null, code } });
}

/** A mid-stream error chunk (the openai SDK throws on `data: {"error":…}`). */
export function openaiErrorChunk(type: string, message: string, code: string | null = null): string {
  return `data: ${openaiErrorData(type, message, code)}\n\n`;
}
