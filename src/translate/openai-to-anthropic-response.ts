/**
 * OpenAI `ChatCompletion` → Anthropic `Message` (non-streaming, OpenAI-compatible upstream served
 * on `/v1/messages`).
 *
 * Decisions:
 * - id: `msg_` + the completion id without its `chatcmpl-` prefix.
 * - content: one text block (omitted when empty), then one `tool_use` block per tool call.
 *   `message.refusal` becomes a text block and `stop_reason: 'refusal'`.
 *   `reasoning_content` (DeepSeek/vLLM) is dropped: an Anthropic thinking block needs a signature.
 * - Custom (non-function) tool calls have no name or arguments to carry: `name: ''`, `input: {}`.
 * - Tool-call arguments are JSON-parsed. Empty arguments → `{}`. UNPARSABLE arguments (or JSON that
 *   is not an object) → `{ [RAW_ARGUMENTS_KEY]: '<raw string>' }`: the input stays an object, as
 *   Anthropic clients require, and the raw text is preserved for the client/tool to report.
 * - stop_reason via `openaiFinishToAnthropicStop`; vLLM's `choice.stop_reason` (the matched stop
 *   string) turns `stop` into `stop_sequence` with `stop_sequence` set.
 * - usage: `usageFromOpenai` → Anthropic fields (cache writes reported as 5m). Missing usage → zeros.
 */
import { emptyUsage } from '../metering/usage.ts';
import type { AnthropicContentBlock, AnthropicMessage, AnthropicStopReason } from '../wire/anthropic.ts';
import type { ChatCompletion } from '../wire/openai.ts';
import { openaiFinishToAnthropicStop } from './stop-reasons.ts';
import { usageFromOpenai, usageToAnthropic } from './usage-map.ts';

export interface OpenaiToAnthropicResponseOptions {
  /** The model name the client asked for. */
  model: string;
}

/** Key under which unparsable tool-call arguments are preserved in `tool_use.input`. */
export const RAW_ARGUMENTS_KEY = '_raw_arguments';

/** `chatcmpl-abc` → `msg_abc`. */
export function messageIdFromCompletionId(id: unknown): string {
  const s = typeof id === 'string' && id ? id : `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
  return `msg_${s.startsWith('chatcmpl-') ? s.slice(9) : s}`;
}

/** Parses streamed/returned tool arguments into an object (see module doc for the fallback). */
export function parseToolArguments(raw: unknown): Record<string, unknown> {
  if (raw == null) return {};
  if (typeof raw === 'object' && !Array.isArray(raw)) return raw as Record<string, unknown>;
  const s = String(raw);
  if (s.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(s);
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  return { [RAW_ARGUMENTS_KEY]: s };
}

export function openaiToAnthropicResponse(c: ChatCompletion, opts: OpenaiToAnthropicResponseOptions): AnthropicMessage {
  const choice = Array.isArray(c.choices) ? (c.choices.find((ch) => ch?.index === 0) ?? c.choices[0]) : undefined;
  const msg = choice?.message;
  const content: AnthropicContentBlock[] = [];
  let stopReason: AnthropicStopReason = openaiFinishToAnthropicStop(choice?.finish_reason);
  let stopSequence: string | null = null;

  const text = typeof msg?.content === 'string' ? msg.content : joinTextParts(msg?.content);
  if (text) content.push({ type: 'text', text });
  if (typeof msg?.refusal === 'string' && msg.refusal) {
    content.push({ type: 'text', text: msg.refusal });
    stopReason = 'refusal';
  }
  if (Array.isArray(msg?.tool_calls)) {
    msg.tool_calls.forEach((tc, i) => {
      const fn = functionOf(tc);
      content.push({
        type: 'tool_use',
        id: typeof tc?.id === 'string' && tc.id ? tc.id : `toolu_${i}`,
        name: String(fn?.name ?? ''),
        input: parseToolArguments(fn?.arguments),
      });
    });
  }
  if (stopReason === 'end_turn' && typeof choice?.stop_reason === 'string') {
    stopReason = 'stop_sequence';
    stopSequence = choice.stop_reason;
  }
  return {
    id: messageIdFromCompletionId(c.id),
    type: 'message',
    role: 'assistant',
    model: opts.model,
    content,
    stop_reason: stopReason,
    stop_sequence: stopSequence,
    usage: usageToAnthropic(c.usage ? usageFromOpenai(c.usage) : emptyUsage()),
  };
}

/**
 * The `function` of a tool call. A custom tool call (`type: 'custom'`) or a malformed one has none:
 * it becomes a `tool_use` block with an empty name and `{}` input.
 */
function functionOf(tc: unknown): { name?: unknown; arguments?: unknown } | undefined {
  if (typeof tc !== 'object' || tc === null || !('function' in tc)) return undefined;
  const fn = tc.function;
  return typeof fn === 'object' && fn !== null ? fn : undefined;
}

/** Some compatible servers return assistant content as an array of text parts. */
function joinTextParts(content: unknown): string {
  if (!Array.isArray(content)) return '';
  let s = '';
  for (const p of content) if (p && typeof p === 'object' && typeof p.text === 'string') s += p.text;
  return s;
}
