/**
 * Pure generator for the Anthropic Messages surface: validates a request body, computes the
 * deterministic reply and usage (prompt-cache aware, through SimState), and returns both the
 * non-streaming `Message` and the exact official SSE event sequence for the same reply.
 */
import { anthropicSegments, applyCache, countInputTokens } from './cache.ts';
import { SimulatorError } from './errors.ts';
import type { SimState } from './state.ts';
import { applyLimits, contentText, outputTokens, replyText, splitDeltas } from './text.ts';
import type { AnthropicMessage, AnthropicStopReason, AnthropicUsage, GenerateOptions, SseEvent, UsageOverride } from './types.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const bad = (message: string) => new SimulatorError(400, 'invalid_request_error', message);

/** Throws SimulatorError(400) unless `body` has the minimal Messages (or count_tokens) shape. */
export function validateAnthropic(body: unknown, kind: 'messages' | 'count_tokens' = 'messages'): asserts body is Obj {
  if (!isObj(body)) throw bad('Request body must be a JSON object.');
  if (typeof body.model !== 'string' || !body.model) throw bad('model: Field required');
  if (kind === 'messages') {
    if (body.max_tokens === undefined) throw bad('max_tokens: Field required');
    if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 0) throw bad('max_tokens: Input should be a valid non-negative integer');
    if (body.max_tokens === 0 && body.stream === true) throw bad('max_tokens: must be greater than 0 when stream is true');
  }
  if (!Array.isArray(body.messages)) throw bad('messages: Field required');
  if (body.messages.length === 0) throw bad('messages: at least one message is required');
  body.messages.forEach((m, i) => {
    if (!isObj(m) || (m.role !== 'user' && m.role !== 'assistant')) throw bad(`messages.${i}.role: Input should be 'user' or 'assistant'`);
    if (typeof m.content !== 'string' && !Array.isArray(m.content)) throw bad(`messages.${i}.content: Input should be a valid string or list`);
  });
  if (body.system !== undefined && typeof body.system !== 'string' && !Array.isArray(body.system)) throw bad('system: Input should be a valid string or list');
  if (body.tools !== undefined && !Array.isArray(body.tools)) throw bad('tools: Input should be a valid list');
}

/** Text of the last user message (the reply is derived from it). */
export function lastUserText(messages: unknown[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (isObj(m) && m.role === 'user') return contentText(m.content);
  }
  return '';
}

/** Merges forced usage fields over simulated ones; a forced cache_creation split re-sums its total. */
export function mergeUsage(base: AnthropicUsage, o: UsageOverride | undefined): AnthropicUsage {
  if (!o) return base;
  const cache_creation = { ...base.cache_creation, ...(o.cache_creation ?? {}) };
  const out: AnthropicUsage = { ...base, ...o, cache_creation } as AnthropicUsage;
  if (o.cache_creation && o.cache_creation_input_tokens === undefined) {
    out.cache_creation_input_tokens = cache_creation.ephemeral_5m_input_tokens + cache_creation.ephemeral_1h_input_tokens;
  }
  return out;
}

export interface AnthropicSimulation {
  message: AnthropicMessage;
  /** The SSE events of the same reply (message_start … message_stop), ping included. */
  events: SseEvent[];
}

/**
 * Simulates one `POST /v1/messages`. Updates the prompt cache in `state` as of `now` (ms).
 * Throws SimulatorError for invalid bodies.
 */
export function simulateAnthropic(body: unknown, state: SimState, now: number, opts: GenerateOptions = {}): AnthropicSimulation {
  validateAnthropic(body);
  const model = body.model as string;
  const maxTokens = body.max_tokens as number;
  const cache = applyCache(model, anthropicSegments(body), state, now);
  const stops = Array.isArray(body.stop_sequences) ? body.stop_sequences.filter((s): s is string => typeof s === 'string') : [];
  const raw = opts.text ?? replyText(lastUserText(body.messages as unknown[]), opts.textChars);
  const limited = applyLimits(raw, maxTokens, stops);
  const empty = maxTokens === 0;
  const text = empty ? '' : limited.text;
  const stopReason: AnthropicStopReason =
    empty || limited.reason === 'max_tokens' ? 'max_tokens' : limited.reason === 'stop_sequence' ? 'stop_sequence' : 'end_turn';
  const usage = mergeUsage(
    {
      input_tokens: cache.input,
      cache_creation_input_tokens: cache.write5m + cache.write1h,
      cache_read_input_tokens: cache.read,
      cache_creation: { ephemeral_5m_input_tokens: cache.write5m, ephemeral_1h_input_tokens: cache.write1h },
      output_tokens: empty ? 0 : outputTokens(text),
      service_tier: 'standard',
    },
    opts.usage,
  );
  const message: AnthropicMessage = {
    id: `msg_01${state.nextId()}`,
    type: 'message',
    role: 'assistant',
    model,
    content: empty ? [] : [{ type: 'text', text }],
    stop_reason: stopReason,
    stop_sequence: stopReason === 'stop_sequence' ? limited.stopSequence : null,
    usage,
  };
  return { message, events: anthropicEvents(message) };
}

/** The official event sequence for a finished text message. */
export function anthropicEvents(message: AnthropicMessage): SseEvent[] {
  const u = message.usage;
  const startUsage = { ...u, output_tokens: 1 };
  const deltaUsage: Obj = {
    input_tokens: u.input_tokens,
    cache_creation_input_tokens: u.cache_creation_input_tokens,
    cache_read_input_tokens: u.cache_read_input_tokens,
    output_tokens: u.output_tokens,
  };
  if (u.server_tool_use) deltaUsage.server_tool_use = u.server_tool_use;
  const text = message.content.map((b) => b.text).join('');
  const events: SseEvent[] = [
    {
      event: 'message_start',
      data: { type: 'message_start', message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: startUsage } },
    },
    { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } },
    { event: 'ping', data: { type: 'ping' } },
  ];
  for (const piece of splitDeltas(text)) {
    events.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } } });
  }
  events.push(
    { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
    {
      event: 'message_delta',
      data: { type: 'message_delta', delta: { stop_reason: message.stop_reason, stop_sequence: message.stop_sequence }, usage: deltaUsage },
    },
    { event: 'message_stop', data: { type: 'message_stop' } },
  );
  return events;
}

/** Simulates `POST /v1/messages/count_tokens` (no cache logic, as documented). */
export function simulateCountTokens(body: unknown, opts: GenerateOptions = {}): { input_tokens: number } {
  validateAnthropic(body, 'count_tokens');
  return { input_tokens: opts.usage?.input_tokens ?? countInputTokens(body) };
}
