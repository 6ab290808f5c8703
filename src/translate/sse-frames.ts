/**
 * SSE frame builders. Payloads are already-serialised JSON strings so the stream translators can
 * build hot-path frames by string concatenation instead of re-serialising whole objects.
 */

/** OpenAI style: `data: <json>\n\n`. */
export const dataFrame = (json: string): string => `data: ${json}\n\n`;

/** OpenAI terminator. */
export const DONE_FRAME = 'data: [DONE]\n\n';

/** Anthropic style: `event: <name>\ndata: <json>\n\n`. */
export const eventFrame = (event: string, json: string): string => `event: ${event}\ndata: ${json}\n\n`;

/** Accepts an already-parsed SSE payload or its raw JSON text; returns undefined when unparsable. */
export function parsePayload(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}

/** A payload object's fields, unchecked: each is read as `unknown` and narrowed where it is used. */
export type Fields = Record<string, unknown>;

/** `v` as `Fields` when it is an object (an array's named fields then read as undefined), else undefined. */
export function fields(v: unknown): Fields | undefined {
  return typeof v === 'object' && v !== null ? (v as Fields) : undefined;
}
