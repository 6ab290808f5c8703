/**
 * SSE framing for both surfaces. Anthropic frames carry an `event:` name equal to the data's
 * `type`; OpenAI frames are bare `data:` lines and the stream ends with `data: [DONE]`.
 * Frames use `\n` line endings and end with a blank line.
 */
import type { SseEvent } from './types.ts';
import { profileOf, type Surface } from '../../wire/surface.ts';

/** `event: <name>\ndata: <json>\n\n` */
export const anthropicFrame = (e: SseEvent): string => `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`;

/** `data: <json>\n\n` */
export const openaiFrame = (data: unknown): string => `data: ${JSON.stringify(data)}\n\n`;

/** The OpenAI stream terminator. */
export const OPENAI_DONE = 'data: [DONE]\n\n';

/** Mid-stream error frame in the surface's convention (Anthropic `event: error`, OpenAI `data: {"error":…}`). */
export function errorFrame(surface: Surface, error: { type: string; message: string; code?: string | null }): string {
  return profileOf(surface).streamError(error.type, error.message, error.code ?? null);
}

/** Headers of an SSE response. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
};
