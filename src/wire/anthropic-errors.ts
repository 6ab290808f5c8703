/** Renders a GatewayError in Anthropic's envelope: `{type:"error", error:{type,message}, request_id}`. */
import type { GatewayError } from '../core/errors.ts';

export function anthropicErrorBody(err: GatewayError, requestId: string): string {
  const error: Record<string, unknown> = { type: err.type, message: err.message };
  if (err.details) error.details = err.details;
  return JSON.stringify({ type: 'error', error, request_id: requestId });
}

/** The data of an SSE `error` event (https://docs.anthropic.com/en/docs/build-with-claude/streaming#error-events). */
export function anthropicErrorData(type: string, message: string): string {
  return JSON.stringify({ type: 'error', error: { type, message } });
}

/** An SSE `error` event, for failures after a stream has started. */
export function anthropicErrorEvent(type: string, message: string): string {
  return `event: error\ndata: ${anthropicErrorData(type, message)}\n\n`;
}
